// auth/kdf_gate.h — admission control for expensive password hashing: a counting semaphore with a
// bounded wait and a bounded queue. PBKDF2 at a real cost takes ~0.15-0.2 s of one core; without
// a gate a login storm would occupy every core, and without a queue bound the callers waiting
// for a slot would occupy every HTTP thread, starving cheap requests (product listing, carts).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace shop::auth {

class KdfGate {
 public:
  // slots: hashes computed at once. max_waiters: callers allowed to wait for a slot; more are
  // refused at once (the caller answers 503 + Retry-After instead of holding a thread).
  KdfGate(int slots, int max_waiters) : free_(slots), max_waiters_(max_waiters) {}

  // Takes a slot, waiting at most `wait`. False when none freed up in time or the queue is full.
  bool acquire(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (free_ > 0) {
      --free_;
      return true;
    }
    if (waiters_ >= max_waiters_) return false;
    ++waiters_;
    const bool got = cv_.wait_for(lock, wait, [this] { return free_ > 0; });
    --waiters_;
    if (!got) return false;
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
  void set_max_waiters(int n) {
    std::lock_guard lock(mu_);
    max_waiters_ = n;
  }
  int waiting() const {
    std::lock_guard lock(mu_);
    return waiters_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int free_;
  int waiters_ = 0;
  int max_waiters_;
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
