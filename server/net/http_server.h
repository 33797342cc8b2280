// net/http_server.h — shopd's HTTP/1.1 front end: one event-loop thread that owns every connection
// (epoll; an idle keep-alive connection costs a few hundred bytes and no thread) in front of a
// fixed pool of handler threads that run the routes. Why not cpp-httplib's server: it gives each
// connection a thread for its whole keep-alive life and polls idle ones, so 1000 mostly idle
// clients cost ~150 % CPU and 64 slow clients stop all service (docs/http-frontend.md has the
// measurements). The routes keep cpp-httplib's Request/Response types.
//
// Threads and ownership:
//  * the loop thread (run()) owns the listening socket, the epoll set, every Connection and its
//    buffers, and all deadlines; no other thread touches a socket;
//  * handler threads take one parsed request at a time from a queue, call the handler, serialise
//    the response, and hand the bytes back through a completion list + eventfd wake-up;
//  * a connection has at most one request with the handlers at a time, so responses leave in
//    request order (pipelined requests wait in the socket buffer until the previous one is out).
//
// Bounds (ServerOptions): the whole head must arrive within header_timeout of its first byte and
// the whole body within body_timeout of the head (a byte every few seconds does not extend
// either), heads are limited in size and header count (431), bodies in size (413), connections in
// number (max_connections; beyond it new connections wait in the listen backlog).
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/http_parser.h"

namespace shopd::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: any free port (see bind())
  int backlog = 1024;
  int handler_threads = 64;
  int max_connections = 10000;
  int header_timeout_ms = 10'000;  // first byte of a request (or accept) to the end of its head
  int body_timeout_ms = 30'000;    // end of the head to the end of the body
  int idle_timeout_ms = 75'000;    // between requests on a keep-alive connection
  int write_timeout_ms = 30'000;   // a response that the client does not read
  int keep_alive_max = 0;          // requests per connection; 0: no limit
  int shutdown_grace_ms = 10'000;  // stop(): how long in-flight requests may take to finish
  HttpLimits limits;
};

// Server-side request latency: from the moment a request is fully read to the moment its response
// is fully written (what the server adds, without the client's own delays). Log-spaced buckets,
// 4 per power of two, from 1 µs to ~70 min; one writer (the loop thread), readers anywhere.
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 128;
  void record(std::int64_t micros);
  // The upper bound of the bucket holding quantile q (0 < q <= 1), in microseconds; 0 if empty.
  std::int64_t quantile_micros(double q) const;
  std::int64_t max_micros() const { return max_.load(std::memory_order_relaxed); }
  std::int64_t count() const { return count_.load(std::memory_order_relaxed); }
  static std::int64_t bucket_upper_micros(int bucket);

 private:
  std::atomic<std::int64_t> buckets_[kBuckets] = {};
  std::atomic<std::int64_t> count_{0};
  std::atomic<std::int64_t> max_{0};
};

// Counters for /metrics/ and tests; updated by the loop thread, readable from any thread.
struct ServerCounters {
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::int64_t> connections_accepted{0};
  std::atomic<std::int64_t> requests{0};
  std::atomic<std::int64_t> wire_errors{0};  // requests refused while reading (4xx/5xx above)
  std::atomic<std::int64_t> timeouts{0};     // connections closed by a deadline
  LatencyHistogram latency;
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the port (the chosen one for port 0), or -1 with a message.
  int bind(std::string* error);
  // Runs the event loop on the calling thread until stop(), then lets in-flight requests finish
  // (up to shutdown_grace_ms) and returns. Starts and joins the handler threads.
  void run();
  // From any thread (not from a signal handler): stop accepting and make run() return.
  void stop();
  const ServerCounters& counters() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Serialises a response (status line, headers, Content-Length, Date, Connection) for a request of
// `minor_version`; `head_only` (HEAD) leaves the body out. Header values lose any CR/LF.
std::string serialize_response(const httplib::Response& res, int minor_version, bool keep_alive,
                               bool head_only);

}  // namespace shopd::net
