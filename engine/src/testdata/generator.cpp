// testdata/generator.cpp — create-test-data presets and the origin-based clear.
//
// Phases: (1) hash the demo passwords outside any transaction (PBKDF2 is slow; the writer must not
// wait for it), (2) one write transaction for categories, products, users and their points (ledger
// lots, never written balances), (3) sample orders and carts through the real modules
// (testdata/sample_orders.cpp). Each row carries origin 'testdata' from its INSERT on (rows made by
// the modules in phase 3 are tagged in the same transaction that creates them or right after).
#include "testdata/generator.h"

#include <algorithm>

#include "auth/password.h"
#include "auth/users_db.h"
#include "catalog/catalog_db.h"
#include "engine_context.h"
#include "points/ledger.h"
#include "testdata/catalogue.h"
#include "testdata/sample_orders.h"

namespace shop::testdata {

namespace {

constexpr int kMaxUsers = 1000;
constexpr std::int64_t kMaxInitialPoints = 50'000;

const char* const kFamilyNames[] = {"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"};
const char* const kGivenNames[] = {"민준", "서연", "도윤", "지우", "하준", "서윤", "시우", "하은",
                                   "주원", "지민", "예준", "수아", "지호", "채원", "준서", "지유"};
const char* const kDistricts[] = {"강남구 테헤란로", "마포구 월드컵북로", "송파구 올림픽로",
                                  "종로구 세종대로", "성동구 왕십리로",   "영등포구 여의대로"};
const char* const kTiers[] = {"bronze", "silver", "gold", "vip"};

template <size_t N>
const char* pick(Random& rnd, const char* const (&items)[N]) {
  return items[rnd.range(0, static_cast<std::int64_t>(N) - 1)];
}

// `base`, or `base-2`, `base-3`, ... whichever is not yet used in table.column.
std::string unused_value(store::Db& db, const std::string& table, const std::string& column,
                         const std::string& base, const std::string& sep = "-") {
  auto& q = db.stmt("SELECT EXISTS(SELECT 1 FROM " + table + " WHERE " + column + " = ?)");
  std::string candidate = base;
  for (int n = 2;; ++n) {
    q.reset();
    q.bind(1, candidate);
    q.executeStep();
    if (q.getColumn(0).getInt() == 0) return candidate;
    candidate = base + sep + std::to_string(n);
  }
}

bool user_exists(store::Db& db, const std::string& username, const std::string& email) {
  auto& q = db.stmt("SELECT EXISTS(SELECT 1 FROM users WHERE username = ? OR email = ?)");
  q.bind(1, username);
  q.bind(2, email);
  q.executeStep();
  return q.getColumn(0).getInt() != 0;
}

struct PlannedUser {
  NewUser row;
  std::string password_hash;
  std::int64_t initial_points = 0;
};

}  // namespace

Result<std::int64_t> insert_account(store::Db& db, const NewUser& user,
                                    const std::string& password_hash, bool is_superuser,
                                    Micros now) {
  if (password_hash.empty()) return Error::internal("password hashing failed");
  SHOP_TRY(auth::validate_new_user(user));
  auto id = auth::insert_user(db, user, password_hash, now);
  if (!id) return id.error();
  if (is_superuser) {
    auto& q = db.stmt("UPDATE users SET is_superuser = 1 WHERE id = ?");
    q.bind(1, *id);
    q.exec();
  }
  return id;
}

Result<ClearReport> clear_origin(store::Db& db, const std::string& origin) {
  ClearReport r;
  auto count = [&](const std::string& sql) {
    auto& q = db.stmt(sql);
    q.bind(1, origin);
    q.executeStep();
    return q.getColumn(0).getInt64();
  };
  auto run = [&](const std::string& sql) {
    auto& q = db.stmt(sql);
    q.bind(1, origin);
    q.exec();
    return static_cast<std::int64_t>(db.changes());
  };
  // The orders that go: tagged ones, and every order of a tagged user (the user row goes, and an
  // order must have its user). Orders a test account placed itself (e.g. over HTTP) are counted.
  const std::string doomed_orders =
      "SELECT id FROM orders WHERE origin = ?1 OR user_id IN (SELECT id FROM users WHERE origin = "
      "?1)";
  r.foreign_orders = count(
      "SELECT COUNT(*) FROM orders WHERE (origin IS NULL OR origin <> ?1) AND user_id IN "
      "(SELECT id FROM users WHERE origin = ?1)");
  // Stock bookkeeping of products that stay: stock = initial + restocked - taken. Deleting an item
  // whose stock was taken removes it from "taken" while the goods stay sold, so fold the quantity
  // into initial_stock (stock itself does not change).
  run("UPDATE products SET initial_stock = initial_stock - (SELECT COALESCE(SUM(oi.quantity), 0) "
      "FROM order_items oi WHERE oi.product_id = products.id AND oi.stock_state = 1 AND "
      "oi.order_id IN (" +
      doomed_orders +
      ")) "
      "WHERE (origin IS NULL OR origin <> ?1) AND id IN (SELECT oi.product_id FROM order_items oi "
      "WHERE oi.stock_state = 1 AND oi.order_id IN (" +
      doomed_orders + "))");
  r.orders =
      run("DELETE FROM orders WHERE id IN (" + doomed_orders + ")");  // items, payments cascade
  r.carts = run(
      "DELETE FROM carts WHERE origin = ?1 OR user_id IN (SELECT id FROM users WHERE origin = ?1)");
  // Order items of orders that stay keep their snapshot (name, price); product_id becomes NULL.
  r.products = run("DELETE FROM products WHERE origin = ?1");
  r.users = run("DELETE FROM users WHERE origin = ?1");  // entries, tokens, notifications cascade
  // Categories: only those left with no products and no subcategories (a category someone else
  // filled stays; deleting a parent would cascade to foreign children). Leaves first.
  for (;;) {
    std::int64_t n =
        run("DELETE FROM categories WHERE origin = ?1 AND NOT EXISTS (SELECT 1 FROM products p "
            "WHERE p.category_id = categories.id) AND NOT EXISTS (SELECT 1 FROM categories c "
            "WHERE c.parent_id = categories.id)");
    if (n == 0) break;
    r.categories += n;
  }
  return r;
}

Result<Report> create(detail::EngineContext& ctx, const Options& options) {
  const Preset* preset = find_preset(options.preset);
  if (!preset) {
    return Error::invalid("unknown preset '" + options.preset + "' (valid: " + preset_names() + ")",
                          "preset");
  }
  const int user_count = options.users.value_or(preset->users);
  if (user_count < 1 || user_count > kMaxUsers) {
    return Error::invalid("users must be between 1 and " + std::to_string(kMaxUsers), "users");
  }
  auto cat = catalogue();
  if (!cat) return cat.error();
  const auto& categories = **cat;
  if (preset->top_categories > static_cast<int>(categories.size())) {
    return Error::internal("catalogue has fewer top categories than the preset needs");
  }

  Report report;
  report.preset = preset->name;
  report.seed = options.seed;
  Random rnd(options.seed);
  const Micros now = ctx.now();

  // Phase 1: plan the users and hash their passwords outside any transaction.
  const int iterations =
      std::max(1, std::min(kDemoPasswordIterations, ctx.options.password_iterations));
  std::vector<PlannedUser> users;
  for (int i = 1; i <= user_count; ++i) {
    PlannedUser p;
    NewUser& u = p.row;
    u.username = "test_user" + std::to_string(i);
    u.email = "test" + std::to_string(i) + "@example.com";
    u.password = kUserPassword;
    u.skip_password_validation = true;
    u.is_email_verified = true;
    p.password_hash = password::hash(kUserPassword, iterations);  // each with its own salt
    u.last_name = pick(rnd, kFamilyNames);
    u.first_name = pick(rnd, kGivenNames);
    u.phone_number = "010-" + std::to_string(rnd.range(1000, 9999)) + "-" +
                     std::to_string(rnd.range(1000, 9999));
    u.postal_code = "0" + std::to_string(rnd.range(1000, 8999));
    u.address = std::string("서울특별시 ") + pick(rnd, kDistricts) + " " +
                std::to_string(rnd.range(1, 400));
    u.membership_level = pick(rnd, kTiers);
    u.origin = kOrigin;
    p.initial_points = rnd.range(0, kMaxInitialPoints / 100) * 100;
    users.push_back(std::move(p));
  }
  NewUser admin;
  admin.username = "admin";
  admin.email = "admin@example.com";
  admin.password = kAdminPassword;
  admin.skip_password_validation = true;
  admin.is_email_verified = true;
  const std::string admin_hash = password::hash(kAdminPassword, iterations);
  admin.first_name = "Admin";
  admin.membership_level = "vip";
  admin.is_staff = true;
  admin.origin = kOrigin;

  // Phase 2: catalogue, users, points in one write transaction.
  SampleContext sample;
  auto made = ctx.store->write([&](store::Db& db) -> Status {
    if (options.clear_first) {
      auto cleared = clear_origin(db, kOrigin);
      if (!cleared) return cleared.error();
      report.cleared = *cleared;
    }
    auto& present = db.stmt(
        "SELECT (SELECT COUNT(*) FROM users WHERE origin = ?1) + (SELECT COUNT(*) FROM products "
        "WHERE origin = ?1) + (SELECT COUNT(*) FROM categories WHERE origin = ?1)");
    present.bind(1, kOrigin);
    present.executeStep();
    if (present.getColumn(0).getInt64() > 0) {
      return Error::conflict("test data is already present (run with --clear to replace it)",
                             "TEST_DATA_PRESENT");
    }

    for (auto& p : users) {
      if (user_exists(db, p.row.username, p.row.email)) {
        return Error::conflict("user '" + p.row.username + "' (or e-mail " + p.row.email +
                                   ") already exists and was not made by create-test-data",
                               "USER_EXISTS");
      }
      auto id = insert_account(db, p.row, p.password_hash, false, now);
      if (!id) return id.error();
      sample.user_ids.push_back(*id);
      sample.user_points.push_back(p.initial_points);
      if (p.initial_points > 0) {
        // Points as an expiring lot through the ledger: balance, running totals and the entry
        // move together, so verify holds from the first commit.
        auto g = ledger::grant(db, *id, "event", p.initial_points, now + ledger::kLotLifetime,
                               std::nullopt, "Welcome points (test data)", now);
        if (!g) return g.error();
        report.points_granted += p.initial_points;
      }
    }
    report.users = static_cast<std::int64_t>(users.size());
    if (user_exists(db, admin.username, admin.email)) {
      report.notes.push_back("user 'admin' already exists: left as it is");
    } else {
      auto id = insert_account(db, admin, admin_hash, true, now);
      if (!id) return id.error();
      ++report.users;
    }

    auto add_category = [&](const std::string& name, const std::string& slug,
                            const std::string& description,
                            std::optional<std::int64_t> parent) -> Result<std::int64_t> {
      NewCategory c;
      c.name = name;
      c.slug = unused_value(db, "categories", "slug", slug);
      c.description = description;
      c.parent_id = parent;
      c.origin = kOrigin;
      return catalog::insert_category(db, c, now);
    };
    const int per_sub = preset->per_category / 3;
    std::int64_t product_index = 0;
    for (int t = 0; t < preset->top_categories; ++t) {
      const auto& top = categories[t];
      auto top_id = add_category(top.name, top.slug, top.description, std::nullopt);
      if (!top_id) return top_id.error();
      ++report.top_categories;
      for (const auto& sub : top.subcategories) {
        auto sub_id = add_category(sub.name, sub.slug, "", *top_id);
        if (!sub_id) return sub_id.error();
        ++report.sub_categories;
        const int n = std::min(per_sub, static_cast<int>(sub.products.size()));
        for (int k = 0; k < n; ++k) {
          const auto& tpl = sub.products[k];
          NewProduct p;
          p.name = tpl.name;  // slug: from the name (the catalogue makes it unique)
          p.category_id = *sub_id;
          p.description = tpl.description;
          p.short_description = tpl.description;
          p.price = tpl.price;
          p.compare_price = tpl.compare_price;
          p.stock = rnd.range(15, 200);
          p.sku =
              unused_value(db, "products", "sku", sub.sku_base + "_" + std::to_string(k + 1), "_x");
          p.brand = tpl.brand;
          p.tags = tpl.tags;
          p.seller_id = sample.user_ids.front();  // the reference's seller: test_user1
          p.origin = kOrigin;
          // Newest first in listings follows the catalogue order.
          const Micros created = now - (1000 - product_index++) * kMicrosPerSecond;
          auto id = catalog::insert_product(db, p, created);
          if (!id) return id.error();
          sample.products.push_back({*id, p.price, p.stock});
          ++report.products;
        }
      }
    }
    return Status::ok();
  });
  if (!made.is_ok()) return made.error();
  if (options.reviews && preset->review_products > 0) {
    report.notes.push_back("reviews: shopd has no product reviews; none created");
  }

  // Phase 3: sample orders and carts through the real flow.
  auto sampled = create_sample_orders_and_carts(ctx, *preset, rnd, sample, report);
  if (!sampled.is_ok()) return sampled.error();
  return report;
}

}  // namespace shop::testdata
