// scheduler.h — in-process periodic jobs (the seed's Celery beat): point expiry daily at 02:00 and
// expiry notices daily at 10:00, in the configured zone. Owns one thread.
//
// Each job remembers its last run in job_runs, so a restart never runs a day's job twice, and a
// slot missed while the process was down is caught up on the next start. Time comes from
// ctx.clock: the thread sleeps on a condition variable (until the next slot, at most
// kMaxSleep) and re-reads the clock when it wakes, so a test on a ManualClock moves the clock and
// calls wake() instead of waiting. run_due() is the same step, synchronously.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}
namespace jobs {

class Scheduler {
 public:
  struct Job {
    std::string name;   // the job_runs key (the Celery beat entry's name)
    int minute_of_day;  // local time of day of the daily slot
    std::function<Result<std::string>(Micros now)> run;  // a one-line summary for the log
  };

  explicit Scheduler(detail::EngineContext& ctx);
  ~Scheduler();
  void start();
  void stop();
  // Makes the thread re-check the clock now (after a test moved a ManualClock).
  void wake();

  // Runs every job whose latest slot (<= now) came after its last recorded run, records the run,
  // and returns the names of the jobs that ran (and succeeded).
  std::vector<std::string> run_due(Micros now);
  // How many times the thread has checked for due jobs (tests poll it after wake()).
  std::uint64_t rounds() const;

  // The latest daily slot at or before `now`: local time `minute_of_day` at UTC offset.
  static Micros latest_slot(Micros now, int minute_of_day, int offset_minutes);

  static constexpr std::chrono::seconds kMaxSleep{60};

 private:
  void run();
  Micros next_slot_after(Micros now) const;

  detail::EngineContext& ctx_;
  std::vector<Job> jobs_;
  std::mutex run_mu_;  // one run_due at a time (thread and callers)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;     // guarded by mu_
  bool woken_ = false;        // guarded by mu_
  std::uint64_t rounds_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace jobs
}  // namespace shop
