// scheduler.h — in-process periodic jobs (the seed's Celery beat): point expiry daily at 02:00 and
// expiry notices daily at 10:00, in the configured zone. Owns one thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace shop {
namespace detail {
struct EngineContext;
}
namespace jobs {

class Scheduler {
 public:
  explicit Scheduler(detail::EngineContext& ctx);
  ~Scheduler();
  void start();
  void stop();

 private:
  void run();
  detail::EngineContext& ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace jobs
}  // namespace shop
