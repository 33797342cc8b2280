// trivial_server — the baseline for "compare against a trivial handler on the same HTTP stack".
//
// shopd's own front end (server/http_config: the same --frontend choice, flags and defaults),
// whose handler does no work: GET /trivial and GET /api/points/my/ answer a small fixed JSON body.
// What shop_loadgen or Locust measures here is the ceiling of the HTTP layer itself on this
// machine, for either front end.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "http_config.h"

namespace {
constexpr const char* kBody = R"({"point_info":{"points":50000}})";
}  // namespace

int main(int argc, char** argv) {
  shopd::HttpOptions ho;  // shopd's defaults
  ho.port = 8001;
  CLI::App app{"trivial_server: shopd's HTTP front end with an empty handler"};
  shopd::add_http_flags(app, ho);
  CLI11_PARSE(app, argc, argv);

  // Signals go to a dedicated thread that stops the server (stop() is not signal-safe).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = shopd::make_frontend(ho, [](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/trivial" || req.path == "/api/points/my/") {
      res.set_content(kBody, "application/json");
    } else {
      res.status = 404;
      res.set_content(R"({"detail":"Not found."})", "application/json");
    }
  });
  std::string error;
  int port = server->bind(&error);
  if (port < 0) {
    std::fprintf(stderr, "trivial_server: %s\n", error.c_str());
    return 1;
  }
  std::thread signal_waiter([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server->stop();
  });
  std::printf("trivial_server listening on http://%s:%d (%s front end, %d threads)\n",
              ho.host.c_str(), port, ho.frontend.c_str(), ho.threads);
  std::fflush(stdout);
  server->run();
  signal_waiter.detach();
  return 0;
}
