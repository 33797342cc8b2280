#include "http_config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <memory>

namespace shopd {

namespace {

// Connections held (queued or being served) by the pool, and the level that counts as pressure.
// Written by the accept thread (enqueue) and the pool threads (job end); read by handlers.
std::atomic<int> g_connections_held{0};
std::atomic<int> g_pressure_level{1 << 30};

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
}  // namespace

bool connection_pressure() {
  return g_connections_held.load(std::memory_order_relaxed) >=
         g_pressure_level.load(std::memory_order_relaxed);
}

void configure_http(httplib::Server& server, const HttpOptions& options) {
  const int threads = options.threads;
  // Keep a quarter of the threads (at least one) free for new connections.
  g_pressure_level.store(std::max(1, threads - std::max(1, threads / 4)), std::memory_order_relaxed);
  server.new_task_queue = [threads] { return new CountingThreadPool(static_cast<size_t>(threads)); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(static_cast<size_t>(options.keep_alive_max));
  server.set_keep_alive_timeout(options.keep_alive_timeout_s);
  server.set_read_timeout(options.read_timeout_s, 0);
  server.set_write_timeout(options.write_timeout_s, 0);
  server.set_payload_max_length(options.max_body_bytes);
  server.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    g_last_socket = sock;
  });
}

int bind_with_backlog(httplib::Server& server, const HttpOptions& options) {
  g_last_socket = -1;
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port <= 0) return -1;
  } else if (!server.bind_to_port(options.host, port)) {
    return -1;
  }
  // The library listened with a backlog of 5; listen() again on the same socket raises it.
  if (g_last_socket >= 0) ::listen(g_last_socket, options.backlog);
  return port;
}

}  // namespace shopd
