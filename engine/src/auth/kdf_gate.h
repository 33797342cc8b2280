// auth/kdf_gate.h — admission control for expensive password hashing (a counting semaphore with a
// bounded wait). PBKDF2 at a real cost takes ~0.2 s of one core; without a gate a login storm
// would occupy every HTTP thread and core, starving cheap requests (product listing, carts).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace shop::auth {

class KdfGate {
 public:
  explicit KdfGate(int slots) : free_(slots) {}

  // Takes a slot, waiting at most `wait`. False when none freed up in time.
  bool acquire(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, wait, [this] { return free_ > 0; })) return false;
    --free_;
    return true;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }
  int free_slots() const {
    std::lock_guard lock(mu_);
    return free_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

// Holds a slot for its lifetime (when it got one).
class KdfSlot {
 public:
  KdfSlot(KdfGate* gate, std::chrono::milliseconds wait)
      : gate_(gate), held_(gate ? gate->acquire(wait) : true) {}
  ~KdfSlot() {
    if (gate_ && held_) gate_->release();
  }
  KdfSlot(const KdfSlot&) = delete;
  KdfSlot& operator=(const KdfSlot&) = delete;
  bool held() const { return held_; }

 private:
  KdfGate* gate_;
  bool held_;
};

}  // namespace shop::auth
