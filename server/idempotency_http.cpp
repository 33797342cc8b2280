#include "idempotency_http.h"

#include <cstdio>
#include <exception>

#include "shop/idempotency.h"

namespace shopd {

RouteHandler with_idempotency(Api& api, std::string scope, RouteHandler inner) {
  return [&api, scope = std::move(scope), inner = std::move(inner)](
             const httplib::Request& req, httplib::Response& res, const RouteParams& p) {
    if (!req.has_header(kIdempotencyKeyHeader)) return inner(req, res, p);
    const auto check = authenticate(api, req, res);
    if (check.replied) return;
    if (!check.principal) return inner(req, res, p);  // anonymous: the handler answers 401

    const std::string key = req.get_header_value(kIdempotencyKeyHeader);
    const std::int64_t user_id = check.principal->user_id;
    shop::Idempotency idempotency(api.engine);
    auto begun =
        idempotency.begin(user_id, scope, key, req.method + " " + req.path + "\n" + req.body);
    if (!begun) {
      const shop::Error& e = begun.error();
      int status = http_status_for(e);
      if (e.reason == shop::Idempotency::kInProgress) status = 409;
      if (e.reason == shop::Idempotency::kKeyReused) status = 422;
      if (status >= 500) std::fprintf(stderr, "shopd: idempotency: %s\n", e.message.c_str());
      reply_json(res, status, {{"detail", status >= 500 ? "Internal server error." : e.message}});
      return;
    }
    if (begun->has_value()) {
      const shop::StoredResponse& stored = **begun;
      res.status = stored.status_code;
      if (stored.body.empty()) {
        res.body.clear();
      } else {
        res.set_content(stored.body, "application/json");
      }
      res.set_header(kIdempotentReplayedHeader, "true");
      return;
    }

    try {
      inner(req, res, p);
    } catch (...) {
      (void)idempotency.release(user_id, scope, key);
      throw;
    }
    const int status = res.status > 0 ? res.status : 500;
    const shop::Status saved = idempotency.finish(user_id, scope, key, status, res.body);
    if (!saved) {
      // The response itself is fine; only a later retry may act again.
      std::fprintf(stderr, "shopd: idempotency: could not store the response: %s\n",
                   saved.error().message.c_str());
    }
  };
}

}  // namespace shopd
