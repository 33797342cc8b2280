// testdata/load_test_users.cpp — create-load-test-users (the reference's version crashes, D24).
//
// load_test_user_<i> / load_test_<i>@example.com / "testpass123", e-mail verified, P points as one
// ledger lot expiring in a year; existing accounts are skipped. The password cost is the TEST-ONLY
// kLoadTestIterations (stored in each hash; DESIGN.md §7) so a login storm measures the shop.
// Hashing runs outside the write transactions; each batch of users is one transaction.
#include <unordered_set>

#include "auth/password.h"
#include "engine_context.h"
#include "points/ledger.h"
#include "testdata/generator.h"

namespace shop::testdata {

namespace {
constexpr int kBatch = 250;
constexpr std::int64_t kMaxPoints = 1'000'000'000;
}  // namespace

Result<LoadTestUsersReport> create_load_test_users(detail::EngineContext& ctx,
                                                   const LoadTestUsersOptions& o) {
  if (o.count < 0 || o.count > kMaxLoadTestUsers) {
    return Error::invalid("count must be between 0 and " + std::to_string(kMaxLoadTestUsers),
                          "count");
  }
  if (o.points < 0 || o.points > kMaxPoints) {
    return Error::invalid("points must be between 0 and " + std::to_string(kMaxPoints), "points");
  }
  if (o.start_index < 0 || o.start_index > kMaxLoadTestUsers) {
    return Error::invalid("start index out of range", "start_index");
  }
  LoadTestUsersReport report;
  if (o.clear_first) {
    auto cleared =
        ctx.store->write([&](store::Db& db) { return clear_origin(db, kLoadTestOrigin); });
    if (!cleared) return cleared.error();
    report.cleared = cleared->users;
  }

  // Who exists already (so their passwords are not hashed for nothing).
  auto existing = ctx.store->read([](store::Db& db) -> Result<std::unordered_set<std::string>> {
    std::unordered_set<std::string> names;
    auto& q = db.stmt(
        "SELECT username FROM users WHERE username LIKE 'load\\_test\\_user\\_%' "
        "ESCAPE '\\'");
    while (q.executeStep()) names.insert(q.getColumn(0).getString());
    return names;
  });
  if (!existing) return existing.error();

  for (int first = 0; first < o.count; first += kBatch) {
    const int last = std::min(o.count, first + kBatch);
    std::vector<std::pair<NewUser, std::string>> batch;  // account, password hash
    for (int k = first; k < last; ++k) {
      const std::string i = std::to_string(o.start_index + k);
      NewUser u;
      u.username = "load_test_user_" + i;
      if (existing->count(u.username)) {
        ++report.skipped;
        continue;
      }
      u.email = "load_test_" + i + "@example.com";
      u.first_name = "Load";
      u.last_name = "Test User " + i;
      u.password = kLoadTestPassword;
      u.skip_password_validation = true;
      u.is_email_verified = true;
      u.password_iterations = kLoadTestIterations;
      u.origin = kLoadTestOrigin;
      std::string hash = password::hash(kLoadTestPassword, kLoadTestIterations);
      batch.emplace_back(std::move(u), std::move(hash));
    }
    if (batch.empty()) continue;
    const Micros now = ctx.now();
    auto written = ctx.store->write([&](store::Db& db) -> Result<LoadTestUsersReport> {
      LoadTestUsersReport part;
      auto& exists = db.stmt("SELECT EXISTS(SELECT 1 FROM users WHERE username = ? OR email = ?)");
      for (const auto& [u, hash] : batch) {
        exists.reset();
        exists.bind(1, u.username);
        exists.bind(2, u.email);
        exists.executeStep();
        if (exists.getColumn(0).getInt() != 0) {  // made meanwhile, or the e-mail is taken
          ++part.skipped;
          continue;
        }
        auto id = insert_account(db, u, hash, false, now);
        if (!id) return id.error();
        ++part.created;
        if (o.points > 0) {
          auto g = ledger::grant(db, *id, "event", o.points, now + ledger::kLotLifetime,
                                 std::nullopt, "Load test points", now);
          if (!g) return g.error();
          part.points_granted += o.points;
        }
      }
      return part;
    });
    if (!written) return written.error();
    report.created += written->created;
    report.skipped += written->skipped;
    report.points_granted += written->points_granted;
  }
  return report;
}

}  // namespace shop::testdata
