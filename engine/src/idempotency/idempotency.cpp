#include "shop/idempotency.h"

#include "auth/crypto.h"
#include "engine_context.h"

namespace shop {

namespace {

constexpr std::size_t kMaxScopeLength = 64;

Status validate_scope(std::string_view scope) {
  if (scope.empty() || scope.size() > kMaxScopeLength) {
    return Error::invalid("invalid idempotency scope", "", Idempotency::kKeyInvalid);
  }
  return Status::ok();
}

}  // namespace

Idempotency::Idempotency(Engine& engine) : ctx_(engine.context()) {}
Idempotency::Idempotency(detail::EngineContext& ctx) : ctx_(ctx) {}

Status Idempotency::validate_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) {
    return Error::invalid(
        "Idempotency-Key must be 1 to " + std::to_string(kMaxKeyLength) + " characters long.", "",
        kKeyInvalid);
  }
  for (unsigned char c : key) {
    if (c < 0x20 || c > 0x7E) {
      return Error::invalid("Idempotency-Key must contain printable ASCII characters only.", "",
                            kKeyInvalid);
    }
  }
  return Status::ok();
}

bool Idempotency::should_store(int status_code) {
  if (status_code >= 200 && status_code < 300) return true;
  if (status_code >= 400 && status_code < 500) {
    return status_code != 408 && status_code != 409 && status_code != 425 && status_code != 429;
  }
  return false;
}

Result<std::optional<StoredResponse>> Idempotency::begin(std::int64_t user_id,
                                                         std::string_view scope,
                                                         std::string_view key,
                                                         std::string_view request) {
  SHOP_TRY(validate_key(key));
  SHOP_TRY(validate_scope(scope));
  const std::string request_hash = crypto::hex(crypto::sha256(request));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<std::optional<StoredResponse>> {
    auto& get = db.stmt(
        "SELECT status_code, body, request_hash, created_at FROM idempotency_keys "
        "WHERE user_id = ? AND scope = ? AND key = ?");
    get.bind(1, user_id);
    get.bind(2, std::string(scope));
    get.bind(3, std::string(key));
    if (get.executeStep()) {
      const int status_code = get.getColumn(0).getInt();
      const Micros created_at = get.getColumn(3).getInt64();
      const bool same_request = get.getColumn(2).getString() == request_hash;
      const bool expired =
          status_code == 0 ? created_at + kStaleReservation <= now : created_at + kRetention <= now;
      if (!expired) {
        if (!same_request) {
          return Error::conflict("This Idempotency-Key was already used for a different request.",
                                 kKeyReused);
        }
        if (status_code == 0) {
          return Error::conflict("A request with this Idempotency-Key is in progress.",
                                 kInProgress);
        }
        return std::optional<StoredResponse>(
            StoredResponse{status_code, get.getColumn(1).getString()});
      }
      // A finished key past its retention, or a reservation abandoned by a dead process: free.
      get.reset();
      auto& take = db.stmt(
          "UPDATE idempotency_keys SET status_code = 0, body = '', request_hash = ?, "
          "created_at = ? WHERE user_id = ? AND scope = ? AND key = ?");
      take.bind(1, request_hash);
      take.bind(2, now);
      take.bind(3, user_id);
      take.bind(4, std::string(scope));
      take.bind(5, std::string(key));
      take.exec();
      return std::optional<StoredResponse>();
    }
    auto& put = db.stmt(
        "INSERT INTO idempotency_keys(user_id, scope, key, status_code, body, request_hash, "
        "created_at) VALUES (?, ?, ?, 0, '', ?, ?)");
    put.bind(1, user_id);
    put.bind(2, std::string(scope));
    put.bind(3, std::string(key));
    put.bind(4, request_hash);
    put.bind(5, now);
    put.exec();
    return std::optional<StoredResponse>();
  });
}

Status Idempotency::finish(std::int64_t user_id, std::string_view scope, std::string_view key,
                           int status_code, std::string_view body) {
  if (!should_store(status_code)) return release(user_id, scope, key);
  SHOP_TRY(validate_key(key));
  SHOP_TRY(validate_scope(scope));
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Status {
    auto& upd = db.stmt(
        "UPDATE idempotency_keys SET status_code = ?, body = ?, created_at = ? "
        "WHERE user_id = ? AND scope = ? AND key = ? AND status_code = 0");
    upd.bind(1, status_code);
    upd.bind(2, std::string(body));
    upd.bind(3, now);
    upd.bind(4, user_id);
    upd.bind(5, std::string(scope));
    upd.bind(6, std::string(key));
    upd.exec();
    if (db.changes() != 1) {
      // Only if the reservation was taken over as stale meanwhile; keep the newer owner's row.
      return Error::conflict("idempotency reservation no longer held", kInProgress);
    }
    return Status::ok();
  });
}

Status Idempotency::release(std::int64_t user_id, std::string_view scope, std::string_view key) {
  SHOP_TRY(validate_key(key));
  SHOP_TRY(validate_scope(scope));
  return ctx_.store->write([&](store::Db& db) -> Status {
    // Only a reservation: a completed response is never dropped by a later request's failure.
    auto& del = db.stmt(
        "DELETE FROM idempotency_keys WHERE user_id = ? AND scope = ? AND key = ? "
        "AND status_code = 0");
    del.bind(1, user_id);
    del.bind(2, std::string(scope));
    del.bind(3, std::string(key));
    del.exec();
    return Status::ok();
  });
}

Result<std::int64_t> Idempotency::purge_expired() {
  const Micros now = ctx_.now();
  return ctx_.store->write([&](store::Db& db) -> Result<std::int64_t> {
    auto& del = db.stmt(
        "DELETE FROM idempotency_keys WHERE created_at <= ? "
        "AND (status_code = 0 OR created_at <= ?)");
    static_assert(kStaleReservation <= kRetention);  // so the first bound is the wider one
    del.bind(1, now - kStaleReservation);
    del.bind(2, now - kRetention);
    del.exec();
    return static_cast<std::int64_t>(db.changes());
  });
}

}  // namespace shop
