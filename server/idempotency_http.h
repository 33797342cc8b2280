// idempotency_http.h — Idempotency-Key support for POST routes (rules in shop/idempotency.h).
//
//   router.add("POST", "/api/payments/confirm/",
//              guarded(with_idempotency(api, "payments.confirm", confirm_handler)));
//
// Only requests that carry an `Idempotency-Key` header AND a valid Bearer token take part; others
// go straight to the inner handler (which does its own authentication). With a key:
//   * first time: the inner handler runs and its response (status + body) is stored;
//   * a retry: the stored response is sent again with `Idempotent-Replayed: true`, the inner
//     handler does not run;
//   * while the first is still running: 409 {"detail": "A request with this Idempotency-Key is in
//     progress."};
//   * the key reused with another body/path: 422 {"detail"}; a malformed key: 400 {"detail"}.
// A 5xx (or an exception) from the inner handler releases the key, so a retry acts again.
#pragma once

#include <string>

#include "api.h"
#include "router.h"

namespace shopd {

inline constexpr const char* kIdempotencyKeyHeader = "Idempotency-Key";
inline constexpr const char* kIdempotentReplayedHeader = "Idempotent-Replayed";

RouteHandler with_idempotency(Api& api, std::string scope, RouteHandler inner);

}  // namespace shopd
