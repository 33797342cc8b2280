// store.h — the engine's only door to SQLite (private to the engine).
//
// Concurrency design:
//  * One writer connection. Every write in the process goes through Store::write(fn), which runs fn
//    inside a write transaction. Writers queue up LevelDB-style: the first queued writer becomes the
//    leader, takes a batch of queued requests, runs each inside its own SAVEPOINT (so a request that
//    fails rolls back only itself), commits once for the whole batch (group commit), and wakes the
//    others with their own results. A caller's write is durable (per the `synchronous` setting) when
//    write() returns. No caller ever sees SQLITE_BUSY from another thread of this process.
//  * A pool of read connections. Store::read(fn) borrows one for the duration of fn, inside a
//    deferred read transaction, so fn sees one consistent snapshot (WAL lets it run beside writes).
//  * Each connection (Db) caches its prepared statements; a Db is used by one thread at a time.
//  * SQLite exceptions never leave the store. Transient storage failures become kUnavailable with a
//    stable reason and a generic message (the SQLite text goes to stderr, rate-limited): a full disk
//    or an I/O error (SQLITE_FULL, SQLITE_IOERR_*) -> STORAGE_UNAVAILABLE; another process holding
//    the database past busy_timeout (SQLITE_BUSY, SQLITE_LOCKED) -> STORAGE_BUSY. Everything else
//    becomes Error::internal. Callers may retry a transient error (is_transient_storage_error).
//  * A failed batch (BEGIN, a statement that made SQLite drop the transaction, or COMMIT failed)
//    commits nothing: every caller in it gets the error, and the writer connection is rolled back
//    to autocommit before the next batch, so the store works again once the cause is gone.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "shop/result.h"
#include "store/fault_vfs.h"

namespace shop::store {

// Error::reason of transient storage failures (ErrorCode::kUnavailable; HTTP 503 + Retry-After).
inline constexpr const char* kStorageUnavailable = "STORAGE_UNAVAILABLE";  // disk full, I/O error
inline constexpr const char* kStorageBusy = "STORAGE_BUSY";  // another process holds the lock
inline constexpr const char* kStorageUnavailableMessage =
    "Storage is temporarily unavailable; retry later.";
// True for the errors above: nothing was written, and the same write may succeed later.
bool is_transient_storage_error(const Error& e);

enum class Synchronous { kOff, kNormal, kFull };

struct StoreOptions {
  std::string path;                           // ":memory:" is not supported (readers need a file)
  int read_connections = 4;
  Synchronous synchronous = Synchronous::kNormal;  // WAL+NORMAL: survives kill -9; an OS crash may
                                                   // lose the last commits (README: Durability)
  int max_batch = 64;                         // writes grouped into one commit at most
  int busy_timeout_ms = 5000;                 // waits for *other processes* (shopctl beside shopd)
};

// One SQLite connection with a prepared-statement cache. Not thread-safe: owned by one thread at a
// time (the writer leader, or the reader that borrowed it).
class Db {
 public:
  // vfs: the SQLite VFS name (empty: the default one).
  Db(const std::string& path, bool read_only, const StoreOptions& options,
     const std::string& vfs = {});
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A cached statement for this SQL text, reset and with bindings cleared.
  SQLite::Statement& stmt(const std::string& sql);
  void exec(const std::string& sql) { db_.exec(sql); }
  std::int64_t last_insert_id() const { return db_.getLastInsertRowid(); }
  int changes() const { return db_.getChanges(); }
  SQLite::Database& raw() { return db_; }

  // Resets every statement handed out since the last call, so none keeps the transaction busy
  // (the store calls it before COMMIT; callers need not reset what they step through).
  void reset_used();

  // Convenience: run a query expected to yield one integer (or `fallback` when no row / NULL).
  std::int64_t scalar_int(const std::string& sql, std::int64_t fallback = 0);

 private:
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
  std::vector<SQLite::Statement*> used_;
};

class Store {
 public:
  // Opens (creating if needed) the database, applies pragmas and migrations.
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
  ~Store();

  // Runs fn(Db&) -> Status or Result<T> inside a write transaction (see the header comment).
  // If fn returns an error (or throws), its changes are rolled back and the error returned.
  template <typename Fn>
  auto write(Fn&& fn) -> std::invoke_result_t<Fn, Db&>;

  // Runs fn(Db&) -> Status or Result<T> on a pooled read connection, in one snapshot.
  template <typename Fn>
  auto read(Fn&& fn) -> std::invoke_result_t<Fn, Db&>;

  const StoreOptions& options() const { return options_; }
  int schema_version() const { return schema_version_; }

  // Write statistics (for /metrics and benchmarks).
  std::uint64_t commits() const;
  std::uint64_t writes() const;
  // Writes queued or running right now (a leader's batch counts until it is done).
  std::size_t pending_writes() const;

  // Checkpoints the WAL (TRUNCATE). Called by the scheduler and at shutdown.
  Status checkpoint();

  // --- testing hooks (tests include engine/src; nothing else calls these) ---
  // Makes every write of the writer connection to the database or its WAL fail from now on, as a
  // full disk (SQLITE_FULL) or a failing device (SQLITE_IOERR_WRITE) would; kNone lifts it. The
  // first call reopens the writer connection through a FaultVfs (waiting its turn in the write
  // queue, so it is safe while other threads write). Reads are unaffected.
  Status set_write_fault_for_testing(WriteFault fault);
  // PRAGMA max_page_count on the writer: writes that would grow the file beyond `pages` (clamped
  // by SQLite to the current size) fail with SQLITE_FULL; a large value lifts it.
  Status set_max_page_count_for_testing(std::int64_t pages);

 private:
  explicit Store(StoreOptions options);
  struct WriteRequest;
  // exclusive: fn runs alone, outside any transaction (hooks that replace writer_).
  Status write_erased(const std::function<Status(Db&)>& fn, bool exclusive = false);
  // Runs one batch on writer_ (the leader's thread only); fills each request's result.
  void run_batch(const std::vector<WriteRequest*>& batch);
  Status read_erased(const std::function<Status(Db&)>& fn);
  Db* acquire_reader();
  void release_reader(Db* db);

  StoreOptions options_;
  int schema_version_ = 0;
  std::unique_ptr<FaultVfs> fault_vfs_;  // testing only; declared before writer_ (outlives it)
  std::unique_ptr<Db> writer_;           // used only by the current write leader

  mutable std::mutex write_mu_;
  std::deque<WriteRequest*> write_queue_;  // guarded by write_mu_
  std::uint64_t commits_ = 0, writes_ = 0; // guarded by write_mu_

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Db>> readers_;  // all reader connections (owned)
  std::vector<Db*> free_readers_;             // guarded by read_mu_
};

namespace detail {
template <typename R>
struct ResultSlot {
  std::optional<R> value;
};
Status from_exception(const std::exception& e);
}  // namespace detail

template <typename Fn>
auto Store::write(Fn&& fn) -> std::invoke_result_t<Fn, Db&> {
  using R = std::invoke_result_t<Fn, Db&>;
  std::optional<R> out;
  Status st = write_erased([&](Db& db) -> Status {
    out.emplace(fn(db));
    return out->is_ok() ? Status::ok() : Status(out->error());
  });
  if (!st.is_ok()) return R(st.error());  // fn failed, or the commit did
  return std::move(*out);
}

template <typename Fn>
auto Store::read(Fn&& fn) -> std::invoke_result_t<Fn, Db&> {
  using R = std::invoke_result_t<Fn, Db&>;
  std::optional<R> out;
  Status st = read_erased([&](Db& db) -> Status {
    out.emplace(fn(db));
    return out->is_ok() ? Status::ok() : Status(out->error());
  });
  if (!st.is_ok()) return R(st.error());
  return std::move(*out);
}

}  // namespace shop::store
