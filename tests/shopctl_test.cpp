// shopctl_test.cpp — every shopctl command end to end (the real binary on a temporary database):
// effects, idempotence, verify catching planted corruption, bad input, beside a running shopd.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.h"

using shoptest::CommandResult;
using shoptest::json;
using shoptest::run_shopctl;

namespace {

const std::vector<std::string> kCommands = {
    "migrate",       "create-test-data", "create-load-test-users",
    "expire-points", "notify-expiring",  "cleanup-old-carts",
    "adjust-points", "set-tier",         "stats",
    "verify",        "restock"};

std::int64_t scalar(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db, sql);
  REQUIRE(q.executeStep());
  return q.getColumn(0).getInt64();
}

void raw_sql(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec(sql);
}

json run_json(const std::vector<std::string>& args) {
  std::vector<std::string> all = args;
  all.push_back("--json");
  CommandResult r = run_shopctl(all);
  INFO("shopctl stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

// "@<unix seconds>" for --now, `days` from the wall clock.
std::string now_plus_days(int days) {
  return "@" + std::to_string(static_cast<long long>(std::time(nullptr)) +
                              static_cast<long long>(days) * 86400);
}

void expect_failure(const CommandResult& r, const std::string& in_stderr) {
  CHECK(r.exit_code != 0);
  CHECK_MESSAGE(r.err.find(in_stderr) != std::string::npos, r.err);
}

}  // namespace

TEST_SUITE("shopctl") {
  TEST_CASE("every command has --help, and the reference's snake_case names work") {
    auto top = run_shopctl({"--help"});
    CHECK(top.exit_code == 0);
    for (const auto& cmd : kCommands) {
      CAPTURE(cmd);
      CHECK(top.out.find(cmd) != std::string::npos);
      auto help = run_shopctl({cmd, "--help"});
      CHECK(help.exit_code == 0);
      CHECK(help.out.find("--help") != std::string::npos);
      std::string snake = cmd;
      for (char& c : snake) c = c == '-' ? '_' : c;
      CHECK(run_shopctl({snake, "--help"}).exit_code == 0);
    }
    CHECK(run_shopctl({"no-such-command"}).exit_code != 0);
    CHECK(run_shopctl({}).exit_code != 0);
  }

  TEST_CASE("commands other than migrate and create-* refuse a missing database") {
    shoptest::TempDir dir;
    const std::string db = dir.file("missing.db");
    const std::vector<std::vector<std::string>> cmds = {
        {"stats"},
        {"verify"},
        {"expire-points"},
        {"notify-expiring"},
        {"cleanup-old-carts"},
        {"set-tier", "--user", "x", "--tier", "gold"},
        {"adjust-points", "--user", "x", "--amount", "100", "--reason", "r"}};
    for (auto args : cmds) {
      CAPTURE(args[0]);
      args.insert(args.begin(), {"--db", db});
      expect_failure(run_shopctl(args), "does not exist");
    }
    CHECK_FALSE(std::filesystem::exists(db));
    CHECK(run_shopctl({"--db", db, "migrate"}).exit_code == 0);
    CHECK(std::filesystem::exists(db));
    CHECK(run_shopctl({"--db", db, "verify"}).exit_code == 0);
  }

  TEST_CASE("an unwritable or unusable database path is a clear error") {
    shoptest::TempDir dir;
    expect_failure(
        run_shopctl({"--db", "/proc/shopctl-test/x.db", "create-load-test-users", "--count", "1"}),
        "shopctl:");
    expect_failure(run_shopctl({"--db", dir.path(), "create-load-test-users", "--count", "1"}),
                   "is a directory");
    const std::string junk = dir.file("junk.db");
    {
      std::FILE* f = std::fopen(junk.c_str(), "w");
      REQUIRE(f != nullptr);
      std::fputs("this is not a database, just text that is long enough to look like one....", f);
      std::fclose(f);
    }
    expect_failure(run_shopctl({"--db", junk, "stats"}), "shopctl:");
  }

  TEST_CASE("create-test-data: presets, unknown preset, --show-presets, clear and verify") {
    shoptest::TempDir dir;
    const std::string db = dir.file("shop.db");
    auto bad = run_shopctl({"--db", db, "create-test-data", "--preset", "huge"});
    expect_failure(bad, "minimal, basic, full");
    CHECK_FALSE(std::filesystem::exists(db));
    auto shown = run_shopctl({"create-test-data", "--show-presets"});
    CHECK(shown.exit_code == 0);
    CHECK(shown.out.find("full") != std::string::npos);
    CHECK(run_shopctl({"--db", db, "create-test-data", "--users", "0"}).exit_code != 0);

    json made = run_json({"--db", db, "create-test-data", "--preset", "minimal", "--seed", "3"});
    CHECK(made["products"] == 8);
    CHECK(made["users"] == 3);
    CHECK(made["seed"] == 3);
    CHECK(made["orders"] == 1);
    auto verified = run_shopctl({"--db", db, "verify"});
    CHECK(verified.exit_code == 0);
    CHECK(verified.out.find("ok: 3 users, 8 products, 1 orders") != std::string::npos);

    // A second run without --clear is refused and changes nothing; with --clear it replaces.
    expect_failure(run_shopctl({"--db", db, "create_test_data", "--preset", "minimal"}), "--clear");
    CHECK(scalar(db, "SELECT COUNT(*) FROM products") == 8);
    json again =
        run_json({"--db", db, "create-test-data", "--preset", "basic", "--clear", "--seed", "3"});
    CHECK(again["cleared"]["products"] == 8);
    CHECK(again["products"] == 48);
    CHECK(run_shopctl({"--db", db, "verify", "--strict"}).exit_code == 0);

    // The preset flag beats $TEST_DATA_PRESET is CLI11's envname semantics; text output names it.
    auto text = run_shopctl({"--db", db, "create-test-data", "--preset", "minimal", "--clear"});
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("preset minimal") != std::string::npos);
  }

  TEST_CASE("restock: one product or all, bookkeeping stays exact, bad input refused") {
    shoptest::TempDir dir;
    const std::string db = dir.file("shop.db");
    run_json({"--db", db, "create-test-data", "--preset", "minimal", "--seed", "1"});
    const std::int64_t before = scalar(db, "SELECT SUM(stock) FROM products");
    const std::int64_t first = scalar(db, "SELECT MIN(id) FROM products");
    json one = run_json({"--db", db, "restock", "--product", std::to_string(first), "--amount", "5"});
    CHECK(one["products"] == 1);
    json all = run_json({"--db", db, "restock", "--all", "--amount", "100"});
    CHECK(all["products"] == 8);
    CHECK(scalar(db, "SELECT SUM(stock) FROM products") == before + 5 + 800);
    CHECK(run_shopctl({"--db", db, "verify", "--strict"}).exit_code == 0);
    // Unknown product, nothing to select, below zero: refused, stock unchanged.
    CHECK(run_shopctl({"--db", db, "restock", "--product", "999999", "--amount", "1"}).exit_code != 0);
    CHECK(run_shopctl({"--db", db, "restock", "--amount", "1"}).exit_code != 0);
    CHECK(run_shopctl({"--db", db, "restock", "--product", std::to_string(first), "--amount",
                       "-100000000"})
              .exit_code != 0);
    CHECK(scalar(db, "SELECT SUM(stock) FROM products") == before + 805);
  }

  TEST_CASE("create-load-test-users: creates, skips existing, rejects bad counts") {
    shoptest::TempDir dir;
    const std::string db = dir.file("load.db");
    for (const auto& bad : std::vector<std::vector<std::string>>{{"--count", "-5"},
                                                                 {"--count", "0"},
                                                                 {"--count", "abc"},
                                                                 {"--count", "99999999"},
                                                                 {"--points", "-1"}}) {
      CAPTURE(bad[0] + " " + bad[1]);
      std::vector<std::string> args = {"--db", db, "create-load-test-users"};
      args.insert(args.end(), bad.begin(), bad.end());
      CHECK(run_shopctl(args).exit_code != 0);
    }
    CHECK_FALSE(std::filesystem::exists(db));

    auto first =
        run_shopctl({"--db", db, "create-load-test-users", "--count", "25", "--points", "50000"});
    CHECK(first.exit_code == 0);
    CHECK(first.out.find("created 25") != std::string::npos);
    CHECK(first.out.find("shop_loadgen") != std::string::npos);  // how to run the load test
    CHECK(first.out.find("locust") != std::string::npos);
    json second = run_json({"--db", db, "create_load_test_users", "--count", "25"});
    CHECK(second["created"] == 0);
    CHECK(second["skipped"] == 25);
    CHECK(scalar(db, "SELECT COUNT(*) FROM users") == 25);
    CHECK(scalar(db, "SELECT SUM(points) FROM users") == 25 * 50000);
    json cleared = run_json({"--db", db, "create-load-test-users", "--count", "3", "--clear"});
    CHECK(cleared["cleared"] == 25);
    CHECK(cleared["created"] == 3);
    CHECK(run_shopctl({"--db", db, "verify", "--strict"}).exit_code == 0);
  }

  TEST_CASE("verify reports planted corruption with ids and exits 1") {
    shoptest::TempDir dir;
    const std::string db = dir.file("bad.db");
    REQUIRE(run_shopctl({"--db", db, "create-test-data", "--preset", "minimal"}).exit_code == 0);
    REQUIRE(run_shopctl({"--db", db, "verify"}).exit_code == 0);
    const std::int64_t product = scalar(db, "SELECT MIN(id) FROM products");
    raw_sql(db, "PRAGMA ignore_check_constraints=ON; UPDATE products SET stock = -1 WHERE id = " +
                    std::to_string(product));
    raw_sql(db, "UPDATE users SET points = points + 7 WHERE username = 'test_user1'");
    const std::int64_t uid = scalar(db, "SELECT id FROM users WHERE username = 'test_user2'");
    raw_sql(db,
            "INSERT INTO orders(user_id, status, total_amount, shipping_fee, "
            "additional_shipping_fee, is_free_shipping, final_amount, shipping_name, "
            "shipping_phone, shipping_postal_code, shipping_address, created_at, updated_at) "
            "VALUES (" +
                std::to_string(uid) +
                ", 'confirmed', 0, 0, 0, 1, 0, 'x', '010-0000-0000', '06236', 'addr', 1, 1)");
    const std::int64_t order = scalar(db, "SELECT MAX(id) FROM orders");

    auto text = run_shopctl({"--db", db, "verify"});
    CHECK(text.exit_code == 1);
    CHECK(text.out.find("product " + std::to_string(product) + ": stock -1") != std::string::npos);
    CHECK(text.out.find("order " + std::to_string(order) + " (confirmed) has no items") !=
          std::string::npos);
    CHECK(text.out.find("user points != sum of entries") != std::string::npos);
    CHECK(text.out.find("FAILED") != std::string::npos);

    auto as_json = run_shopctl({"--db", db, "verify", "--json"});
    CHECK(as_json.exit_code == 1);
    json j = json::parse(as_json.out, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["ok"] == false);
    bool product_listed = false, order_listed = false;
    for (const auto& v : j["violations"]) {
      if (v["check"] == "product.stock_negative")
        product_listed = v["ids"]["product_id"] == product;
      if (v["check"] == "order.no_items") order_listed = v["ids"]["order_id"] == order;
    }
    CHECK(product_listed);
    CHECK(order_listed);
  }

  TEST_CASE("stats --json") {
    shoptest::TempDir dir;
    const std::string db = dir.file("s.db");
    REQUIRE(run_shopctl({"--db", db, "create-test-data", "--preset", "minimal"}).exit_code == 0);
    json s = run_json({"--db", db, "stats"});
    CHECK(s["orders"]["total"] == 1);
    CHECK(s["orders"]["pending"] == 0);
    CHECK(s["products"]["total"] == 8);
    CHECK(s["users"] == 3);
    CHECK(s["points"]["outstanding"] == scalar(db, "SELECT SUM(points) FROM users"));
    auto text = run_shopctl({"--db", db, "stats"});
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("orders:") != std::string::npos);
  }

  TEST_CASE("set-tier and adjust-points by username or id; unknown users and bad values fail") {
    shoptest::TempDir dir;
    const std::string db = dir.file("u.db");
    REQUIRE(run_shopctl({"--db", db, "create-load-test-users", "--count", "2", "--points", "1000"})
                .exit_code == 0);
    const std::int64_t uid = scalar(db, "SELECT id FROM users WHERE username = 'load_test_user_1'");

    json tier = run_json({"--db", db, "set-tier", "--user", "load_test_user_0", "--tier", "vip"});
    CHECK(tier["previous_tier"] == "bronze");
    CHECK(tier["tier"] == "vip");
    CHECK(run_shopctl({"--db", db, "set_tier", "--user", std::to_string(uid), "--tier", "gold"})
              .exit_code == 0);
    CHECK(scalar(db, "SELECT membership_level = 'gold' FROM users WHERE id = " +
                         std::to_string(uid)) == 1);
    expect_failure(run_shopctl({"--db", db, "set-tier", "--user", "ghost", "--tier", "vip"}),
                   "ghost");
    expect_failure(
        run_shopctl({"--db", db, "set-tier", "--user", "load_test_user_0", "--tier", "platinum"}),
        "bronze, silver, gold, vip");

    json added = run_json({"--db", db, "adjust-points", "--user", "load_test_user_0", "--amount",
                           "500", "--reason", "goodwill"});
    CHECK(added["type"] == "admin_add");
    CHECK(added["balance"] == 1500);
    json taken = run_json({"--db", db, "adjust_points", "--user", std::to_string(uid), "--amount",
                           "-300", "--reason", "correction"});
    CHECK(taken["type"] == "admin_deduct");
    CHECK(taken["balance"] == 700);
    // More than the balance: refused, nothing changes.
    CHECK(run_shopctl({"--db", db, "adjust-points", "--user", std::to_string(uid), "--amount",
                       "-5000", "--reason", "too much"})
              .exit_code != 0);
    CHECK(scalar(db, "SELECT points FROM users WHERE id = " + std::to_string(uid)) == 700);
    expect_failure(run_shopctl({"--db", db, "adjust-points", "--user", "ghost", "--amount", "5",
                                "--reason", "r"}),
                   "ghost");
    CHECK(run_shopctl({"--db", db, "adjust-points", "--user", "load_test_user_0", "--amount", "0",
                       "--reason", "r"})
              .exit_code != 0);
    CHECK(run_shopctl({"--db", db, "adjust-points", "--user", "load_test_user_0", "--amount",
                       "99999999999999", "--reason", "r"})
              .exit_code != 0);
    CHECK(run_shopctl({"--db", db, "adjust-points", "--user", "load_test_user_0", "--amount", "10"})
              .exit_code != 0);  // --reason is required
    CHECK(scalar(db,
                 "SELECT COUNT(*) FROM point_entries WHERE type IN ('admin_add', "
                 "'admin_deduct')") == 2);
    CHECK(run_shopctl({"--db", db, "verify", "--strict"}).exit_code == 0);
  }

  TEST_CASE("notify-expiring and expire-points run the ledger's jobs at --now") {
    shoptest::TempDir dir;
    const std::string db = dir.file("e.db");
    REQUIRE(run_shopctl({"--db", db, "create-load-test-users", "--count", "3", "--points", "2000"})
                .exit_code == 0);
    expect_failure(run_shopctl({"--db", db, "expire-points", "--now", "yesterday"}), "--now");
    expect_failure(run_shopctl({"--db", db, "notify-expiring", "--now", "2025-02-30"}), "--now");

    // Nothing is due today.
    json none = run_json({"--db", db, "expire-points"});
    CHECK(none["points_expired"] == 0);
    // Five days before the lots expire: one notice per user, once.
    json noticed = run_json({"--db", db, "notify-expiring", "--now", now_plus_days(360)});
    CHECK(noticed["users_notified"] == 3);
    json again = run_json({"--db", db, "notify-expiring", "--now", now_plus_days(361)});
    CHECK(again["users_notified"] == 0);
    // After expiry: every remainder expires, once.
    json expired = run_json({"--db", db, "expire-points", "--now", now_plus_days(400)});
    CHECK(expired["points_expired"] == 3 * 2000);
    CHECK(expired["lots_expired"] == 3);
    json twice = run_json({"--db", db, "expire_points", "--now", now_plus_days(400)});
    CHECK(twice["points_expired"] == 0);
    CHECK(scalar(db, "SELECT SUM(points) FROM users") == 0);
    CHECK(run_shopctl({"--db", db, "verify", "--strict"}).exit_code == 0);
  }

  TEST_CASE("cleanup-old-carts") {
    shoptest::TempDir dir;
    const std::string db = dir.file("c.db");
    REQUIRE(run_shopctl({"--db", db, "migrate"}).exit_code == 0);
    raw_sql(db,
            "INSERT INTO carts(session_key, is_active, created_at, updated_at) VALUES "
            "('old', 1, 1, 1), ('gone', 0, 1, 1)");
    json dry = run_json({"--db", db, "cleanup-old-carts", "--dry-run"});
    CHECK(dry["dry_run"] == true);
    CHECK(dry["anonymous_stale"] == 1);
    CHECK(dry["anonymous_inactive"] == 1);
    CHECK(scalar(db, "SELECT COUNT(*) FROM carts") == 2);
    json done = run_json({"--db", db, "cleanup_old_carts", "--anonymous-days", "7"});
    CHECK(done["anonymous_stale"] == 1);
    CHECK(scalar(db, "SELECT COUNT(*) FROM carts") == 0);
    CHECK(run_shopctl({"--db", db, "cleanup-old-carts", "--anonymous-days", "-1"}).exit_code != 0);
  }

  TEST_CASE("shopctl works on the database of a running shopd") {
    shoptest::TempDir dir;
    const std::string db = dir.file("live.db");
    REQUIRE(run_shopctl({"--db", db, "create-test-data", "--preset", "minimal"}).exit_code == 0);
    shoptest::ShopdProcess srv(db);
    auto client = srv.client();
    // While shopd serves: create users, adjust points, read stats, verify.
    json made =
        run_json({"--db", db, "create-load-test-users", "--count", "20", "--points", "5000"});
    CHECK(made["created"] == 20);
    auto login = shoptest::http(*client, "POST", "/api/auth/login/",
                                {{"username", "load_test_user_7"}, {"password", "testpass123"}});
    CHECK_MESSAGE(login.status == 200, login.raw);
    CHECK(run_shopctl({"--db", db, "adjust-points", "--user", "load_test_user_7", "--amount", "100",
                       "--reason", "live"})
              .exit_code == 0);
    auto products = shoptest::http(*client, "GET", "/api/products/?page_size=1");
    CHECK(products.status == 200);
    json s = run_json({"--db", db, "stats"});
    CHECK(s["users"] == 23);
    auto verified = run_shopctl({"--db", db, "verify"});
    CHECK_MESSAGE(verified.exit_code == 0, verified.out);
    srv.stop();
    CHECK(run_shopctl({"--db", db, "verify", "--strict"}).exit_code == 0);
  }
}
