// event_loop.h — a single-threaded epoll loop with coroutine sleeps and request timeouts.
//
// Everything in one load-generator run lives on one thread: sockets (edge-triggered epoll), the
// simulated users (coroutines), periodic tickers. No locks are needed anywhere. Thousands of idle
// keep-alive connections cost nothing until the kernel reports activity on them.
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <queue>
#include <vector>

#include "task.h"

namespace loadgen {

// Monotonic clock in microseconds.
int64_t now_us();

// Receives epoll events for one registered file descriptor.
class IoHandler {
 public:
  virtual void on_io(uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

// Receives the expiry of a timeout armed with EventLoop::arm_timeout. `token` tells a stale expiry
// (the operation already finished) from a live one.
class TimeoutTarget {
 public:
  virtual void on_timeout(uint64_t token) = 0;

 protected:
  ~TimeoutTarget() = default;
};

class EventLoop {
 public:
  explicit EventLoop(int64_t request_timeout_us);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registers fd (edge-triggered, in + out + hang-up). The handler must outlive the registration.
  bool add_fd(int fd, IoHandler* handler);
  void remove_fd(int fd);

  // All request timeouts have the same length, so a FIFO is already sorted by deadline.
  void arm_timeout(TimeoutTarget* target, uint64_t token);

  // Resumes `h` from the top of the loop (never from inside an I/O callback).
  void post(std::coroutine_handle<> h) { ready_.push_back(h); }

  struct SleepAwaitable {
    EventLoop& loop;
    int64_t deadline_us;
    bool await_ready() const noexcept { return deadline_us <= now_us(); }
    void await_suspend(std::coroutine_handle<> h) { loop.add_timer(deadline_us, h); }
    void await_resume() const noexcept {}
  };
  SleepAwaitable sleep_until(int64_t deadline_us) { return {*this, deadline_us}; }
  SleepAwaitable sleep_for(int64_t duration_us) { return {*this, now_us() + duration_us}; }

  // Takes ownership of a top-level task and starts it.
  void spawn(Task<void> task);

  // Runs until stop() is called.
  void run();
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  // Destroys all owned top-level tasks (their frames) without resuming anything.
  void destroy_tasks();

 private:
  struct Timer {
    int64_t deadline_us;
    uint64_t seq;
    std::coroutine_handle<> handle;
    bool operator>(const Timer& o) const {
      return deadline_us != o.deadline_us ? deadline_us > o.deadline_us : seq > o.seq;
    }
  };
  struct Timeout {
    int64_t deadline_us;
    TimeoutTarget* target;
    uint64_t token;
  };

  void add_timer(int64_t deadline_us, std::coroutine_handle<> h);
  void run_due(int64_t now);
  int wait_ms(int64_t now) const;

  int epoll_fd_ = -1;
  int64_t request_timeout_us_;
  bool stopped_ = false;
  uint64_t timer_seq_ = 0;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::deque<Timeout> timeouts_;
  std::vector<std::coroutine_handle<>> ready_;
  std::vector<std::coroutine_handle<>> running_;  // the batch being resumed
  std::vector<Task<void>> tasks_;
};

}  // namespace loadgen
