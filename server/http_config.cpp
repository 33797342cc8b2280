#include "http_config.h"

#include <CLI/CLI.hpp>

#include "net/http_server.h"

namespace shopd {

namespace {

class EventFrontend final : public Frontend {
 public:
  EventFrontend(net::ServerOptions o, HttpHandler h) : server_(std::move(o), std::move(h)) {}
  int bind(std::string* error) override { return server_.bind(error); }
  void run() override { server_.run(); }
  void stop() override { server_.stop(); }
  const net::ServerCounters* counters() const override { return &server_.counters(); }

 private:
  net::HttpServer server_;
};

}  // namespace

std::unique_ptr<Frontend> make_frontend(const HttpOptions& o, HttpHandler handler) {
  if (o.frontend == "threads") return make_threaded_frontend(o, std::move(handler));
  net::ServerOptions so;
  so.host = o.host;
  so.port = o.port;
  so.backlog = o.backlog;
  so.handler_threads = o.threads;
  so.max_connections = o.max_connections;
  so.header_timeout_ms = o.header_timeout_s * 1000;
  so.body_timeout_ms = o.body_timeout_s * 1000;
  so.idle_timeout_ms = o.keep_alive_timeout_s * 1000;
  so.write_timeout_ms = o.write_timeout_s * 1000;
  so.keep_alive_max = o.keep_alive_max;
  so.limits.max_body_bytes = o.max_body_bytes;
  so.limits.max_head_bytes = o.max_header_bytes;
  so.limits.max_header_count = static_cast<size_t>(o.max_header_count);
  return std::make_unique<EventFrontend>(std::move(so), std::move(handler));
}

void add_http_flags(CLI::App& app, HttpOptions& o) {
  app.add_option("--frontend", o.frontend,
                 "HTTP front end: event (epoll loop + handler pool) or threads (legacy "
                 "cpp-httplib server, for side-by-side benchmarks)")
      ->check(CLI::IsMember({"event", "threads"}))
      ->capture_default_str();
  app.add_option("--host", o.host, "Address to bind (loopback by default)")->capture_default_str();
  app.add_option("--port", o.port, "Port (0: any free port, printed on start)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--http-threads", o.threads, "HTTP handler threads")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--keep-alive-max", o.keep_alive_max, "Requests per connection (0: unlimited)")
      ->check(CLI::Range(0, 100'000'000))
      ->capture_default_str();
  app.add_option("--keep-alive-timeout", o.keep_alive_timeout_s, "Idle keep-alive seconds")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--backlog", o.backlog, "Listen backlog")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--max-connections", o.max_connections,
                 "Open connections at most; more wait in the backlog")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--header-timeout", o.header_timeout_s,
                 "Seconds for a whole request head (408 after)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--body-timeout", o.body_timeout_s, "Seconds for a whole request body (408 after)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--max-body-bytes", o.max_body_bytes, "Largest request body (413 beyond)")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
}

}  // namespace shopd
