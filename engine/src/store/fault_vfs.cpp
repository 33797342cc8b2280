#include "store/fault_vfs.h"

#include <atomic>
#include <stdexcept>

namespace shop::store {

namespace {

// A file opened through the shim: our header, then the real VFS's file object right behind it
// (szOsFile covers both), to which every method delegates.
struct FaultFile {
  sqlite3_file base;  // base.pMethods: one of kMethods[] below
  FaultVfs* owner;
  bool faultable;  // main database or WAL: the files a full disk stops growing
  sqlite3_file* real;
};

FaultFile* ff(sqlite3_file* f) {
  return reinterpret_cast<FaultFile*>(f);
}
sqlite3_file* real(sqlite3_file* f) {
  return ff(f)->real;
}
FaultVfs* owner(sqlite3_vfs* vfs) {
  return static_cast<FaultVfs*>(vfs->pAppData);
}

int x_close(sqlite3_file* f) {
  return real(f)->pMethods->xClose(real(f));
}
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real(f)->pMethods->xRead(real(f), buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (ff(f)->faultable) {
    switch (ff(f)->owner->fault()) {
      case WriteFault::kDiskFull: return SQLITE_FULL;
      case WriteFault::kIoError: return SQLITE_IOERR_WRITE;
      case WriteFault::kNone: break;
    }
  }
  return real(f)->pMethods->xWrite(real(f), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real(f)->pMethods->xTruncate(real(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  return real(f)->pMethods->xSync(real(f), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real(f)->pMethods->xFileSize(real(f), size);
}
int x_lock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xLock(real(f), level);
}
int x_unlock(sqlite3_file* f, int level) {
  return real(f)->pMethods->xUnlock(real(f), level);
}
int x_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int x_sector_size(sqlite3_file* f) {
  return real(f)->pMethods->xSectorSize(real(f));
}
int x_device_characteristics(sqlite3_file* f) {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
  real(f)->pMethods->xShmBarrier(real(f));
}
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return real(f)->pMethods->xFetch(real(f), off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real(f)->pMethods->xUnfetch(real(f), off, p);
}

// One method table per io_methods version, so we never advertise a method the real file lacks.
sqlite3_io_methods make_methods(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = x_close;
  m.xRead = x_read;
  m.xWrite = x_write;
  m.xTruncate = x_truncate;
  m.xSync = x_sync;
  m.xFileSize = x_file_size;
  m.xLock = x_lock;
  m.xUnlock = x_unlock;
  m.xCheckReservedLock = x_check_reserved_lock;
  m.xFileControl = x_file_control;
  m.xSectorSize = x_sector_size;
  m.xDeviceCharacteristics = x_device_characteristics;
  if (version >= 2) {
    m.xShmMap = x_shm_map;
    m.xShmLock = x_shm_lock;
    m.xShmBarrier = x_shm_barrier;
    m.xShmUnmap = x_shm_unmap;
  }
  if (version >= 3) {
    m.xFetch = x_fetch;
    m.xUnfetch = x_unfetch;
  }
  return m;
}
const sqlite3_io_methods kMethods[3] = {make_methods(1), make_methods(2), make_methods(3)};

int x_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  FaultVfs* o = owner(vfs);
  FaultFile* f = ff(file);
  f->base.pMethods = nullptr;  // SQLite skips xClose when xOpen leaves this null
  f->owner = o;
  f->faultable = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  const int rc = o->base()->xOpen(o->base(), name, f->real, flags, out_flags);
  if (rc != SQLITE_OK || f->real->pMethods == nullptr) return rc;
  int version = f->real->pMethods->iVersion;
  version = version < 1 ? 1 : (version > 3 ? 3 : version);
  f->base.pMethods = &kMethods[version - 1];
  return rc;
}

// The rest of the VFS forwards to the base VFS (passing the base, whose pAppData it may use).
int x_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return owner(v)->base()->xDelete(owner(v)->base(), name, sync_dir);
}
int x_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return owner(v)->base()->xAccess(owner(v)->base(), name, flags, out);
}
int x_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return owner(v)->base()->xFullPathname(owner(v)->base(), name, n, out);
}
void* x_dl_open(sqlite3_vfs* v, const char* name) {
  return owner(v)->base()->xDlOpen(owner(v)->base(), name);
}
void x_dl_error(sqlite3_vfs* v, int n, char* out) {
  owner(v)->base()->xDlError(owner(v)->base(), n, out);
}
void (*x_dl_sym(sqlite3_vfs* v, void* handle, const char* sym))(void) {
  return owner(v)->base()->xDlSym(owner(v)->base(), handle, sym);
}
void x_dl_close(sqlite3_vfs* v, void* handle) {
  owner(v)->base()->xDlClose(owner(v)->base(), handle);
}
int x_randomness(sqlite3_vfs* v, int n, char* out) {
  return owner(v)->base()->xRandomness(owner(v)->base(), n, out);
}
int x_sleep(sqlite3_vfs* v, int us) {
  return owner(v)->base()->xSleep(owner(v)->base(), us);
}
int x_current_time(sqlite3_vfs* v, double* out) {
  return owner(v)->base()->xCurrentTime(owner(v)->base(), out);
}
int x_get_last_error(sqlite3_vfs* v, int n, char* out) {
  return owner(v)->base()->xGetLastError(owner(v)->base(), n, out);
}
int x_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  return owner(v)->base()->xCurrentTimeInt64(owner(v)->base(), out);
}

std::atomic<int> next_vfs_number{0};

}  // namespace

FaultVfs::FaultVfs() {
  base_ = sqlite3_vfs_find(nullptr);
  if (base_ == nullptr) throw std::runtime_error("fault vfs: no default SQLite VFS");
  name_ = "shop-fault-" + std::to_string(next_vfs_number.fetch_add(1));
  // Version 2 at most: the system-call hooks of version 3 are for SQLite's own tests.
  vfs_.iVersion = base_->iVersion >= 2 ? 2 : 1;
  vfs_.szOsFile = static_cast<int>(sizeof(FaultFile)) + base_->szOsFile;
  vfs_.mxPathname = base_->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = x_open;
  vfs_.xDelete = x_delete;
  vfs_.xAccess = x_access;
  vfs_.xFullPathname = x_full_pathname;
  vfs_.xDlOpen = x_dl_open;
  vfs_.xDlError = x_dl_error;
  vfs_.xDlSym = x_dl_sym;
  vfs_.xDlClose = x_dl_close;
  vfs_.xRandomness = x_randomness;
  vfs_.xSleep = x_sleep;
  vfs_.xCurrentTime = x_current_time;
  vfs_.xGetLastError = x_get_last_error;
  if (vfs_.iVersion >= 2) vfs_.xCurrentTimeInt64 = x_current_time_int64;
  if (sqlite3_vfs_register(&vfs_, /*makeDflt=*/0) != SQLITE_OK) {
    throw std::runtime_error("fault vfs: cannot register " + name_);
  }
}

FaultVfs::~FaultVfs() {
  sqlite3_vfs_unregister(&vfs_);
}

}  // namespace shop::store
