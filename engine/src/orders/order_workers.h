// order_workers.h — the pool of order worker threads (private to the engine).
//
// Ownership: the pool owns its threads; each worker thread owns the ids it took from the queue
// until it reports them finished. The processing callback runs on worker threads only and must be
// thread-safe (it goes through Store::write, which serializes and group-commits).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "orders/order_queue.h"

namespace shop::orders_detail {

class OrderWorkers {
 public:
  // Processes a batch of order ids (each order in the batch exactly once) and settles every id with
  // the queue: reports it finished, or hands it to the retry list (which keeps it in flight).
  using ProcessBatch = std::function<void(const std::vector<std::int64_t>&)>;
  static constexpr std::size_t kMaxBatch = 32;  // orders per write transaction at most

  OrderWorkers(OrderQueue& queue, ProcessBatch process)
      : queue_(queue), process_(std::move(process)) {}
  ~OrderWorkers() { stop(); }

  void start(int count);
  // Workers finish the batch in hand and exit; ids they take after the stop flag are left pending
  // (in the database; recovered on the next start). Joins. Idempotent.
  void stop();
  int count() const { return static_cast<int>(threads_.size()); }

 private:
  void run();

  OrderQueue& queue_;
  ProcessBatch process_;
  std::vector<std::thread> threads_;  // touched only by start()/stop() (the owner's thread)
  std::atomic<bool> stopping_{false};
};

}  // namespace shop::orders_detail
