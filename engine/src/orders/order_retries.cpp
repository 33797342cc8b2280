#include "orders/order_retries.h"

#include <algorithm>

namespace shop::orders_detail {

OrderRetries::OrderRetries(OrderQueue& queue) : queue_(queue), rng_(std::random_device{}()) {}

std::chrono::milliseconds OrderRetries::backoff(int attempt, double unit) {
  const int doublings = std::clamp(attempt - 1, 0, 16);
  const auto full = std::min<std::int64_t>(kFirstDelay.count() << doublings, kMaxDelay.count());
  const auto half = full / 2;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(unit * (full - half)));
}

void OrderRetries::start() {
  std::lock_guard lock(mu_);
  if (timer_.joinable() || stopping_) return;
  timer_ = std::thread([this] { run(); });
}

void OrderRetries::stop() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  lock.unlock();
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  lock.lock();
  const auto n = due_.size();
  while (!due_.empty()) due_.pop();
  attempts_.clear();
  queue_.finished(n);
}

int OrderRetries::add(std::int64_t id) {
  std::unique_lock lock(mu_);
  const int attempt = ++attempts_[id];
  if (stopping_) {
    attempts_.erase(id);
    queue_.finished(1);  // left pending in the database; the next start recovers it
    return attempt;
  }
  const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const auto at = Clock::now() + backoff(attempt, unit);
  const bool sooner = due_.empty() || at < due_.top().at;
  due_.push({at, id});
  ++scheduled_;
  lock.unlock();
  if (sooner) cv_.notify_all();
  return attempt;
}

void OrderRetries::settled(std::int64_t id) {
  std::lock_guard lock(mu_);
  attempts_.erase(id);
}

std::size_t OrderRetries::release_all_now() {
  std::lock_guard lock(mu_);
  const auto n = due_.size();
  for (; !due_.empty(); due_.pop()) queue_.requeue(due_.top().id);
  return n;
}

int OrderRetries::attempts(std::int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = attempts_.find(id);
  return it == attempts_.end() ? 0 : it->second;
}

std::int64_t OrderRetries::waiting() const {
  std::lock_guard lock(mu_);
  return static_cast<std::int64_t>(due_.size());
}

std::int64_t OrderRetries::scheduled() const {
  std::lock_guard lock(mu_);
  return scheduled_;
}

void OrderRetries::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto now = Clock::now();
    const auto next = due_.top().at;  // a copy: add() may reallocate the heap while we wait
    if (now < next) {
      cv_.wait_until(lock, next);
      continue;
    }
    // Requeued under mu_, so stop() never sees an order half way between here and the queue.
    for (; !due_.empty() && due_.top().at <= now; due_.pop()) queue_.requeue(due_.top().id);
  }
}

}  // namespace shop::orders_detail
