// trivial_server — the baseline for "compare against a trivial handler on the same HTTP stack".
//
// A cpp-httplib 0.11.4 server configured by shopd's own server/http_config (same defaults, same
// flags: TCP_NODELAY, keep-alive limits, timeouts, payload cap, thread pool, raised backlog) and
// dispatching from the pre-routing hook as shopd does, but whose handlers do no work: GET /trivial
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

#include "http_config.h"

namespace {

constexpr const char* kBody = R"({"point_info":{"points":50000}})";

}  // namespace

int main(int argc, char** argv) {
  shopd::HttpOptions ho;  // shopd's defaults
  ho.port = 8001;
  CLI::App app{"trivial_server: cpp-httplib with shopd's connection settings and empty handlers"};
  app.add_option("--host", ho.host, "Bind address")->capture_default_str();
  app.add_option("--port", ho.port, "Port")->check(CLI::Range(1, 65535))->capture_default_str();
  app.add_option("--threads,--http-threads", ho.threads, "Worker threads (each owns a connection while it lives)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--keep-alive-max", ho.keep_alive_max, "Requests per connection before closing")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  app.add_option("--keep-alive-timeout", ho.keep_alive_timeout_s, "Idle keep-alive timeout, seconds")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  app.add_option("--backlog", ho.backlog, "listen() backlog")
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

  httplib::Server svr;
  shopd::configure_http(svr, ho);
  // Dispatch from the pre-routing hook, as shopd does (no std::regex route matching).
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/trivial" || req.path == "/api/points/my/") {
      res.set_content(kBody, "application/json");
    } else {
      res.status = 404;
      res.set_content(R"({"detail":"Not found."})", "application/json");
    }
    if (shopd::connection_pressure()) res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });

  int port = shopd::bind_with_backlog(svr, ho);
  if (port < 0) {
    std::fprintf(stderr, "trivial_server: cannot bind %s:%d\n", ho.host.c_str(), ho.port);
    return 1;
  }
  std::atomic<bool> signalled{false};
  std::thread signal_waiter([&svr, &signalled, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    signalled = true;
    svr.stop();
  });
  std::printf("trivial_server listening on http://%s:%d (threads %d, keep-alive max %d)\n",
              ho.host.c_str(), port, ho.threads, ho.keep_alive_max);
  std::fflush(stdout);
  bool ok = svr.listen_after_bind();
  // If the accept loop ended by itself, wake the signal thread so it can be joined.
  if (!signalled) kill(getpid(), SIGTERM);
  signal_waiter.join();
  return ok ? 0 : 1;
}
