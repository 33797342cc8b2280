// shop/engine.h — the engine facade. An embedding program opens one Engine on a database file and
// reaches every domain module through it. Every operation returns Status / Result<T>.
//
//   auto engine = shop::Engine::open({.db_path = "shop.db"});
//   if (!engine) { ...engine.error().message... }
//   (*engine)->start();                         // order workers (+ scheduler if enabled)
//   auto page = (*engine)->catalog().list_products({...});
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {

class Auth;
class Catalog;
class Carts;
class Orders;
class Points;
class Payments;
class Admin;
namespace detail {
struct EngineContext;
}

enum class Durability {
  kNormal,  // WAL + synchronous=NORMAL: survives a killed process; an OS crash or power loss may
            // lose the last transactions (never corrupts). The default.
  kFull,    // synchronous=FULL: an fsync per commit; survives power loss, ~4x fewer commits/s.
};

struct EngineOptions {
  std::string db_path = "shop.db";
  const Clock* clock = nullptr;  // nullptr: the system clock. Must outlive the engine.
  int read_connections = 4;
  Durability durability = Durability::kNormal;
  // Rendering zone for times (contract: Asia/Seoul, +09:00). Fixed offset: Seoul has no DST.
  std::string time_zone = "Asia/Seoul";
  int utc_offset_minutes = 9 * 60;
  int password_iterations = 600000;  // PBKDF2 cost for new real accounts (stored in each hash)
  int max_concurrent_password_checks = 2;  // KDF admission: logins must not starve other requests
  // Per client address (IPv4 address, IPv6 /64; see Auth::login): a budget of failed logins, a
  // token bucket of `failed_login_burst` that refills `failed_login_refill_per_minute` a minute
  // (0 burst: no budget), and at most `password_checks_per_address` of the KDF gate's slots and
  // waiting places (0: no per-address share). Beyond either: kRateLimited (429 + Retry-After).
  // Successful logins take nothing from the budget, so load tests that log many users in from
  // one address with correct passwords are never refused. At most `login_limiter_addresses`
  // addresses are tracked (least recently used evicted first).
  int failed_login_burst = 10;
  int failed_login_refill_per_minute = 4;
  int password_checks_per_address = 2;
  std::size_t login_limiter_addresses = 10'000;
  std::string jwt_secret;  // empty: $SHOP_JWT_SECRET, else generated once and stored in the db
  std::size_t order_queue_capacity = 10000;
  int order_workers = 2;   // 0: intake only (orders stay pending, recovered on the next start)
  bool require_verified_email_for_orders = false;
  bool run_scheduler = false;  // daily point expiry (02:00) and notices (10:00) in the zone
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Re-enqueues every pending order, starts the order workers and (if enabled) the scheduler.
  Status start();
  // Stops intake, lets workers finish the order in hand, stops the scheduler. Idempotent.
  void stop();

  Auth& auth();
  Catalog& catalog();
  Carts& carts();
  Orders& orders();
  Points& points();
  Payments& payments();
  Admin& admin();

  const Clock& clock() const;
  const EngineOptions& options() const;
  detail::EngineContext& context() { return *ctx_; }

 private:
  Engine() = default;
  std::unique_ptr<detail::EngineContext> ctx_;
};

}  // namespace shop
