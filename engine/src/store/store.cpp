#include "store/store.h"

#include <sqlite3.h>

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
}  // namespace

Db::Db(const std::string& path, bool read_only, const StoreOptions& options)
    : db_(path, read_only ? SQLite::OPEN_READONLY
                         : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLITE_OPEN_NOMUTEX)) {
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
  return Error::internal(std::string("store: ") + e.what());
}

struct Store::WriteRequest {
  const std::function<Status(Db&)>* fn;
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

Status Store::write_erased(const std::function<Status(Db&)>& fn) {
  WriteRequest me;
  me.fn = &fn;
  std::unique_lock lock(write_mu_);
  write_queue_.push_back(&me);
  while (!me.done && write_queue_.front() != &me) me.cv.wait(lock);
  if (me.done) return me.result;  // a leader ran and committed it for us

  // We are the leader: take a batch (ourselves first) and run it without holding the lock, so
  // others can queue meanwhile. Only the leader touches writer_.
  std::vector<WriteRequest*> batch;
  for (auto* r : write_queue_) {
    if (static_cast<int>(batch.size()) >= options_.max_batch) break;
    batch.push_back(r);
  }
  lock.unlock();

  Db& db = *writer_;
  Status commit_status;
  try {
    db.exec("BEGIN IMMEDIATE");
    for (auto* r : batch) {
      db.exec("SAVEPOINT w");
      try {
        r->result = (*r->fn)(db);
      } catch (const std::exception& e) {
        r->result = detail::from_exception(e);
      }
      db.reset_used();
      if (!r->result.is_ok()) db.exec("ROLLBACK TO w");
      db.exec("RELEASE w");
    }
    db.exec("COMMIT");
  } catch (const std::exception& e) {
    commit_status = detail::from_exception(e);
    db.reset_used();
    try {
      db.exec("ROLLBACK");
    } catch (...) {
      // Already rolled back by SQLite (e.g. after SQLITE_FULL); nothing more to undo.
    }
  }

  lock.lock();
  ++commits_;
  writes_ += batch.size();
  for (auto* r : batch) {
    write_queue_.pop_front();
    if (!commit_status.is_ok() && r->result.is_ok()) r->result = commit_status;
    r->done = true;
    if (r != &me) r->cv.notify_one();
  }
  if (!write_queue_.empty()) write_queue_.front()->cv.notify_one();  // next leader
  return me.result;
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

std::uint64_t Store::writes() const {
  std::lock_guard lock(write_mu_);
  return writes_;
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
