// shop/idempotency.h — Idempotency-Key replay: a retried request gets the first response instead of
// acting twice.
//
// A request carrying a key reserves (user, scope, key) in one write before it runs, then stores its
// response. Rules:
//  * A completed key replays its stored status and body for kRetention (24 h) after it completed;
//    after that the key is free again.
//  * A key whose request is still running answers "in progress" (HTTP 409) — unless the reservation
//    is older than kStaleReservation (its process died mid-request; a restart loses every running
//    request), in which case the new request takes it over.
//  * The same key with a different request (method, path or body) is refused (HTTP 422): a client
//    bug that must not silently replay an unrelated response.
//  * Which responses are stored (should_store): 2xx and the 4xx that answer the request itself
//    (validation errors, a declined payment, "not found"). Not stored, so a retry acts again:
//    408/409/425/429 (try again later), 5xx (our failure) and anything else. A client that wants a
//    new attempt after a stored 4xx sends a new key.
//  * Keys are 1..255 printable ASCII characters (0x20..0x7E); anything else is a 400.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
class Engine;
namespace detail {
struct EngineContext;
}

struct StoredResponse {
  int status_code = 0;
  std::string body;
};

class Idempotency {
 public:
  static constexpr std::size_t kMaxKeyLength = 255;
  static constexpr Micros kRetention = kMicrosPerDay;
  static constexpr Micros kStaleReservation = 60 * kMicrosPerSecond;

  // Stable error reasons (Error::reason).
  static constexpr const char* kKeyInvalid = "IDEMPOTENCY_KEY_INVALID";
  static constexpr const char* kInProgress = "IDEMPOTENCY_IN_PROGRESS";
  static constexpr const char* kKeyReused = "IDEMPOTENCY_KEY_REUSED";

  explicit Idempotency(Engine& engine);
  explicit Idempotency(detail::EngineContext& ctx);

  // 1..kMaxKeyLength printable ASCII characters, else invalid (reason kKeyInvalid).
  static Status validate_key(std::string_view key);
  static bool should_store(int status_code);

  // Reserves the key for a request. `request` identifies it (e.g. method, path and body; only its
  // SHA-256 is kept). Returns nullopt when reserved: run the request, then finish() (or release()
  // if it could not answer). Returns the stored response when it must be replayed instead.
  // Errors: kInvalidArgument/kKeyInvalid, kConflict/kInProgress, kConflict/kKeyReused, kInternal.
  Result<std::optional<StoredResponse>> begin(std::int64_t user_id, std::string_view scope,
                                              std::string_view key, std::string_view request);

  // Records the response of a reserved key; releases the key instead when !should_store(status).
  Status finish(std::int64_t user_id, std::string_view scope, std::string_view key, int status_code,
                std::string_view body);

  // Drops a reservation (the request failed in a way a retry should redo).
  Status release(std::int64_t user_id, std::string_view scope, std::string_view key);

  // Deletes completed keys past kRetention and stale reservations; returns how many (for a
  // periodic job).
  Result<std::int64_t> purge_expired();

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
