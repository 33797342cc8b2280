#include "http_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace loadgen {

bool resolve_endpoint(const Url& url, Endpoint* out, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    *error = "cannot resolve " + url.host + ": " + gai_strerror(rc);
    return false;
  }
  std::memcpy(&out->addr, found->ai_addr, found->ai_addrlen);
  out->addr_len = found->ai_addrlen;
  freeaddrinfo(found);
  bool ipv6_literal = url.host.find(':') != std::string::npos;
  out->host_header = (ipv6_literal ? "[" + url.host + "]" : url.host) + ":" + port;
  out->base_path = url.base_path;
  return true;
}

Connection::Connection(EventLoop& loop, const Endpoint& endpoint, ConnectionCounters& counters)
    : loop_(loop), endpoint_(endpoint), counters_(counters) {}

Connection::~Connection() {
  close();
}

void Connection::close() {
  if (fd_ >= 0) {
    loop_.remove_fd(fd_);
    ::close(fd_);
    fd_ = -1;
    --counters_.open;
  }
  state_ = State::kIdle;
  served_on_fd_ = 0;
}

void Connection::start(std::string request, std::coroutine_handle<> waiter) {
  waiter_ = waiter;
  out_ = std::move(request);
  out_off_ = 0;
  retried_ = false;
  parser_.reset();
  result_ = HttpResult{};
  start_us_ = now_us();
  loop_.arm_timeout(this, ++token_);
  if (fd_ < 0) {
    open_socket();
  } else {
    state_ = State::kWriting;
    try_write();
  }
}

void Connection::open_socket() {
  fd_ = ::socket(endpoint_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(TransportError::kConnect, std::string("socket: ") + std::strerror(errno));
    return;
  }
  ++counters_.open;
  ++counters_.connects;
  counters_.peak_open = std::max(counters_.peak_open, counters_.open);
  served_on_fd_ = 0;
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!loop_.add_fd(fd_, this)) {
    fail(TransportError::kConnect, std::string("epoll_ctl: ") + std::strerror(errno));
    return;
  }
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint_.addr), endpoint_.addr_len);
  if (rc == 0) {
    state_ = State::kWriting;
    try_write();
  } else if (errno == EINPROGRESS) {
    state_ = State::kConnecting;  // EPOLLOUT reports completion
  } else {
    fail(TransportError::kConnect, std::string("connect: ") + std::strerror(errno));
  }
}

void Connection::on_io(uint32_t events) {
  if (fd_ < 0) return;
  if (state_ == State::kConnecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      fail(TransportError::kConnect, std::string("connect: ") + std::strerror(err));
      return;
    }
    state_ = State::kWriting;
    try_write();
    return;
  }
  if (state_ == State::kWriting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) try_write();
  if (fd_ < 0) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (state_ == State::kWriting || state_ == State::kReading) {
      try_read();
    } else if (state_ == State::kIdle) {
      // Activity on an idle keep-alive socket is the server closing it (or garbage): drop it so
      // the next request reconnects instead of failing.
      char scratch[512];
      ssize_t n;
      while ((n = ::recv(fd_, scratch, sizeof scratch, 0)) > 0) {
      }
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) close();
    }
  }
}

void Connection::try_write() {
  while (out_off_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
    if (n > 0) {
      out_off_ += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;  // EPOLLOUT will call us again
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      on_broken("send", errno);
      return;
    }
  }
  state_ = State::kReading;
}

void Connection::try_read() {
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      auto st = parser_.feed(buf, static_cast<size_t>(n));
      if (st == ResponseParser::State::kComplete) {
        finish();
        return;
      }
      if (st == ResponseParser::State::kError) {
        fail(TransportError::kProtocol, parser_.error());
        return;
      }
    } else if (n == 0) {
      if (parser_.feed_eof() == ResponseParser::State::kComplete) {
        finish();
      } else {
        on_broken("recv", 0);
      }
      return;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else if (errno == EINTR) {
      continue;
    } else {
      on_broken("recv", errno);
      return;
    }
  }
}

void Connection::on_broken(const char* what, int err) {
  // A reused keep-alive socket the server already closed: resend once on a fresh socket.
  if (served_on_fd_ > 0 && !retried_ && !parser_.started()) {
    retried_ = true;
    ++counters_.reconnect_retries;
    close();
    out_off_ = 0;
    parser_.reset();
    open_socket();
    return;
  }
  std::string detail = err == 0 ? parser_.error() : std::string(what) + ": " + std::strerror(err);
  fail(TransportError::kConnection, detail);
}

void Connection::finish() {
  result_.error = TransportError::kNone;
  result_.latency_us = now_us() - start_us_;
  result_.bytes_received = parser_.bytes_seen();
  result_.response = std::move(parser_.response());
  ++served_on_fd_;
  bool keep = result_.response.keep_alive;
  state_ = State::kIdle;
  if (!keep) close();
  ++token_;  // disarm the timeout
  loop_.post(std::exchange(waiter_, {}));
}

void Connection::fail(TransportError error, std::string detail) {
  result_.error = error;
  result_.error_detail = std::move(detail);
  result_.latency_us = now_us() - start_us_;
  result_.bytes_received = parser_.bytes_seen();
  close();
  ++token_;
  if (waiter_) loop_.post(std::exchange(waiter_, {}));
}

void Connection::on_timeout(uint64_t token) {
  if (token != token_ || !waiter_) return;
  fail(TransportError::kTimeout, "no response within the request timeout");
}

}  // namespace loadgen
