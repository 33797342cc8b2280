// order_retries.h — orders waiting to be processed again after a transient store error (private
// to the engine).
//
// An order whose processing hit a transient storage error (disk full, I/O error, another process
// holding the database: store::is_transient_storage_error), or whose failure could not even be
// recorded, is neither marked failed nor dropped:
// it waits here for its back-off (exponential per order from 50 ms to 5 s, jittered) and then goes
// back into the queue. While it waits it still counts in the queue's in_flight (it was taken and is
// not settled), so depth + in_flight stay > 0 until it is really processed and "drained" (what
// /metrics/ pollers and wait_idle() look for) keeps its meaning; waiting() says how many of the
// in-flight orders are in back-off.
//
// Threads: any thread may call add/settled/release_all_now and the observers; the timer thread
// (start() to stop()) moves due orders back into the queue. Everything below is guarded by mu_.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "orders/order_queue.h"

namespace shop::orders_detail {

class OrderRetries {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kFirstDelay{50};
  static constexpr std::chrono::milliseconds kMaxDelay{5000};

  explicit OrderRetries(OrderQueue& queue);
  ~OrderRetries() { stop(); }
  OrderRetries(const OrderRetries&) = delete;
  OrderRetries& operator=(const OrderRetries&) = delete;

  void start();
  // Stops the timer and lets every waiting order go (queue.finished): it stays pending in the
  // database and is recovered on the next start. After stop, add() lets the order go at once, so
  // shutdown never waits for a back-off. Idempotent.
  void stop();

  // `id` was taken from the queue (counts in in_flight) and hit a transient error: schedule it.
  // Returns the attempt number (1 on the first failure).
  int add(std::int64_t id);
  // `id` was processed for good: forget its attempt count.
  void settled(std::int64_t id);
  // Moves every waiting order back into the queue now, due or not (Orders::drain_queue, which
  // processes on the caller's thread). Returns how many.
  std::size_t release_all_now();

  int attempts(std::int64_t id) const;  // failed attempts of an order not yet settled (0: none)
  std::int64_t waiting() const;
  std::int64_t scheduled() const;  // retries scheduled since construction (a counter)

  // The delay before attempt `attempt + 1`: kFirstDelay * 2^(attempt-1), at most kMaxDelay, then
  // a uniform pick in [d/2, d] (`unit` in [0, 1)) so orders failed together do not retry together.
  static std::chrono::milliseconds backoff(int attempt, double unit);

 private:
  struct Due {
    Clock::time_point at;
    std::int64_t id;
    bool operator>(const Due& o) const { return at > o.at; }
  };
  void run();

  OrderQueue& queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;  // soonest first
  std::unordered_map<std::int64_t, int> attempts_;  // orders that failed transiently, not settled
  std::int64_t scheduled_ = 0;
  bool stopping_ = false;
  std::minstd_rand rng_;
  std::thread timer_;  // touched only by start()/stop() (the owner's thread)
};

}  // namespace shop::orders_detail
