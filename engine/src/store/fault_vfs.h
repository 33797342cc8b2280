// fault_vfs.h — a pass-through SQLite VFS that can make file writes fail the way a full disk does
// (private to the engine; used only by Store's testing hooks).
//
// Why a VFS and not just `PRAGMA max_page_count`: max_page_count fails only the writes that need a
// new page, so whether a given small write (an order intake, a status update) fails depends on the
// free space left in existing pages. A full disk in WAL mode fails every commit instead: each one
// appends frames to the WAL. This shim makes xWrite on the main database and its WAL return
// SQLITE_FULL (what the unix VFS returns on ENOSPC) or SQLITE_IOERR_WRITE, so SQLite itself takes
// its real error path (COMMIT fails, SQLite rolls the transaction back) on every write.
//
// Each FaultVfs registers its own uniquely named VFS (pAppData points back to it), so two stores in
// one process never share a fault switch. Thread-safe: the switch is atomic; SQLite calls the file
// methods from whichever thread uses the connection.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <string>

namespace shop::store {

enum class WriteFault {
  kNone,      // writes pass through
  kDiskFull,  // xWrite -> SQLITE_FULL (ENOSPC)
  kIoError,   // xWrite -> SQLITE_IOERR_WRITE (EIO)
};

class FaultVfs {
 public:
  // Registers (not as the default VFS) a shim over the process's default VFS.
  FaultVfs();
  // Unregisters. Every connection opened through this VFS must be closed first.
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  const std::string& name() const { return name_; }
  void set(WriteFault fault) { fault_.store(fault, std::memory_order_release); }
  WriteFault fault() const { return fault_.load(std::memory_order_acquire); }
  sqlite3_vfs* base() const { return base_; }

 private:
  sqlite3_vfs vfs_{};
  sqlite3_vfs* base_ = nullptr;
  std::string name_;
  std::atomic<WriteFault> fault_{WriteFault::kNone};
};

}  // namespace shop::store
