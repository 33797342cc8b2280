#include <doctest/doctest.h>

#include <atomic>
#include <string>
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
using shop::store::WriteFault;

namespace {
std::unique_ptr<Store> open_store(const shoptest::TempDir& dir, int max_batch = 64) {
  StoreOptions o;
  o.path = dir.file("s.db");
  o.max_batch = max_batch;
  auto s = Store::open(o);
  REQUIRE(s.is_ok());
  return std::move(*s);
}

Status put(Store& s, const std::string& key, const std::string& value_sql = "'v'") {
  return s.write([&](Db& db) -> Status {
    auto& q = db.stmt("INSERT INTO settings(key, value) VALUES (?, " + value_sql + ")");
    q.bind(1, key);
    q.exec();
    return Status::ok();
  });
}

std::int64_t count_keys(Store& s, const std::string& like) {
  auto n = s.read([&](Db& db) -> Result<std::int64_t> {
    auto& q = db.stmt("SELECT COUNT(*) FROM settings WHERE key LIKE ?");
    q.bind(1, like);
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
  REQUIRE(n.is_ok());
  return *n;
}

bool is_storage_unavailable(const Status& st) {
  return !st.is_ok() && st.error().code == shop::ErrorCode::kUnavailable &&
         st.error().reason == shop::store::kStorageUnavailable &&
         st.error().message == shop::store::kStorageUnavailableMessage;
}

// Runs `writers` writes on their own threads so that all of them land in ONE batch: a first write
// holds the writer until all the others are queued behind it, and the next leader takes them all.
// Returns their results.
template <typename Fn>
std::vector<Status> one_batch(Store& s, int writers, Fn fn) {
  std::vector<Status> results(static_cast<std::size_t>(writers));
  std::thread gate([&] {
    Status st = s.write([&](Db&) -> Status {
      while (s.pending_writes() < static_cast<std::size_t>(writers) + 1) std::this_thread::yield();
      return Status::ok();
    });
    CHECK(st.is_ok());  // (CHECK: a REQUIRE cannot throw out of a thread)
  });
  while (s.pending_writes() < 1) std::this_thread::yield();  // the gate leads
  std::vector<std::thread> threads;
  for (int i = 0; i < writers; ++i) {
    threads.emplace_back([&, i] { results[static_cast<std::size_t>(i)] = fn(i); });
  }
  for (auto& t : threads) t.join();
  gate.join();
  return results;
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

  TEST_CASE("disk full (max_page_count): kUnavailable STORAGE_UNAVAILABLE, then recovery") {
    shoptest::TempDir dir;
    auto s = open_store(dir);
    REQUIRE(put(*s, "before").is_ok());
    REQUIRE(s->set_max_page_count_for_testing(1).is_ok());  // clamped to the current size
    // 256 KB cannot fit in the existing pages: SQLite answers SQLITE_FULL (in WAL mode too).
    Status full = put(*s, "big", "randomblob(262144)");
    CHECK(is_storage_unavailable(full));
    CHECK(count_keys(*s, "big") == 0);

    // Two writes in one batch, one of which needs new pages: a single-row INSERT failing with
    // SQLITE_FULL makes SQLite drop the whole transaction, so neither may report success unless
    // its row is really there, and every failure is the storage error (not an internal one).
    auto results = one_batch(*s, 2, [&](int i) {
      return i == 0 ? put(*s, "small") : put(*s, "big2", "randomblob(262144)");
    });
    CHECK(is_storage_unavailable(results[1]));
    CHECK((results[0].is_ok() || is_storage_unavailable(results[0])));
    CHECK(results[0].is_ok() == (count_keys(*s, "small") == 1));
    CHECK(count_keys(*s, "big2") == 0);

    REQUIRE(s->set_max_page_count_for_testing(1'000'000).is_ok());
    CHECK(put(*s, "big3", "randomblob(262144)").is_ok());
    CHECK(count_keys(*s, "big3") == 1);
    CHECK(count_keys(*s, "before") == 1);
  }

  TEST_CASE("a batch whose COMMIT fails (disk full): every caller gets the error, none commits") {
    shoptest::TempDir dir;
    auto s = open_store(dir);
    REQUIRE(s->set_write_fault_for_testing(WriteFault::kNone).is_ok());  // route via the fault VFS
    REQUIRE(put(*s, "before").is_ok());
    const auto commits_before = s->commits();
    constexpr int kWriters = 5;
    // The first request of the batch to run turns the fault on: its statements succeed in the page
    // cache, and the COMMIT fails writing the WAL, as on a full disk.
    auto results = one_batch(*s, kWriters, [&](int i) {
      return s->write([&](Db& db) -> Status {
        CHECK(s->set_write_fault_for_testing(WriteFault::kDiskFull).is_ok());
        auto& q = db.stmt("INSERT INTO settings(key, value) VALUES (?, 'x')");
        q.bind(1, "batch" + std::to_string(i));
        q.exec();
        return Status::ok();
      });
    });
    for (const auto& r : results) CHECK(is_storage_unavailable(r));
    CHECK(s->commits() == commits_before + 2);  // the gate's batch, then all five in one
    CHECK(count_keys(*s, "batch%") == 0);
    CHECK(is_storage_unavailable(put(*s, "during")));

    REQUIRE(s->set_write_fault_for_testing(WriteFault::kNone).is_ok());
    CHECK(put(*s, "after").is_ok());
    CHECK(put(*s, "batch0").is_ok());  // nothing of the failed batch is left to conflict with
    CHECK(count_keys(*s, "during") == 0);
    CHECK(count_keys(*s, "after") == 1);
    CHECK(count_keys(*s, "before") == 1);
  }

  TEST_CASE("an I/O error at COMMIT is a storage error too; the store recovers") {
    shoptest::TempDir dir;
    auto s = open_store(dir);
    REQUIRE(s->set_write_fault_for_testing(WriteFault::kIoError).is_ok());
    CHECK(is_storage_unavailable(put(*s, "io")));
    auto r = s->write([](Db& db) -> Result<std::int64_t> {
      db.exec("INSERT INTO settings(key, value) VALUES ('io2', 'x')");
      return db.last_insert_id();
    });
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().reason == shop::store::kStorageUnavailable);
    REQUIRE(s->set_write_fault_for_testing(WriteFault::kNone).is_ok());
    CHECK(put(*s, "io").is_ok());
    CHECK(count_keys(*s, "io%") == 1);
  }

  TEST_CASE("another process holding the write lock past busy_timeout: kUnavailable STORAGE_BUSY") {
    shoptest::TempDir dir;
    StoreOptions o;
    o.path = dir.file("s.db");
    o.busy_timeout_ms = 20;
    auto opened = Store::open(o);
    REQUIRE(opened.is_ok());
    auto& s = **opened;
    {
      SQLite::Database other(o.path, SQLite::OPEN_READWRITE);  // shopctl beside shopd
      other.exec("BEGIN IMMEDIATE");
      Status busy = put(s, "k");
      REQUIRE_FALSE(busy.is_ok());
      CHECK(busy.error().code == shop::ErrorCode::kUnavailable);
      CHECK(busy.error().reason == shop::store::kStorageBusy);
      CHECK(shop::store::is_transient_storage_error(busy.error()));
      other.exec("COMMIT");
    }
    CHECK(put(s, "k").is_ok());
    CHECK(count_keys(s, "k") == 1);
  }
}
