// shop/admin.h — operator functions: test data, load-test users, stats, invariant verification,
// tiers and cart cleanup (what `shopctl` and `shopd --demo-data` call).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"
#include "shop/testdata.h"

namespace shop {
namespace detail {
struct EngineContext;
}

// `shopctl stats`.
struct ShopStats {
  std::map<std::string, std::int64_t> orders_by_status;
  std::int64_t orders = 0;
  std::int64_t orders_pending = 0;  // accepted, not processed yet (queued or awaiting a restart)
  std::int64_t products = 0, products_in_stock = 0, products_out_of_stock = 0;
  std::int64_t users = 0;
  std::int64_t points_outstanding = 0;  // sum of balances
  std::int64_t open_lots = 0;           // lots with points left, not expired
  std::int64_t open_lot_points = 0;     // points left in them
  std::int64_t ledger_entries = 0;
};

// One broken invariant, with the ids it is about (e.g. {"user_id": 7, "entry_id": 91}).
struct Violation {
  std::string check;  // stable name, e.g. "user.points_vs_entries"
  std::string message;
  std::map<std::string, std::int64_t> ids;
};

struct VerifyOptions {
  bool strict = false;  // pending orders are violations (use once the queue is known drained)
};

struct VerifyReport {
  std::int64_t users = 0, products = 0, orders = 0, entries = 0;  // rows checked
  std::vector<Violation> violations;
  std::vector<Violation> warnings;  // pending orders (normal while shopd runs), unless strict
  bool ok() const { return violations.empty(); }
};

struct CartCleanupOptions {
  int anonymous_days = 7;  // active anonymous carts not updated for this many days
  int inactive_days = 90;  // inactive member carts not updated for this many days
  bool dry_run = false;
};

struct CartCleanupReport {
  std::int64_t anonymous_stale = 0;     // active anonymous carts, idle too long
  std::int64_t anonymous_inactive = 0;  // inactive anonymous carts (all of them)
  std::int64_t member_inactive = 0;     // inactive member carts, idle too long
  std::int64_t items = 0;               // cart lines that went with them
  bool dry_run = false;
};

struct UserRef {
  std::int64_t id = 0;
  std::string username;
  std::string tier;
  std::int64_t points = 0;
};

class Admin {
 public:
  explicit Admin(detail::EngineContext& ctx);
  ~Admin();

  // Fills an empty database (no products) with the named test-data preset; a no-op otherwise.
  // Returns true when it seeded. Uses a fixed seed, so every demo database looks the same.
  Result<bool> seed_demo_data_if_empty(const std::string& preset);

  // create-test-data (see shop/testdata.h). Errors: unknown preset / bad counts (invalid),
  // test data already present without clear_first, or a test account name taken (conflict).
  Result<testdata::Report> create_test_data(const testdata::Options& options);
  // Removes everything create-test-data made (origin 'testdata').
  Result<testdata::ClearReport> clear_test_data();

  // create-load-test-users (see shop/testdata.h).
  Result<testdata::LoadTestUsersReport> create_load_test_users(
      const testdata::LoadTestUsersOptions& options);

  Result<ShopStats> stats();

  // Checks every invariant of DESIGN.md §5 over the whole database, in one read snapshot.
  Result<VerifyReport> verify(const VerifyOptions& options = {});

  // A user by username or by numeric id. Errors: not found.
  Result<UserRef> find_user(const std::string& username_or_id);

  // Sets membership_level (bronze, silver, gold, vip). Errors: unknown tier (invalid), not found.
  Result<UserRef> set_tier(std::int64_t user_id, const std::string& tier);

  // cleanup-old-carts (reference semantics, contract §4).
  Result<CartCleanupReport> cleanup_old_carts(const CartCleanupOptions& options);

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
