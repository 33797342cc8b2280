// http_config.h — shopd's HTTP front end, chosen on purpose (docs/http-frontend.md), shared with
// bench/trivial_server so the baseline runs the same HTTP stack with the same flags.
//
//  * "event" (the default): net::HttpServer — one epoll loop owns every connection, a fixed pool
//    of handler threads runs the routes. Idle keep-alive connections cost no thread and no CPU,
//    so keep-alive stays on for every client; every read has a total deadline and a size bound.
//  * "threads": cpp-httplib 0.11.4's own server (a thread per connection for its whole keep-alive
//    life, idle connections polled), with the adaptive keep-alive policy shopd used before.
//    Kept only so benchmarks can measure the two side by side; it lacks the event front end's
//    bounds (total head/body deadlines, header count, conflicting Content-Length, pipelining).
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace shopd {
namespace net {
struct ServerCounters;
}

struct HttpOptions {
  std::string frontend = "event";  // event | threads
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 64;  // handler threads; most wait on group commit, and more waiting writes batch better
  int keep_alive_max = 0;         // requests per connection (0: unlimited)
  int keep_alive_timeout_s = 75;  // idle seconds between requests on a connection
  int backlog = 1024;
  int max_connections = 10000;
  int header_timeout_s = 10;  // whole request head, from its first byte
  int body_timeout_s = 30;    // whole request body, from the end of the head
  int write_timeout_s = 30;
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413
  size_t max_header_bytes = 32 * 1024;
  int max_header_count = 100;
};

using HttpHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

// A front end serving one handler. bind() then run() (blocks until stop(), from any thread).
class Frontend {
 public:
  virtual ~Frontend() = default;
  virtual int bind(std::string* error) = 0;  // the bound port, or -1
  virtual void run() = 0;
  virtual void stop() = 0;
  virtual const net::ServerCounters* counters() const { return nullptr; }
};

std::unique_ptr<Frontend> make_frontend(const HttpOptions& options, HttpHandler handler);
// The legacy cpp-httplib server ("threads"); defined in threaded_frontend.cpp.
std::unique_ptr<Frontend> make_threaded_frontend(const HttpOptions& options, HttpHandler handler);

// Adds the --frontend, --host, --port, --http-threads, timeout and limit flags to a command line.
void add_http_flags(CLI::App& app, HttpOptions& options);

}  // namespace shopd
