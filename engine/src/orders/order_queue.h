// order_queue.h — the bounded in-memory queue of accepted order ids (private to the engine).
//
// A moodycamel BlockingConcurrentQueue (lock-free MPMC) carries the ids; it is unbounded by
// itself, so the bound is an atomic slot counter kept beside it:
//  * intake threads reserve a slot BEFORE writing the order (try_reserve), then push the id after
//    the commit (push_reserved) or give the slot back if the write failed (cancel_reservation).
//    So a full queue refuses an order before anything exists, and an accepted order always has
//    its place in the queue.
//  * workers take ids (take) and report them finished (finished). An id counts in `depth` from
//    reservation until a worker takes it, then in `in_flight` until it is finished; the order
//    of the two updates keeps depth + in_flight > 0 while any work remains, so "both zero" (what
//    /metrics/ pollers and wait_idle() look for) really means drained.
//  * an id whose processing must be retried stays in in_flight while it waits (OrderRetries), and
//    requeue() moves it back: depth first, then in_flight, for the same reason.
//  * recovery at start pushes pending ids regardless of the bound (they were accepted already).
//  * stop wakes blocked workers with sentinel ids (0; real ids are positive).
// Thread-safe: any number of producers and consumers.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace shop::orders_detail {

class OrderQueue {
 public:
  explicit OrderQueue(std::size_t capacity) : capacity_(static_cast<std::int64_t>(capacity)) {}

  // --- producers ---
  bool try_reserve();
  void cancel_reservation();
  void push_reserved(std::int64_t id);
  void push_recovered(std::int64_t id);

  // --- consumers ---
  struct Taken {
    std::vector<std::int64_t> ids;  // real order ids (now counted in in_flight)
    std::size_t sentinels = 0;      // stop signals taken along with them
  };
  // Takes up to `max` entries. block: wait until there is at least one; otherwise return at once
  // (possibly empty).
  Taken take(std::size_t max, bool block);
  // The consumer is done with n ids it took (committed, or left pending on stop).
  void finished(std::size_t n);
  // Pushes n sentinels (wakes n blocked consumers).
  void push_sentinels(std::size_t n);
  // Puts an id a consumer took (still in in_flight) back into the queue, for a retry.
  void requeue(std::int64_t id);

  // --- observers ---
  std::int64_t depth() const { return depth_.load(std::memory_order_acquire); }
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_acquire); }
  std::int64_t capacity() const { return capacity_; }
  bool wait_idle(std::chrono::milliseconds timeout) const;

 private:
  void notify_if_idle();

  moodycamel::BlockingConcurrentQueue<std::int64_t> queue_;
  const std::int64_t capacity_;
  std::atomic<std::int64_t> depth_{0};      // reserved + queued, not yet taken
  std::atomic<std::int64_t> in_flight_{0};  // taken, not yet finished

  mutable std::mutex idle_mu_;  // only for wait_idle()'s condition variable
  mutable std::condition_variable idle_cv_;
};

}  // namespace shop::orders_detail
