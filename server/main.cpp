// shopd — the shop server: one process, one SQLite file, the Django reference's HTTP API.
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api.h"
#include "http_config.h"
#include "router.h"
#include "routes/routes.h"
#include "shop/admin.h"
#include "shop/auth.h"
#include "shop/engine.h"

namespace {

// SIGINT/SIGTERM are blocked in every thread (call this before starting any) and taken by one
// watcher thread with sigwait, so the stop logic runs in ordinary code, not a signal handler.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Each connection is a descriptor: lift the soft limit (often 1024) towards the hard one.
void raise_open_file_limit(int connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t want = static_cast<rlim_t>(connections) + 256;  // + database, log, epoll, ...
  if (rl.rlim_cur >= want) return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min(want, rl.rlim_max);
  setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"shopd - shop server (points ledger, asynchronous orders) over SQLite"};
  shop::EngineOptions eo;
  shopd::HttpOptions ho;
  std::string durability = "normal";
  bool demo_data = false;
  std::string demo_preset = "full";
  bool no_scheduler = false;
  eo.db_path = "shop.db";
  app.add_option("--db", eo.db_path, "SQLite database file (created if missing)");
  shopd::add_http_flags(app, ho);
  app.add_option("--workers", eo.order_workers, "Order worker threads (0: intake only)")
      ->check(CLI::Range(0, 256));
  app.add_option("--queue-capacity", eo.order_queue_capacity,
                 "Order queue bound; intake answers 503 when full")
      ->check(CLI::Range(1, 10'000'000));
  app.add_option("--read-connections", eo.read_connections, "SQLite read connections")
      ->check(CLI::Range(1, 256));
  app.add_option("--durability", durability,
                 "normal (survives kill -9) or full (fsync per commit; survives power loss)")
      ->check(CLI::IsMember({"normal", "full"}));
  app.add_option("--password-iterations", eo.password_iterations,
                 "PBKDF2 iterations for new accounts")
      ->check(CLI::Range(1000, 10'000'000));
  app.add_option(
      "--jwt-secret", eo.jwt_secret,
      "JWT signing secret (default: $SHOP_JWT_SECRET, else generated and stored in the db)");
  app.add_option("--login-failure-burst", eo.failed_login_burst,
                 "Failed logins per client address before 429 (0: no budget)")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  app.add_option("--login-failure-refill", eo.failed_login_refill_per_minute,
                 "Failed-login budget regained per minute per address")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--login-checks-per-address", eo.password_checks_per_address,
                 "Real-cost password checks one address may run or queue at once (0: no limit)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app.add_flag("--require-verified-email", eo.require_verified_email_for_orders,
               "Refuse orders (403) from accounts whose e-mail is not verified");
  app.add_flag("--no-scheduler", no_scheduler, "Do not run the daily point expiry/notice jobs");
  app.add_flag("--demo-data", demo_data, "Fill an empty database with demo data on start");
  app.add_option("--demo-preset", demo_preset, "Preset for --demo-data");
  CLI11_PARSE(app, argc, argv);
  eo.durability = durability == "full" ? shop::Durability::kFull : shop::Durability::kNormal;
  eo.run_scheduler = !no_scheduler;

  std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write must not kill the server
  // A file-size limit (RLIMIT_FSIZE) must fail writes (SQLite: disk full, 503), not kill us.
  std::signal(SIGXFSZ, SIG_IGN);
  raise_open_file_limit(ho.max_connections);
  const sigset_t stop_signals = block_stop_signals();

  if (auto dir = std::filesystem::path(eo.db_path).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
  }
  auto opened = shop::Engine::open(eo);
  if (!opened) {
    std::fprintf(stderr, "shopd: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& engine = **opened;
  if (demo_data) {
    auto seeded = engine.admin().seed_demo_data_if_empty(demo_preset);
    if (!seeded) {
      std::fprintf(stderr, "shopd: demo data: %s\n", seeded.error().message.c_str());
      return 1;
    }
  }

  // Logins waiting for a password-check slot hold HTTP threads: cap them to a quarter of the pool.
  engine.auth().set_max_password_waiters(std::max(1, ho.threads / 4));

  shopd::Api api{engine, eo.utc_offset_minutes, ""};
  shopd::Router router;
  shopd::register_all_routes(router, api);
  auto server =
      shopd::make_frontend(ho, [&router](const httplib::Request& req, httplib::Response& res) {
        router.dispatch(req, res);
      });
  api.http = server->counters();  // read by /metrics/ handlers, which start after this
  std::string bind_error;
  const int port = server->bind(&bind_error);
  if (port < 0) {
    std::fprintf(stderr, "shopd: %s\n", bind_error.c_str());
    return 1;
  }
  if (auto started = engine.start(); !started) {
    std::fprintf(stderr, "shopd: %s\n", started.error().message.c_str());
    return 1;
  }
  std::thread stopper([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "shopd: signal %d: stopping intake\n", sig);
    server->stop();
  });
  std::printf(
      "shopd listening on http://%s:%d (db %s, %d order workers, %s front end, %d http threads)\n",
      ho.host.c_str(), port, eo.db_path.c_str(), eo.order_workers, ho.frontend.c_str(), ho.threads);
  std::fflush(stdout);
  server->run();
  engine.stop();  // intake is closed (server stopped); workers finish what they hold
  std::fprintf(stderr, "shopd: stopped\n");
  stopper.detach();
  return 0;
}
