// admin/admin.cpp — operator functions: test data entry points, user lookup, tiers, cart cleanup.
// Stats and verify live in stats.cpp and verify.cpp.
#include "shop/admin.h"

#include <algorithm>

#include "engine_context.h"
#include "testdata/generator.h"

namespace shop {

namespace {

constexpr int kMaxDays = 36500;
// The demo database is the same everywhere (README examples, screenshots): a fixed seed.
constexpr std::uint64_t kDemoSeed = 20240101;

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Admin::Admin(detail::EngineContext& ctx) : ctx_(ctx) {}
Admin::~Admin() = default;

Result<bool> Admin::seed_demo_data_if_empty(const std::string& preset) {
  if (!testdata::find_preset(preset)) {
    return Error::invalid(
        "unknown demo preset '" + preset + "' (valid: " + testdata::preset_names() + ")", "preset");
  }
  auto products = ctx_.store->read([](store::Db& db) -> Result<std::int64_t> {
    return db.scalar_int("SELECT COUNT(*) FROM products");
  });
  if (!products) return products.error();
  if (*products > 0) return false;
  testdata::Options o;
  o.preset = preset;
  o.seed = kDemoSeed;
  auto made = testdata::create(ctx_, o);
  if (!made) return made.error();
  return true;
}

Result<testdata::Report> Admin::create_test_data(const testdata::Options& options) {
  return testdata::create(ctx_, options);
}

Result<testdata::ClearReport> Admin::clear_test_data() {
  return ctx_.store->write(
      [](store::Db& db) { return testdata::clear_origin(db, testdata::kOrigin); });
}

Result<testdata::LoadTestUsersReport> Admin::create_load_test_users(
    const testdata::LoadTestUsersOptions& options) {
  return testdata::create_load_test_users(ctx_, options);
}

Result<UserRef> Admin::find_user(const std::string& username_or_id) {
  return ctx_.store->read([&](store::Db& db) -> Result<UserRef> {
    // A username may itself be all digits: the name wins over the id.
    auto& by_name =
        db.stmt("SELECT id, username, membership_level, points FROM users WHERE username = ?");
    by_name.bind(1, username_or_id);
    SQLite::Statement* found = nullptr;
    if (by_name.executeStep()) {
      found = &by_name;
    } else if (all_digits(username_or_id)) {
      auto& by_id =
          db.stmt("SELECT id, username, membership_level, points FROM users WHERE id = ?");
      by_id.bind(1, static_cast<std::int64_t>(std::stoll(username_or_id)));
      if (by_id.executeStep()) found = &by_id;
    }
    if (!found) return Error::not_found("no user '" + username_or_id + "' (username or id)");
    return UserRef{found->getColumn(0).getInt64(), found->getColumn(1).getString(),
                   found->getColumn(2).getString(), found->getColumn(3).getInt64()};
  });
}

Result<UserRef> Admin::set_tier(std::int64_t user_id, const std::string& tier) {
  if (tier != "bronze" && tier != "silver" && tier != "gold" && tier != "vip") {
    return Error::invalid("unknown tier '" + tier + "' (valid: bronze, silver, gold, vip)", "tier");
  }
  return ctx_.store->write([&](store::Db& db) -> Result<UserRef> {
    auto& q = db.stmt(
        "UPDATE users SET membership_level = ? WHERE id = ? "
        "RETURNING id, username, membership_level, points");
    q.bind(1, tier);
    q.bind(2, user_id);
    if (!q.executeStep()) return Error::not_found("no user with id " + std::to_string(user_id));
    UserRef r{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
              q.getColumn(3).getInt64()};
    q.reset();
    return r;
  });
}

Result<CartCleanupReport> Admin::cleanup_old_carts(const CartCleanupOptions& o) {
  if (o.anonymous_days < 0 || o.anonymous_days > kMaxDays || o.inactive_days < 0 ||
      o.inactive_days > kMaxDays) {
    return Error::invalid("days must be between 0 and " + std::to_string(kMaxDays));
  }
  const Micros now = ctx_.now();
  const Micros anon_cutoff = now - o.anonymous_days * kMicrosPerDay;
  const Micros member_cutoff = now - o.inactive_days * kMicrosPerDay;
  // The three groups of the reference's cleanup_old_carts, disjoint.
  const std::string anon_stale = "user_id IS NULL AND is_active = 1 AND updated_at < :anon";
  const std::string anon_inactive = "user_id IS NULL AND is_active = 0";
  const std::string member_inactive =
      "user_id IS NOT NULL AND is_active = 0 AND updated_at < :member";
  auto run = [&](store::Db& db) -> Result<CartCleanupReport> {
    CartCleanupReport r;
    r.dry_run = o.dry_run;
    auto count = [&](const std::string& where) {
      auto& q = db.stmt("SELECT COUNT(*) FROM carts WHERE " + where);
      if (where.find(":anon") != std::string::npos) q.bind(":anon", anon_cutoff);
      if (where.find(":member") != std::string::npos) q.bind(":member", member_cutoff);
      q.executeStep();
      return q.getColumn(0).getInt64();
    };
    const std::string all =
        "(" + anon_stale + ") OR (" + anon_inactive + ") OR (" + member_inactive + ")";
    r.anonymous_stale = count(anon_stale);
    r.anonymous_inactive = count(anon_inactive);
    r.member_inactive = count(member_inactive);
    {
      auto& q = db.stmt(
          "SELECT COUNT(*) FROM cart_items WHERE cart_id IN (SELECT id FROM carts "
          "WHERE " +
          all + ")");
      q.bind(":anon", anon_cutoff);
      q.bind(":member", member_cutoff);
      q.executeStep();
      r.items = q.getColumn(0).getInt64();
    }
    if (!o.dry_run) {
      auto& del = db.stmt("DELETE FROM carts WHERE " + all);  // lines cascade
      del.bind(":anon", anon_cutoff);
      del.bind(":member", member_cutoff);
      del.exec();
    }
    return r;
  };
  if (o.dry_run) return ctx_.store->read(run);
  return ctx_.store->write(run);
}

}  // namespace shop
