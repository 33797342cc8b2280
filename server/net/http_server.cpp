#include "net/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace shopd::net {

namespace {

constexpr std::uint64_t kListenTag = ~std::uint64_t{0};
constexpr std::uint64_t kWakeTag = ~std::uint64_t{0} - 1;
constexpr int kSweepIntervalMs = 200;
constexpr int kLingerMs = 2000;                   // reading and dropping after an error reply
constexpr std::size_t kLingerMaxBytes = 4 << 20;  // ... at most this much
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kReadBudgetPerEvent = 256 * 1024;  // fairness between connections
constexpr std::size_t kIdleBufferKeep = 16 * 1024;       // larger idle buffers are released

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "Date: Mon, 07 Dec 2026 23:18:29 GMT\r\n", rebuilt at most once a second per thread.
const std::string& date_header() {
  thread_local std::time_t last = 0;
  thread_local std::string line;
  std::time_t t = std::time(nullptr);
  if (t != last) {
    last = t;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    line = buf;
  }
  return line;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 207: return "Multi-Status";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default:
      return status < 300   ? "OK"
             : status < 400 ? "Redirect"
             : status < 500 ? "Client Error"
                            : "Server Error";
  }
}

void append_sanitized(std::string& out, const std::string& s) {
  for (char c : s)
    if (c != '\r' && c != '\n') out.push_back(c);
}

bool iequal(const std::string& a, const char* b) {
  std::size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string error_response(const WireError& e) {
  httplib::Response res;
  res.status = e.status;
  std::string body = std::string(R"({"detail":")") + e.message + "\"}";
  res.set_content(body, "application/json");
  return serialize_response(res, 1, false, false);
}

}  // namespace

std::int64_t LatencyHistogram::bucket_upper_micros(int bucket) {
  // 2^(bucket/4) µs, rounded up: 1, 2, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, ...
  return static_cast<std::int64_t>(std::ceil(std::exp2(bucket / 4.0)));
}

void LatencyHistogram::record(std::int64_t micros) {
  int b = 0;
  if (micros > 1) b = std::min(kBuckets - 1, static_cast<int>(std::ceil(4.0 * std::log2(static_cast<double>(micros)))));
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (micros > max_.load(std::memory_order_relaxed)) max_.store(micros, std::memory_order_relaxed);
}

std::int64_t LatencyHistogram::quantile_micros(double q) const {
  const std::int64_t total = count();
  if (total == 0) return 0;
  const auto rank = static_cast<std::int64_t>(std::ceil(q * static_cast<double>(total)));
  std::int64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b].load(std::memory_order_relaxed);
    if (seen >= rank) return std::min(bucket_upper_micros(b), max_micros());
  }
  return max_micros();
}

std::string serialize_response(const httplib::Response& res, int minor_version, bool keep_alive,
                               bool head_only) {
  const int status = res.status <= 0 ? 200 : res.status;
  const bool no_body = status < 200 || status == 204 || status == 304;
  std::string out;
  out.reserve(192 + res.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
  bool close_requested = false;
  for (const auto& [name, value] : res.headers) {
    // Framing headers are ours to write; a route cannot desynchronise the connection.
    if (iequal(name, "Content-Length") || iequal(name, "Transfer-Encoding")) continue;
    if (iequal(name, "Connection")) {
      close_requested = close_requested || value.find("close") != std::string::npos;
      continue;
    }
    append_sanitized(out, name);
    out += ": ";
    append_sanitized(out, value);
    out += "\r\n";
  }
  if (!no_body) {
    out += "Content-Length: ";
    out += std::to_string(res.body.size());
    out += "\r\n";
  }
  if (!keep_alive || close_requested) {
    out += "Connection: close\r\n";
  } else if (minor_version == 0) {
    out += "Connection: keep-alive\r\n";
  }
  out += date_header();
  out += "\r\n";
  if (!no_body && !head_only) out += res.body;
  return out;
}

// ---------------------------------------------------------------------------------------------

namespace {

// One client connection. Owned by the loop thread; handler threads see only a copy of its
// request and return bytes.
struct Connection {
  enum class Phase {
    kAwaitRequest,  // between requests (or fresh): no byte of the next request yet
    kHead,          // reading the head
    kBody,          // reading the body
    kHandling,      // a handler thread has the request: not reading
    kWriting,       // sending the response
    kLingering,     // error sent, write side shut: reading and dropping until EOF or timeout
  };
  int fd = -1;
  std::uint64_t serial = 0;  // distinguishes this connection from a later one on the same fd
  Phase phase = Phase::kAwaitRequest;
  std::int64_t deadline_ms = 0;
  std::string in;
  std::size_t in_pos = 0;     // start of unconsumed input
  std::size_t head_scan = 0;  // find_head_end's resume point, relative to in_pos
  RequestHead head;
  ChunkedDecoder chunked;
  std::string body;
  std::string out;
  std::size_t out_pos = 0;
  bool close_after_write = false;
  bool peer_gone = false;  // the peer reset or hung up while a handler had the request
  bool in_epoll = true;
  std::uint32_t events = 0;  // the epoll interest currently registered
  std::size_t lingered = 0;
  int requests = 0;
  std::int64_t request_read_us = 0;  // when the request in hand was fully read (0: none)
  std::string remote_addr;
  int remote_port = 0;
};

struct Job {
  int fd;
  std::uint64_t serial;
  int minor_version;
  bool keep_alive;
  bool head_only;
  httplib::Request request;
};

struct Completion {
  int fd;
  std::uint64_t serial;
  bool keep_alive;
  std::string bytes;
};

std::string address_string(const sockaddr_storage& ss, int* port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    *port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    *port = ntohs(a->sin6_port);
  }
  return buf;
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions opt;
  Handler handler;
  ServerCounters counters;

  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::string local_addr;
  int local_port = 0;
  bool accepting = true;  // listen socket registered for EPOLLIN (loop thread only)
  std::int64_t accept_resume_ms = 0;
  std::atomic<bool> stop_requested{false};

  // Loop thread only.
  std::vector<std::unique_ptr<Connection>> conns;  // indexed by fd
  std::uint64_t next_serial = 1;
  int open = 0;
  int in_flight = 0;  // requests with the handlers

  // Handler queue: guarded by job_mu. Completions: guarded by done_mu.
  std::mutex job_mu;
  std::condition_variable job_cv;
  std::deque<Job> jobs;
  bool handlers_stop = false;
  std::mutex done_mu;
  std::vector<Completion> done;
  std::atomic<bool> wake_pending{false};

  // --- setup -----------------------------------------------------------------------------
  int bind(std::string* error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(opt.port);
    if (int rc = getaddrinfo(opt.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      *error = std::string("cannot resolve ") + opt.host + ": " + gai_strerror(rc);
      return -1;
    }
    int fd = -1;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      int yes = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, opt.backlog) == 0) break;
      *error =
          std::string("cannot listen on ") + opt.host + ":" + port + ": " + std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
      if (error->empty()) *error = "cannot listen on " + opt.host + ":" + port;
      return -1;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    local_addr = address_string(ss, &local_port);
    listen_fd = fd;
    return local_port;
  }

  // --- handler threads -------------------------------------------------------------------
  void handler_loop() {
    while (true) {
      Job job;
      {
        std::unique_lock lk(job_mu);
        job_cv.wait(lk, [&] { return handlers_stop || !jobs.empty(); });
        if (jobs.empty()) return;  // stopping and nothing left
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      httplib::Response res;
      try {
        handler(job.request, res);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "shopd: handler error: %s\n", e.what());
        res = httplib::Response{};
        res.status = 500;
        res.set_content(R"({"detail":"Internal server error."})", "application/json");
      } catch (...) {
        res = httplib::Response{};
        res.status = 500;
        res.set_content(R"({"detail":"Internal server error."})", "application/json");
      }
      bool keep_alive = job.keep_alive;
      if (auto it = res.headers.find("Connection");
          it != res.headers.end() && it->second.find("close") != std::string::npos) {
        keep_alive = false;
      }
      Completion c{job.fd, job.serial, keep_alive,
                   serialize_response(res, job.minor_version, keep_alive, job.head_only)};
      {
        std::lock_guard lk(done_mu);
        done.push_back(std::move(c));
      }
      wake();
    }
  }

  void wake() {
    // One eventfd write per batch of completions: the loop clears the flag before draining.
    if (!wake_pending.exchange(true, std::memory_order_acq_rel)) {
      std::uint64_t one = 1;
      ssize_t rc = ::write(wake_fd, &one, sizeof one);
      (void)rc;
    }
  }

  // --- epoll helpers (loop thread) -----------------------------------------------------------
  void set_events(Connection& c, std::uint32_t events) {
    if (!c.in_epoll || c.events == events) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<std::uint64_t>(c.fd);
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
  }

  void close_conn(Connection& c) {
    const int fd = c.fd;
    if (c.in_epoll) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns[static_cast<std::size_t>(fd)].reset();
    --open;
    counters.connections_open.store(open, std::memory_order_relaxed);
  }

  void set_accepting(bool on) {
    if (accepting == on || listen_fd < 0) return;
    epoll_event ev{};
    ev.events = on ? static_cast<std::uint32_t>(EPOLLIN) : 0u;
    ev.data.u64 = kListenTag;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &ev);
    accepting = on;
  }

  // --- connection life -------------------------------------------------------------------
  void accept_all(std::int64_t now) {
    for (int n = 0; n < 256 && open < opt.max_connections; ++n) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: leave the rest in the backlog for a moment instead of spinning.
          set_accepting(false);
          accept_resume_ms = now + 100;
        }
        return;
      }
      int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      c->serial = next_serial++;
      c->remote_addr = address_string(ss, &c->remote_port);
      c->deadline_ms = now + opt.header_timeout_ms;  // the first request must start promptly
      c->events = EPOLLIN;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = static_cast<std::uint64_t>(fd);
      if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        ::close(fd);
        continue;
      }
      if (conns.size() <= static_cast<std::size_t>(fd))
        conns.resize(static_cast<std::size_t>(fd) + 64);
      conns[static_cast<std::size_t>(fd)] = std::move(c);
      ++open;
      counters.connections_open.store(open, std::memory_order_relaxed);
      counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    }
    if (open >= opt.max_connections) set_accepting(false);
  }

  void on_event(Connection& c, std::uint32_t ev, std::int64_t now) {
    if (c.phase == Connection::Phase::kHandling) {
      // Not reading now; a reset or hang-up is remembered and acted on when the handler is done.
      if (ev & (EPOLLERR | EPOLLHUP)) {
        c.peer_gone = true;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
        c.in_epoll = false;
      }
      return;
    }
    if (ev & EPOLLERR) {
      close_conn(c);
      return;
    }
    if (c.phase == Connection::Phase::kWriting) {
      if (ev & (EPOLLOUT | EPOLLHUP)) write_out(c, now);
      return;
    }
    if (ev & (EPOLLIN | EPOLLHUP)) read_in(c, now);
  }

  void read_in(Connection& c, std::int64_t now) {
    char buf[kReadChunk];
    std::size_t budget = kReadBudgetPerEvent;
    while (budget > 0) {
      ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n == 0) {  // EOF: a half-sent request is abandoned; nothing to answer
        close_conn(c);
        return;
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        close_conn(c);
        return;
      }
      budget -= std::min(budget, static_cast<std::size_t>(n));
      if (c.phase == Connection::Phase::kLingering) {
        c.lingered += static_cast<std::size_t>(n);
        if (c.lingered > kLingerMaxBytes) {
          close_conn(c);
          return;
        }
        continue;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
      if (!process_input(c, now)) return;  // connection closed
      if (c.phase == Connection::Phase::kHandling || c.phase == Connection::Phase::kWriting) return;
    }
  }

  // Advances the request state machine over buffered input. Returns false if it closed `c`.
  bool process_input(Connection& c, std::int64_t now) {
    using Phase = Connection::Phase;
    while (true) {
      std::string_view avail(c.in.data() + c.in_pos, c.in.size() - c.in_pos);
      switch (c.phase) {
        case Phase::kAwaitRequest: {
          // RFC 9112 §2.2: ignore empty lines before a request line.
          std::size_t skip = 0;
          while (skip < avail.size() && (avail[skip] == '\r' || avail[skip] == '\n')) ++skip;
          c.in_pos += skip;
          if (skip == avail.size()) {
            compact(c);
            return true;
          }
          c.phase = Phase::kHead;
          c.head_scan = 0;
          c.deadline_ms = now + opt.header_timeout_ms;
          continue;
        }
        case Phase::kHead: {
          std::size_t end = find_head_end(avail, &c.head_scan);
          if (end == 0) {
            if (WireError e = incomplete_head_error(avail, opt.limits); e.status) {
              return reply_error(c, e, now);
            }
            return true;
          }
          if (WireError e = parse_head(avail.substr(0, end), opt.limits, c.head); e.status) {
            return reply_error(c, e, now);
          }
          c.in_pos += end;
          c.body.clear();
          if (c.head.framing == BodyFraming::kNone) {
            dispatch(c);
            return true;
          }
          c.phase = Phase::kBody;
          c.chunked.reset();
          c.deadline_ms = now + opt.body_timeout_ms;
          if (c.head.framing == BodyFraming::kLength) c.body.reserve(c.head.content_length);
          if (c.head.expect_continue && c.in_pos == c.in.size()) {
            static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            // The socket's send buffer is empty here (nothing else is in flight on it).
            ssize_t rc = ::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL);
            (void)rc;
          }
          continue;
        }
        case Phase::kBody: {
          if (c.head.framing == BodyFraming::kLength) {
            std::size_t take = std::min(c.head.content_length - c.body.size(), avail.size());
            c.body.append(avail.data(), take);
            c.in_pos += take;
            if (c.body.size() < c.head.content_length) {
              compact(c);
              return true;
            }
          } else {
            std::size_t used = 0;
            WireError err;
            auto p = c.chunked.feed(avail, &used, c.body, opt.limits.max_body_bytes, &err);
            c.in_pos += used;
            if (p == ChunkedDecoder::Progress::kError) return reply_error(c, err, now);
            if (p == ChunkedDecoder::Progress::kNeedMore) {
              compact(c);
              return true;
            }
          }
          dispatch(c);
          return true;
        }
        default: return true;
      }
    }
  }

  // Drops consumed input so buffers stay proportional to what is still unread.
  static void compact(Connection& c) {
    if (c.in_pos == 0) return;
    c.in.erase(0, c.in_pos);
    c.in_pos = 0;
  }

  void dispatch(Connection& c) {
    Job job;
    job.fd = c.fd;
    job.serial = c.serial;
    job.minor_version = c.head.minor_version;
    job.keep_alive = c.head.keep_alive && !stop_requested.load(std::memory_order_relaxed) &&
                     (opt.keep_alive_max <= 0 || c.requests + 1 < opt.keep_alive_max);
    job.head_only = c.head.method == "HEAD";
    httplib::Request& req = job.request;
    req.method = std::move(c.head.method);
    req.target = c.head.target;
    req.version = c.head.minor_version == 0 ? "HTTP/1.0" : "HTTP/1.1";
    const std::size_t q = c.head.target.find('?');
    req.path = httplib::detail::decode_url(c.head.target.substr(0, q), false);
    if (q != std::string::npos)
      httplib::detail::parse_query_text(c.head.target.substr(q + 1), req.params);
    for (auto& [name, value] : c.head.headers)
      req.headers.emplace(std::move(name), std::move(value));
    req.body = std::move(c.body);
    c.body.clear();
    req.remote_addr = c.remote_addr;
    req.remote_port = c.remote_port;
    req.local_addr = local_addr;
    req.local_port = local_port;

    c.phase = Connection::Phase::kHandling;
    c.request_read_us = now_us();
    ++c.requests;
    set_events(c, 0);  // stop reading: the next pipelined request waits for this response
    ++in_flight;
    counters.requests.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lk(job_mu);
      jobs.push_back(std::move(job));
    }
    job_cv.notify_one();
  }

  // Answers a request refused while reading it and closes the connection after a linger.
  bool reply_error(Connection& c, const WireError& e, std::int64_t now) {
    counters.wire_errors.fetch_add(1, std::memory_order_relaxed);
    c.in.clear();
    c.in_pos = 0;
    c.body.clear();
    c.out = error_response(e);
    c.out_pos = 0;
    c.close_after_write = true;
    c.phase = Connection::Phase::kWriting;
    c.deadline_ms = now + opt.write_timeout_ms;
    return write_out(c, now);
  }

  void on_completion(Completion& done_job, std::int64_t now) {
    --in_flight;
    const auto fd = static_cast<std::size_t>(done_job.fd);
    if (fd >= conns.size() || !conns[fd] || conns[fd]->serial != done_job.serial) return;
    Connection& c = *conns[fd];
    if (c.peer_gone) {
      close_conn(c);
      return;
    }
    c.out = std::move(done_job.bytes);
    c.out_pos = 0;
    c.close_after_write = !done_job.keep_alive || stop_requested.load(std::memory_order_relaxed);
    c.phase = Connection::Phase::kWriting;
    c.deadline_ms = now + opt.write_timeout_ms;
    write_out(c, now);
  }

  // Sends pending output. Returns false if it closed `c`.
  bool write_out(Connection& c, std::int64_t now) {
    while (c.out_pos < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          set_events(c, EPOLLOUT);
          return true;
        }
        close_conn(c);
        return false;
      }
      c.out_pos += static_cast<std::size_t>(n);
    }
    c.out.clear();
    c.out_pos = 0;
    if (c.out.capacity() > kIdleBufferKeep) c.out.shrink_to_fit();
    if (c.request_read_us) {
      counters.latency.record(now_us() - c.request_read_us);
      c.request_read_us = 0;
    }
    if (c.close_after_write) {
      // Shut our side and read until the peer closes, so unread input does not turn our close
      // into a reset that destroys the response before the client reads it.
      ::shutdown(c.fd, SHUT_WR);
      c.phase = Connection::Phase::kLingering;
      c.lingered = 0;
      c.in.clear();
      c.in_pos = 0;
      c.deadline_ms = now + kLingerMs;
      set_events(c, EPOLLIN);
      return true;
    }
    c.phase = Connection::Phase::kAwaitRequest;
    c.deadline_ms = now + opt.idle_timeout_ms;
    if (c.in_pos == c.in.size() && c.in.capacity() > kIdleBufferKeep) {
      c.in.clear();
      c.in.shrink_to_fit();
      c.in_pos = 0;
    }
    set_events(c, EPOLLIN);
    // A pipelined request may already be buffered.
    if (c.in_pos < c.in.size()) return process_input(c, now);
    return true;
  }

  void sweep(std::int64_t now) {
    for (auto& slot : conns) {
      if (!slot) continue;
      Connection& c = *slot;
      if (c.phase == Connection::Phase::kHandling || now < c.deadline_ms) continue;
      counters.timeouts.fetch_add(1, std::memory_order_relaxed);
      const bool partial_request =
          c.phase == Connection::Phase::kHead || c.phase == Connection::Phase::kBody;
      if (partial_request) {
        reply_error(c, WireError{408, "Request timeout."}, now);
      } else {
        close_conn(c);
      }
    }
    if (!accepting && !stop_requested.load(std::memory_order_relaxed) &&
        open < opt.max_connections && now >= accept_resume_ms) {
      set_accepting(true);
    }
  }

  void begin_shutdown(std::int64_t now) {
    if (listen_fd >= 0) {
      ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
      ::close(listen_fd);
      listen_fd = -1;
    }
    for (auto& slot : conns) {
      if (!slot) continue;
      Connection& c = *slot;
      switch (c.phase) {
        case Connection::Phase::kHandling: break;  // its response goes out with "Connection: close"
        case Connection::Phase::kWriting: c.close_after_write = true; break;
        default: close_conn(c);
      }
    }
    (void)now;
  }

  void run() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &ev);
    ev.data.u64 = kListenTag;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);

    std::vector<std::thread> workers;
    for (int i = 0; i < std::max(1, opt.handler_threads); ++i)
      workers.emplace_back([this] { handler_loop(); });

    std::vector<epoll_event> events(512);
    std::vector<Completion> batch;
    std::int64_t last_sweep = now_ms();
    std::int64_t shutdown_deadline = 0;
    bool shutting_down = false;
    while (true) {
      int n =
          ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), kSweepIntervalMs);
      const std::int64_t now = now_ms();
      for (int i = 0; i < n; ++i) {
        const std::uint64_t tag = events[i].data.u64;
        if (tag == kListenTag) {
          if (!shutting_down) accept_all(now);
        } else if (tag == kWakeTag) {
          std::uint64_t count;
          ssize_t rc = ::read(wake_fd, &count, sizeof count);
          (void)rc;
          wake_pending.store(false, std::memory_order_release);
          {
            std::lock_guard lk(done_mu);
            batch.swap(done);
          }
          for (auto& c : batch) on_completion(c, now);
          batch.clear();
        } else {
          const auto fd = static_cast<std::size_t>(tag);
          if (fd < conns.size() && conns[fd]) on_event(*conns[fd], events[i].events, now);
        }
      }
      if (!shutting_down && stop_requested.load(std::memory_order_acquire)) {
        shutting_down = true;
        shutdown_deadline = now + opt.shutdown_grace_ms;
        begin_shutdown(now);
      }
      if (now - last_sweep >= kSweepIntervalMs) {
        last_sweep = now;
        sweep(now);
      }
      if (shutting_down && ((in_flight == 0 && open == 0) || now >= shutdown_deadline)) break;
    }

    {
      std::lock_guard lk(job_mu);
      handlers_stop = true;
    }
    job_cv.notify_all();
    for (auto& t : workers) t.join();
    for (auto& slot : conns)
      if (slot) close_conn(*slot);
  }
};

// The epoll set and the wake-up eventfd live as long as the server, so stop() may write to the
// eventfd from any thread at any time, before, during or after run().
HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->handler = std::move(handler);
  impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  impl_->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

HttpServer::~HttpServer() {
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
  ::close(impl_->wake_fd);
  ::close(impl_->epoll_fd);
}

int HttpServer::bind(std::string* error) {
  std::string ignored;
  return impl_->bind(error ? error : &ignored);
}

void HttpServer::run() {
  impl_->run();
}

void HttpServer::stop() {
  impl_->stop_requested.store(true, std::memory_order_release);
  std::uint64_t one = 1;  // wakes the loop at once (it would notice within a sweep anyway)
  ssize_t rc = ::write(impl_->wake_fd, &one, sizeof one);
  (void)rc;
}

const ServerCounters& HttpServer::counters() const {
  return impl_->counters;
}

}  // namespace shopd::net
