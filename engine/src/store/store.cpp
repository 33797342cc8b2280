#include "store/store.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <limits>

#include "store/schema.h"

namespace shop::store {

namespace {
const char* synchronous_pragma(Synchronous s) {
  switch (s) {
    case Synchronous::kOff: return "PRAGMA synchronous=OFF";
    case Synchronous::kFull: return "PRAGMA synchronous=FULL";
    case Synchronous::kNormal: break;
  }
  return "PRAGMA synchronous=NORMAL";
}

// Logs a transient storage failure's SQLite text, at most once per interval process-wide, so a
// full disk under load does not flood stderr; the next line says how many were not logged.
void log_storage_error(const char* kind, const char* what) {
  using std::chrono::steady_clock;
  constexpr std::int64_t kIntervalMs = 10'000;
  static std::atomic<std::int64_t> last_ms{std::numeric_limits<std::int64_t>::min() / 2};
  static std::atomic<std::int64_t> suppressed{0};
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now().time_since_epoch())
          .count();
  std::int64_t last = last_ms.load(std::memory_order_relaxed);
  if (now - last < kIntervalMs || !last_ms.compare_exchange_strong(last, now)) {
    suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const std::int64_t skipped = suppressed.exchange(0, std::memory_order_relaxed);
  std::fprintf(stderr, "[store] %s: %s (at most one such line per %llds; %lld not logged)\n", kind,
               what, static_cast<long long>(kIntervalMs / 1000), static_cast<long long>(skipped));
}

bool in_transaction(Db& db) {
  return sqlite3_get_autocommit(db.raw().getHandle()) == 0;
}

// Leaves the connection in autocommit mode whatever state a failure left it in. SQLite has often
// rolled back already (SQLITE_FULL/IOERR mid-statement or at COMMIT); a COMMIT refused for a
// deferred constraint leaves the transaction open.
void rollback_if_open(Db& db) {
  db.reset_used();  // an active statement would make ROLLBACK fail
  if (!in_transaction(db)) return;
  try {
    db.exec("ROLLBACK");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[store] ROLLBACK failed: %s\n", e.what());
  }
}
}  // namespace

bool is_transient_storage_error(const Error& e) {
  return e.code == ErrorCode::kUnavailable &&
         (e.reason == kStorageUnavailable || e.reason == kStorageBusy);
}

Db::Db(const std::string& path, bool read_only, const StoreOptions& options, const std::string& vfs)
    : db_(path,
          read_only ? SQLite::OPEN_READONLY
                    : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLITE_OPEN_NOMUTEX),
          0, vfs) {
  // Debian's SQLite defaults (synchronous=FULL, secure_delete) are not what we mean: say it all.
  db_.exec("PRAGMA busy_timeout=" + std::to_string(options.busy_timeout_ms));
  db_.exec("PRAGMA foreign_keys=ON");
  db_.exec("PRAGMA secure_delete=OFF");
  db_.exec("PRAGMA temp_store=MEMORY");
  db_.exec("PRAGMA cache_size=-32000");  // 32 MB per connection
  db_.exec("PRAGMA mmap_size=268435456");
  if (!read_only) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec(synchronous_pragma(options.synchronous));
    db_.exec("PRAGMA wal_autocheckpoint=1000");      // pages; keeps the WAL bounded
    db_.exec("PRAGMA journal_size_limit=67108864");  // truncate a grown WAL back to 64 MB
  }
}

SQLite::Statement& Db::stmt(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    it->second->reset();
    it->second->clearBindings();
  }
  used_.push_back(it->second.get());
  return *it->second;
}

void Db::reset_used() {
  for (auto* s : used_) s->reset();
  used_.clear();
}

std::int64_t Db::scalar_int(const std::string& sql, std::int64_t fallback) {
  auto& q = stmt(sql);
  if (!q.executeStep() || q.getColumn(0).isNull()) return fallback;
  std::int64_t v = q.getColumn(0).getInt64();
  q.reset();
  return v;
}

Status detail::from_exception(const std::exception& e) {
  if (const auto* se = dynamic_cast<const SQLite::Exception*>(&e)) {
    switch (se->getErrorCode()) {
      case SQLITE_FULL:
      case SQLITE_IOERR:  // every SQLITE_IOERR_* extended code has this primary code
        log_storage_error("storage unavailable", se->what());
        return Error::unavailable(kStorageUnavailableMessage, kStorageUnavailable);
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        log_storage_error("storage busy", se->what());
        return Error::unavailable(kStorageUnavailableMessage, kStorageBusy);
      default: break;
    }
  }
  return Error::internal(std::string("store: ") + e.what());
}

struct Store::WriteRequest {
  const std::function<Status(Db&)>* fn;
  bool exclusive = false;
  Status result;
  bool done = false;
  std::condition_variable cv;
};

Store::Store(StoreOptions options) : options_(std::move(options)) {}

Store::~Store() {
  if (writer_) {
    try {
      writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (...) {
      // Best effort: a reader of another process may hold the WAL; it is checkpointed next time.
    }
  }
}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
  if (options.path.empty() || options.path == ":memory:") {
    return Error::invalid("store: a database file path is required", "db");
  }
  if (options.read_connections < 1 || options.max_batch < 1) {
    return Error::invalid("store: read_connections and max_batch must be >= 1");
  }
  std::unique_ptr<Store> store(new Store(options));
  try {
    store->writer_ = std::make_unique<Db>(options.path, false, options);
    auto migrated = migrate(*store->writer_);
    if (!migrated) return migrated.error();
    store->schema_version_ = *migrated;
    for (int i = 0; i < options.read_connections; ++i) {
      store->readers_.push_back(std::make_unique<Db>(options.path, true, options));
      store->free_readers_.push_back(store->readers_.back().get());
    }
  } catch (const std::exception& e) {
    return Error::internal("cannot open database '" + options.path + "': " + e.what());
  }
  return store;
}

Status Store::write_erased(const std::function<Status(Db&)>& fn, bool exclusive) {
  WriteRequest me;
  me.fn = &fn;
  me.exclusive = exclusive;
  std::unique_lock lock(write_mu_);
  write_queue_.push_back(&me);
  while (!me.done && write_queue_.front() != &me) me.cv.wait(lock);
  if (me.done) return me.result;  // a leader ran and committed it for us

  // We are the leader: take a batch (ourselves first) and run it without holding the lock, so
  // others can queue meanwhile. Only the leader touches writer_. An exclusive request is never
  // batched with others.
  std::vector<WriteRequest*> batch;
  for (auto* r : write_queue_) {
    if (static_cast<int>(batch.size()) >= options_.max_batch) break;
    if (r->exclusive && !batch.empty()) break;
    batch.push_back(r);
    if (r->exclusive) break;
  }
  lock.unlock();

  if (me.exclusive) {
    try {
      me.result = fn(*writer_);
    } catch (const std::exception& e) {
      me.result = detail::from_exception(e);
    }
  } else {
    run_batch(batch);
  }

  lock.lock();
  if (!me.exclusive) {
    ++commits_;
    writes_ += batch.size();
  }
  for (auto* r : batch) {
    write_queue_.pop_front();
    r->done = true;
    if (r != &me) r->cv.notify_one();
  }
  if (!write_queue_.empty()) write_queue_.front()->cv.notify_one();  // next leader
  return me.result;
}

void Store::run_batch(const std::vector<WriteRequest*>& batch) {
  Db& db = *writer_;
  // Set when nothing of the batch commits; every request without an error of its own gets it.
  Status batch_status;
  try {
    rollback_if_open(db);  // never start inside a transaction a failure left behind
    db.exec("BEGIN IMMEDIATE");
    for (auto* r : batch) {
      db.exec("SAVEPOINT w");
      try {
        r->result = (*r->fn)(db);
      } catch (const std::exception& e) {
        r->result = detail::from_exception(e);
      }
      db.reset_used();
      if (!in_transaction(db)) {
        // SQLite dropped the whole transaction (SQLITE_FULL, IOERR, BUSY mid-statement): the
        // earlier requests of the batch are gone too, and the later ones must not run in
        // autocommit mode.
        batch_status =
            r->result.is_ok()
                ? Status(Error::unavailable(kStorageUnavailableMessage, kStorageUnavailable))
                : r->result;
        break;
      }
      if (!r->result.is_ok()) db.exec("ROLLBACK TO w");
      db.exec("RELEASE w");
    }
    if (batch_status.is_ok()) db.exec("COMMIT");
  } catch (const std::exception& e) {
    batch_status = detail::from_exception(e);
  }
  if (batch_status.is_ok()) return;
  rollback_if_open(db);
  for (auto* r : batch) {
    if (r->result.is_ok()) r->result = batch_status;
  }
}

Db* Store::acquire_reader() {
  std::unique_lock lock(read_mu_);
  read_cv_.wait(lock, [&] { return !free_readers_.empty(); });
  Db* db = free_readers_.back();
  free_readers_.pop_back();
  return db;
}

void Store::release_reader(Db* db) {
  {
    std::lock_guard lock(read_mu_);
    free_readers_.push_back(db);
  }
  read_cv_.notify_one();
}

Status Store::read_erased(const std::function<Status(Db&)>& fn) {
  Db* db = acquire_reader();
  Status st;
  try {
    db->exec("BEGIN");
    try {
      st = fn(*db);
    } catch (const std::exception& e) {
      st = detail::from_exception(e);
    }
    db->reset_used();
    db->exec("COMMIT");
  } catch (const std::exception& e) {
    if (st.is_ok()) st = detail::from_exception(e);
    db->reset_used();
    try {
      db->exec("ROLLBACK");
    } catch (...) {
    }
  }
  release_reader(db);
  return st;
}

std::uint64_t Store::commits() const {
  std::lock_guard lock(write_mu_);
  return commits_;
}

std::size_t Store::pending_writes() const {
  std::lock_guard lock(write_mu_);
  return write_queue_.size();
}

std::uint64_t Store::writes() const {
  std::lock_guard lock(write_mu_);
  return writes_;
}

Status Store::set_write_fault_for_testing(WriteFault fault) {
  if (!fault_vfs_) {
    // Reopen the writer through a FaultVfs, as an exclusive write (no transaction is open and no
    // other thread touches writer_ meanwhile). Statement caches belong to the old connection.
    Status reopened = write_erased(
        [&](Db&) -> Status {
          auto vfs = std::make_unique<FaultVfs>();
          auto db = std::make_unique<Db>(options_.path, false, options_, vfs->name());
          writer_ = std::move(db);  // the old connection closes here
          fault_vfs_ = std::move(vfs);
          return Status::ok();
        },
        /*exclusive=*/true);
    if (!reopened.is_ok()) return reopened;
  }
  fault_vfs_->set(fault);
  return Status::ok();
}

Status Store::set_max_page_count_for_testing(std::int64_t pages) {
  return write([&](Db& db) -> Status {
    db.exec("PRAGMA max_page_count=" + std::to_string(pages));
    return Status::ok();
  });
}

Status Store::checkpoint() {
  // A leader stays in write_queue_ until its batch is done, so an empty queue under write_mu_ means
  // nobody is using writer_. If writes are queued we skip: the next idle round checkpoints.
  std::lock_guard lock(write_mu_);
  if (!write_queue_.empty()) return Status::ok();
  try {
    writer_->exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (const std::exception& e) {
    return detail::from_exception(e);
  }
  return Status::ok();
}

}  // namespace shop::store
