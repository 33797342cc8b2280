#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/schema.h"
#include "store/store.h"
#include "support/test_support.h"

using shop::Error;
using shop::Result;
using shop::Status;
using shop::store::Db;
using shop::store::Store;
using shop::store::StoreOptions;

namespace {
std::unique_ptr<Store> open_store(const shoptest::TempDir& dir, int max_batch = 64) {
  StoreOptions o;
  o.path = dir.file("s.db");
  o.max_batch = max_batch;
  auto s = Store::open(o);
  REQUIRE(s.is_ok());
  return std::move(*s);
}
}  // namespace

TEST_SUITE("store") {
  TEST_CASE("open creates the schema at the latest version and reopening keeps it") {
    shoptest::TempDir dir;
    {
      auto s = open_store(dir);
      CHECK(s->schema_version() == shop::store::latest_schema_version());
    }
    auto s = open_store(dir);
    CHECK(s->schema_version() == shop::store::latest_schema_version());
    auto mode = s->read([](Db& db) -> Result<std::string> {
      auto& q = db.stmt("PRAGMA journal_mode");
      q.executeStep();
      return q.getColumn(0).getString();
    });
    REQUIRE(mode.is_ok());
    CHECK(*mode == "wal");
  }

  TEST_CASE("a database newer than the build is refused") {
    shoptest::TempDir dir;
    { auto s = open_store(dir); }
    {
      SQLite::Database raw(dir.file("s.db"), SQLite::OPEN_READWRITE);
      raw.exec("PRAGMA user_version=999");
    }
    StoreOptions o;
    o.path = dir.file("s.db");
    auto s = Store::open(o);
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.error().reason == "SCHEMA_TOO_NEW");
  }

  TEST_CASE("a failing write rolls back only itself") {
    shoptest::TempDir dir;
    auto s = open_store(dir);
    Status ok = s->write([](Db& db) -> Status {
      db.exec("INSERT INTO settings(key, value) VALUES ('a', '1')");
      return Status::ok();
    });
    CHECK(ok.is_ok());
    Status bad = s->write([](Db& db) -> Status {
      db.exec("INSERT INTO settings(key, value) VALUES ('b', '2')");
      return Error::invalid("no");
    });
    CHECK_FALSE(bad.is_ok());
    Status thrown = s->write([](Db& db) -> Status {
      db.exec("INSERT INTO settings(key, value) VALUES ('c', '3')");
      db.exec("INSERT INTO settings(key, value) VALUES ('a', 'dup')");  // throws: unique key
      return Status::ok();
    });
    CHECK(thrown.error().code == shop::ErrorCode::kInternal);
    auto n = s->read([](Db& db) -> Result<std::int64_t> {
      return db.scalar_int("SELECT count(*) FROM settings WHERE key IN ('a','b','c')");
    });
    CHECK(*n == 1);
  }

  TEST_CASE("concurrent writers are serialized, grouped, and none is lost") {
    shoptest::TempDir dir;
    auto s = open_store(dir, 16);
    s->write([](Db& db) -> Status {
       db.exec("INSERT INTO settings(key, value) VALUES ('counter', '0')");
       return Status::ok();
     }).is_ok();
    constexpr int kThreads = 8, kPerThread = 200;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Every 10th write fails on purpose: it must not take its batch-mates down with it.
          bool fail = (i % 10) == t % 10;
          Status st = s->write([&](Db& db) -> Status {
            db.exec("UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key='counter'");
            if (fail) return Error::invalid("planned");
            return Status::ok();
          });
          if (!st.is_ok()) failures++;
        }
      });
    }
    for (auto& th : threads) th.join();
    auto v = s->read([](Db& db) -> Result<std::int64_t> {
      return db.scalar_int("SELECT CAST(value AS INTEGER) FROM settings WHERE key='counter'");
    });
    CHECK(*v == kThreads * kPerThread - failures.load());
    CHECK(failures.load() == kThreads * kPerThread / 10);
    CHECK(s->writes() >= static_cast<std::uint64_t>(kThreads * kPerThread));
    CHECK(s->commits() <= s->writes());
  }

  TEST_CASE("readers see committed data while a writer works") {
    shoptest::TempDir dir;
    auto s = open_store(dir);
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      for (int i = 0; i < 300 && !stop; ++i) {
        (void)s->write([&](Db& db) -> Status {
          auto& q = db.stmt("INSERT INTO settings(key, value) VALUES (?, 'x')");
          q.bind(1, "k" + std::to_string(i));
          q.exec();
          return Status::ok();
        });
      }
    });
    std::int64_t last = 0;
    bool monotonic = true;
    for (int i = 0; i < 300; ++i) {
      auto n = s->read([](Db& db) -> Result<std::int64_t> {
        return db.scalar_int("SELECT count(*) FROM settings");
      });
      REQUIRE(n.is_ok());
      if (*n < last) monotonic = false;
      last = *n;
    }
    writer.join();
    CHECK(monotonic);
  }
}
