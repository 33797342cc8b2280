#include "orders/order_workers.h"

namespace shop::orders_detail {

void OrderWorkers::start(int count) {
  stopping_.store(false, std::memory_order_release);
  threads_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { run(); });
}

void OrderWorkers::stop() {
  if (threads_.empty()) return;
  stopping_.store(true, std::memory_order_release);
  // One sentinel per worker wakes every blocked one; a worker that takes several passes the
  // extras on before it exits, so each worker gets one.
  queue_.push_sentinels(threads_.size());
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void OrderWorkers::run() {
  for (;;) {
    auto taken = queue_.take(kMaxBatch, /*block=*/true);
    if (stopping_.load(std::memory_order_acquire)) {
      // Leave what we took pending: it is in the database and recovered on the next start.
      queue_.finished(taken.ids.size());
      if (taken.sentinels > 1) queue_.push_sentinels(taken.sentinels - 1);
      return;
    }
    if (!taken.ids.empty()) process_(taken.ids);  // settles each id (finished or retried)
  }
}

}  // namespace shop::orders_detail
