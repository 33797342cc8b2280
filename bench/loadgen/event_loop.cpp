#include "event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace loadgen {

int64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
}

EventLoop::EventLoop(int64_t request_timeout_us)
    : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)), request_timeout_us_(request_timeout_us) {
  if (epoll_fd_ < 0) {
    std::perror("epoll_create1");
    std::abort();
  }
}

EventLoop::~EventLoop() {
  destroy_tasks();
  ::close(epoll_fd_);
}

bool EventLoop::add_fd(int fd, IoHandler* handler) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::remove_fd(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::arm_timeout(TimeoutTarget* target, uint64_t token) {
  timeouts_.push_back({now_us() + request_timeout_us_, target, token});
}

void EventLoop::add_timer(int64_t deadline_us, std::coroutine_handle<> h) {
  timers_.push({deadline_us, timer_seq_++, h});
}

void EventLoop::spawn(Task<void> task) {
  tasks_.push_back(std::move(task));
  tasks_.back().start();
}

void EventLoop::destroy_tasks() {
  // Frames may hold awaitables that point into each other; nothing is resumed from here on.
  ready_.clear();
  running_.clear();
  timers_ = {};
  timeouts_.clear();
  tasks_.clear();
}

void EventLoop::run_due(int64_t now) {
  // Ready handles first; a resumed coroutine may post more, which run in the next round.
  running_.swap(ready_);  // both keep their capacity: no allocation per iteration
  for (auto h : running_) {
    if (stopped_) break;
    h.resume();
  }
  running_.clear();
  if (stopped_) return;
  while (!timeouts_.empty() && timeouts_.front().deadline_us <= now && !stopped_) {
    Timeout t = timeouts_.front();
    timeouts_.pop_front();
    t.target->on_timeout(t.token);
  }
  while (!timers_.empty() && timers_.top().deadline_us <= now && !stopped_) {
    auto h = timers_.top().handle;
    timers_.pop();
    h.resume();
  }
}

int EventLoop::wait_ms(int64_t now) const {
  if (!ready_.empty()) return 0;
  int64_t next = now + 1'000'000;  // wake at least once a second
  if (!timers_.empty()) next = std::min(next, timers_.top().deadline_us);
  if (!timeouts_.empty()) next = std::min(next, timeouts_.front().deadline_us);
  if (next <= now) return 0;
  return static_cast<int>((next - now + 999) / 1000);  // round up: never spin before a deadline
}

void EventLoop::run() {
  stopped_ = false;
  constexpr int kMaxEvents = 512;
  epoll_event events[kMaxEvents];
  while (!stopped_) {
    run_due(now_us());
    if (stopped_) break;
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, wait_ms(now_us()));
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("epoll_wait");
      std::abort();
    }
    for (int i = 0; i < n && !stopped_; ++i) {
      static_cast<IoHandler*>(events[i].data.ptr)->on_io(events[i].events);
    }
  }
}

}  // namespace loadgen
