// threaded_frontend.cpp — the legacy front end: cpp-httplib 0.11.4's own server (Debian, compiled)
// with the connection policy shopd used before the event front end. Kept for side-by-side
// benchmarks only (docs/http-frontend.md); not hardened like net::HttpServer.
//
// In this library each connection is a job on a thread pool and owns its thread for its whole
// keep-alive life, polling while idle. The policy: TCP_NODELAY; a pool of `threads`; keep-alive
// only while a quarter of the threads are free (responses carry "Connection: close" under
// pressure, so think-time clients hand their thread back); a raised listen backlog (the library
// hard-codes 5); payload limit and read/write timeouts.
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <memory>

#include "http_config.h"

namespace shopd {

namespace {

// Connections held (queued or being served) by the pool, and the level that counts as pressure.
// Written by the accept thread (enqueue) and the pool threads (job end); read by handlers.
std::atomic<int> g_connections_held{0};
std::atomic<int> g_pressure_level{1 << 30};

bool connection_pressure() {
  return g_connections_held.load(std::memory_order_relaxed) >=
         g_pressure_level.load(std::memory_order_relaxed);
}

// httplib's ThreadPool, counting the connection jobs it holds.
class CountingThreadPool final : public httplib::TaskQueue {
 public:
  explicit CountingThreadPool(size_t n) : pool_(n) {}
  void enqueue(std::function<void()> fn) override {
    g_connections_held.fetch_add(1, std::memory_order_relaxed);
    pool_.enqueue([fn = std::move(fn)] {
      fn();
      g_connections_held.fetch_sub(1, std::memory_order_relaxed);
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
};

// The listening socket, captured from the socket-options callback (the library keeps it private).
thread_local int g_last_socket = -1;

class ThreadedFrontend final : public Frontend {
 public:
  ThreadedFrontend(const HttpOptions& o, HttpHandler handler)
      : options_(o), handler_(std::move(handler)) {
    const int threads = o.threads;
    g_pressure_level.store(std::max(1, threads - std::max(1, threads / 4)),
                           std::memory_order_relaxed);
    server_.new_task_queue = [threads] {
      return new CountingThreadPool(static_cast<size_t>(threads));
    };
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(o.keep_alive_max > 0 ? static_cast<size_t>(o.keep_alive_max)
                                                          : 100);
    server_.set_keep_alive_timeout(o.keep_alive_timeout_s);
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(o.write_timeout_s, 0);
    server_.set_payload_max_length(o.max_body_bytes);
    server_.set_socket_options([](int sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      g_last_socket = sock;
    });
    // The pre-routing handler runs BEFORE the library reads a body, so requests that carry one
    // are left to the catch-all handlers, which run after it has been read.
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      const bool body_method = req.method == "POST" || req.method == "PUT" ||
                               req.method == "PATCH" || req.method == "DELETE";
      if (body_method &&
          (req.has_header("Content-Length") || req.has_header("Transfer-Encoding"))) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      serve(req, res);
      return httplib::Server::HandlerResponse::Handled;
    });
    const auto with_body = [this](const httplib::Request& req, httplib::Response& res) {
      serve(req, res);
    };
    server_.Post(".*", with_body);
    server_.Put(".*", with_body);
    server_.Patch(".*", with_body);
    server_.Delete(".*", with_body);
    server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        const char* msg = res.status == 413   ? "Request body too large."
                          : res.status == 414 ? "Request URI too long."
                                              : "Bad request.";
        res.set_content(std::string(R"({"detail":")") + msg + "\"}", "application/json");
      }
    });
  }

  int bind(std::string* error) override {
    g_last_socket = -1;
    int port = options_.port;
    if (port == 0) {
      port = server_.bind_to_any_port(options_.host);
      if (port <= 0) port = -1;
    } else if (!server_.bind_to_port(options_.host, port)) {
      port = -1;
    }
    if (port < 0) {
      *error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port);
      return -1;
    }
    // The library listened with a backlog of 5; listen() again on the same socket raises it.
    if (g_last_socket >= 0) ::listen(g_last_socket, options_.backlog);
    return port;
  }
  void run() override { server_.listen_after_bind(); }
  void stop() override { server_.stop(); }

 private:
  void serve(const httplib::Request& req, httplib::Response& res) {
    handler_(req, res);
    if (connection_pressure()) res.set_header("Connection", "close");
  }

  HttpOptions options_;
  HttpHandler handler_;
  httplib::Server server_;
};

}  // namespace

std::unique_ptr<Frontend> make_threaded_frontend(const HttpOptions& options, HttpHandler handler) {
  return std::make_unique<ThreadedFrontend>(options, std::move(handler));
}

}  // namespace shopd
