#include "jobs/scheduler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engine_context.h"
#include "shop/points.h"
#include "shop/timefmt.h"

namespace shop::jobs {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Celery-like log lines: operators of the seed grep for "received" and "succeeded"/"failed".
void log_line(Micros now, int offset, const std::string& text) {
  std::fprintf(stderr, "[%s] scheduler: %s\n", timefmt::format_datetime(now, offset).c_str(),
               text.c_str());
}

}  // namespace

Scheduler::Scheduler(detail::EngineContext& ctx) : ctx_(ctx) {
  jobs_.push_back({"expire-points-daily", 2 * 60, [this](Micros now) -> Result<std::string> {
                     auto r = ctx_.points->expire_due_lots(now);
                     if (!r) return r.error();
                     return std::to_string(r->lots_expired) + " lots expired (" +
                            std::to_string(r->points_expired) + " points, " +
                            std::to_string(r->users_affected) + " users), " +
                            std::to_string(r->lots_closed) + " closed, " +
                            std::to_string(r->failed) + " failed" +
                            (r->first_error.empty() ? "" : " (" + r->first_error + ")");
                   }});
  jobs_.push_back({"send-expiry-notifications", 10 * 60, [this](Micros now) -> Result<std::string> {
                     auto r = ctx_.points->notify_expiring(now);
                     if (!r) return r.error();
                     return std::to_string(r->users_notified) + " users notified, " +
                            std::to_string(r->lots_flagged) + " lots";
                   }});
}

Scheduler::~Scheduler() {
  stop();
}

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

void Scheduler::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::uint64_t Scheduler::rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

Micros Scheduler::latest_slot(Micros now, int minute_of_day, int offset_minutes) {
  const Micros offset = static_cast<Micros>(offset_minutes) * 60 * kMicrosPerSecond;
  const Micros local = now + offset;
  const Micros day_start = floor_div(local, kMicrosPerDay) * kMicrosPerDay;
  Micros slot = day_start + static_cast<Micros>(minute_of_day) * 60 * kMicrosPerSecond;
  if (slot > local) slot -= kMicrosPerDay;
  return slot - offset;
}

Micros Scheduler::next_slot_after(Micros now) const {
  Micros next = INT64_MAX;
  for (const Job& job : jobs_) {
    next = std::min(
        next, latest_slot(now, job.minute_of_day, ctx_.options.utc_offset_minutes) + kMicrosPerDay);
  }
  return next;
}

std::vector<std::string> Scheduler::run_due(Micros now) {
  std::lock_guard run_lock(run_mu_);
  std::vector<std::string> ran;
  const int offset = ctx_.options.utc_offset_minutes;
  for (const Job& job : jobs_) {
    const Micros slot = latest_slot(now, job.minute_of_day, offset);
    auto last = ctx_.store->read([&](store::Db& db) -> Result<Micros> {
      auto& q = db.stmt("SELECT last_run_at FROM job_runs WHERE name = ?");
      q.bind(1, job.name);
      Micros v = INT64_MIN;
      if (q.executeStep()) v = q.getColumn(0).getInt64();
      q.reset();
      return v;
    });
    if (!last) {
      log_line(now, offset, job.name + " failed: " + last.error().message);
      continue;
    }
    if (*last >= slot) continue;  // this slot (or a later one) already ran
    log_line(now, offset,
             job.name + " received (slot " + timefmt::format_datetime(slot, offset) + ")");
    const auto started = std::chrono::steady_clock::now();
    auto summary = job.run(now);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!summary) {
      log_line(now, offset,
               job.name + " failed in " + std::to_string(secs) + "s: " + summary.error().message);
      continue;  // not recorded: retried on the next round
    }
    Status recorded = ctx_.store->write([&](store::Db& db) -> Status {
      auto& q = db.stmt(
          "INSERT INTO job_runs (name, last_run_at) VALUES (?, ?) "
          "ON CONFLICT (name) DO UPDATE SET last_run_at = MAX(last_run_at, excluded.last_run_at)");
      q.bind(1, job.name);
      q.bind(2, now);
      q.exec();
      return Status::ok();
    });
    if (!recorded.is_ok()) {
      log_line(now, offset, job.name + ": cannot record the run: " + recorded.error().message);
    }
    log_line(now, offset, job.name + " succeeded in " + std::to_string(secs) + "s: " + *summary);
    ran.push_back(job.name);
  }
  return ran;
}

void Scheduler::run() {
  while (true) {
    const Micros now = ctx_.clock->now();
    run_due(now);
    // Also keeps the WAL bounded while readers overlap (a passive checkpoint; skipped when busy).
    (void)ctx_.store->checkpoint();

    const Micros until_next = next_slot_after(ctx_.clock->now()) - ctx_.clock->now();
    auto sleep = std::chrono::microseconds(std::max<Micros>(until_next, kMicrosPerSecond));
    if (sleep > kMaxSleep) sleep = kMaxSleep;

    std::unique_lock lock(mu_);
    ++rounds_;
    cv_.wait_for(lock, sleep, [&] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace shop::jobs
