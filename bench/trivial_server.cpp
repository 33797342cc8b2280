// trivial_server — the baseline for "compare against a trivial handler on the same HTTP stack".
//
// A cpp-httplib 0.11.4 server configured like shopd (TCP_NODELAY, keep-alive limits, timeouts,
// payload cap, a fixed thread pool, listen backlog raised) whose handlers do no work: GET /trivial
// and GET /api/points/my/ answer a small fixed JSON body. What shop_loadgen measures here is the
// ceiling of the HTTP layer itself on this machine.
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

namespace {

// cpp-httplib 0.11.4 (as Debian builds it) listens with a compiled-in backlog of 5
// (CPPHTTPLIB_LISTEN_BACKLOG); a #define in our code cannot change the .so. The listening socket
// is the protected member svr_sock_, so a subclass can reach it: after bind_to_port() has created
// the socket (and listened with 5), calling listen() again on it just raises the backlog (Linux
// allows re-listen on a listening socket; the kernel caps it at net.core.somaxconn). Then
// listen_after_bind() runs the accept loop on that same socket. set_socket_options() cannot do
// this: its callback runs before bind().
class TunedServer : public httplib::Server {
 public:
  bool raise_listen_backlog(int backlog) { return ::listen(svr_sock_, backlog) == 0; }
};

constexpr const char* kBody = R"({"point_info":{"points":50000}})";

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8001;
  size_t threads = 64;
  size_t keep_alive_max = 100000;
  time_t keep_alive_timeout = 5;
  int backlog = 1024;

  CLI::App app{"trivial_server: cpp-httplib with shopd's connection settings and empty handlers"};
  app.add_option("--host", host, "Bind address")->capture_default_str();
  app.add_option("--port", port, "Port")->check(CLI::Range(1, 65535))->capture_default_str();
  app.add_option("--threads", threads, "Worker threads (each owns a connection while it lives)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--keep-alive-max", keep_alive_max, "Requests per connection before closing")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app.add_option("--keep-alive-timeout", keep_alive_timeout, "Idle keep-alive timeout, seconds")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  app.add_option("--backlog", backlog, "listen() backlog")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  // Signals go to a dedicated thread that stops the server (stop() is not signal-safe).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  TunedServer svr;
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(keep_alive_max);
  svr.set_keep_alive_timeout(keep_alive_timeout);
  svr.set_read_timeout(5);
  svr.set_write_timeout(5);
  svr.set_payload_max_length(1 << 20);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  auto fixed = [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kBody, "application/json");
  };
  svr.Get("/trivial", fixed);
  svr.Get("/api/points/my/", fixed);

  if (!svr.bind_to_port(host, port)) {
    std::fprintf(stderr, "trivial_server: cannot bind %s:%d\n", host.c_str(), port);
    return 1;
  }
  if (!svr.raise_listen_backlog(backlog)) {
    std::perror("trivial_server: listen(backlog)");
    return 1;
  }
  std::atomic<bool> signalled{false};
  std::thread signal_waiter([&svr, &signalled, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    signalled = true;
    svr.stop();
  });
  std::printf("trivial_server listening on http://%s:%d (threads %zu, keep-alive max %zu)\n",
              host.c_str(), port, threads, keep_alive_max);
  std::fflush(stdout);
  bool ok = svr.listen_after_bind();
  // If the accept loop ended by itself, wake the signal thread so it can be joined.
  if (!signalled) kill(getpid(), SIGTERM);
  signal_waiter.join();
  return ok ? 0 : 1;
}
