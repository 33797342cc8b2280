#include "jobs/scheduler.h"

#include "engine_context.h"

namespace shop::jobs {

Scheduler::Scheduler(detail::EngineContext& ctx) : ctx_(ctx) {}
Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::run() {
  // TODO(points): run the daily jobs. Until then the thread only waits for stop().
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_; });
}

}  // namespace shop::jobs
