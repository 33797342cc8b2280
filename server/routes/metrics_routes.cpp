// metrics_routes.cpp — GET /metrics/ (order queue, workers, outcomes, store write statistics) and
// GET /health/. The load generator polls /metrics/ until queue_depth and in_flight are both 0;
// in_flight includes `retrying` (orders waiting for a retry after a transient store error), so
// "both 0" still means every accepted order was processed.
#include <chrono>

#include "net/http_server.h"
#include "routes/routes.h"
#include "shop/orders.h"

namespace shopd {

void register_metrics_routes(Router& router, Api& api) {
  Api* a = &api;
  const auto started = std::chrono::steady_clock::now();
  router.add(
      "GET", "/metrics/",
      guarded([a, started](const httplib::Request&, httplib::Response& res, const RouteParams&) {
        const shop::OrderMetrics m = a->engine.orders().metrics();
        const double uptime =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        json http = nullptr;
        if (a->http) {
          const auto load = [](const std::atomic<std::int64_t>& v) {
            return v.load(std::memory_order_relaxed);
          };
          http = {{"connections_open", load(a->http->connections_open)},
                  {"connections_accepted", load(a->http->connections_accepted)},
                  {"requests", load(a->http->requests)},
                  {"wire_errors", load(a->http->wire_errors)},
                  {"timeouts", load(a->http->timeouts)}};
          // Server-side time per request (fully read -> fully written), since start.
          const auto& h = a->http->latency;
          const auto ms = [](std::int64_t us) { return static_cast<double>(us) / 1000.0; };
          http["latency_ms"] = {{"count", h.count()},
                                {"p50", ms(h.quantile_micros(0.50))},
                                {"p95", ms(h.quantile_micros(0.95))},
                                {"p99", ms(h.quantile_micros(0.99))},
                                {"p999", ms(h.quantile_micros(0.999))},
                                {"max", ms(h.max_micros())}};
        }
        reply_json(res, 200,
                   {{"orders",
                     {{"queue_depth", m.queue_depth},
                      {"in_flight", m.in_flight},
                      {"retrying", m.retrying},
                      {"retries", m.retries},
                      {"capacity", m.capacity},
                      {"workers", m.workers},
                      {"accepted", m.accepted},
                      {"confirmed", m.confirmed},
                      {"failed", m.failed},
                      {"skipped", m.skipped},
                      {"canceled", m.canceled},
                      {"processed", m.processed}}},
                    {"store", {{"writes", m.store_writes}, {"commits", m.store_commits}}},
                    {"http", http},
                    {"uptime_s", uptime}});
      }));
  router.add("GET", "/health/",
             guarded([](const httplib::Request&, httplib::Response& res, const RouteParams&) {
               reply_json(res, 200, {{"status", "ok"}});
             }));
}

}  // namespace shopd
