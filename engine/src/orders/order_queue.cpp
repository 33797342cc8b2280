#include "orders/order_queue.h"

namespace shop::orders_detail {

bool OrderQueue::try_reserve() {
  std::int64_t cur = depth_.load(std::memory_order_relaxed);
  // CAS loop, so concurrent reservations never overshoot the bound even transiently.
  while (cur < capacity_) {
    if (depth_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) return true;
  }
  return false;
}

void OrderQueue::cancel_reservation() {
  depth_.fetch_sub(1, std::memory_order_acq_rel);
  notify_if_idle();
}

void OrderQueue::push_reserved(std::int64_t id) {
  queue_.enqueue(id);
}

void OrderQueue::push_recovered(std::int64_t id) {
  depth_.fetch_add(1, std::memory_order_acq_rel);
  queue_.enqueue(id);
}

void OrderQueue::requeue(std::int64_t id) {
  depth_.fetch_add(1, std::memory_order_acq_rel);  // first depth, then in_flight (see .h)
  queue_.enqueue(id);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
}

OrderQueue::Taken OrderQueue::take(std::size_t max, bool block) {
  Taken out;
  std::vector<std::int64_t> buf(max);
  const std::size_t n = block ? queue_.wait_dequeue_bulk(buf.begin(), max)
                              : queue_.try_dequeue_bulk(buf.begin(), max);
  out.ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (buf[i] > 0) {
      out.ids.push_back(buf[i]);
    } else {
      ++out.sentinels;
    }
  }
  if (!out.ids.empty()) {
    const auto k = static_cast<std::int64_t>(out.ids.size());
    in_flight_.fetch_add(k, std::memory_order_acq_rel);  // first in_flight, then depth (see .h)
    depth_.fetch_sub(k, std::memory_order_acq_rel);
  }
  return out;
}

void OrderQueue::finished(std::size_t n) {
  if (n == 0) return;
  in_flight_.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_acq_rel);
  notify_if_idle();
}

void OrderQueue::push_sentinels(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) queue_.enqueue(0);
}

void OrderQueue::notify_if_idle() {
  if (depth() == 0 && in_flight() == 0) {
    // Taking the mutex orders this notify after a waiter's predicate check (no lost wake-up).
    { std::lock_guard lock(idle_mu_); }
    idle_cv_.notify_all();
  }
}

bool OrderQueue::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(idle_mu_);
  return idle_cv_.wait_for(lock, timeout, [&] { return depth() == 0 && in_flight() == 0; });
}

}  // namespace shop::orders_detail
