// shopctl create-load-test-users — load_test_user_0..N-1 with points as an expiring ledger lot
// (the reference's command crashes on import, D24, and would not set points).
#include <chrono>
#include <cstdio>

#include "commands/command.h"
#include "shop/admin.h"
#include "shop/testdata.h"

namespace shopctl {

void register_create_load_test_users(CLI::App& app, Shopctl& ctl) {
  struct Args {
    int count = 100;
    std::int64_t points = 50000;
    bool clear = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = add_command(
      app, "create-load-test-users",
      "Create load_test_user_0..N-1 (password testpass123, TEST-ONLY cheap hash) with points");
  cmd->add_option("--count", args->count, "How many users (default 100)")
      ->check(CLI::Range(1, shop::testdata::kMaxLoadTestUsers));
  cmd->add_option("--points", args->points,
                  "Points each new user gets, as one lot expiring in a year (default 50000)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000'000}));
  cmd->add_flag("--clear", args->clear, "Delete earlier load-test users (and their orders) first");
  cmd->callback([&ctl, args] {
    auto engine = ctl.open_engine(/*must_exist=*/false);
    if (!engine) return;
    shop::testdata::LoadTestUsersOptions o;
    o.count = args->count;
    o.points = args->points;
    o.clear_first = args->clear;
    const auto started = std::chrono::steady_clock::now();
    auto r = engine->admin().create_load_test_users(o);
    if (!r) return ctl.fail(r.error());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (ctl.json_output) {
      ctl.print_json({{"created", r->created},
                      {"skipped", r->skipped},
                      {"cleared", r->cleared},
                      {"points_granted", r->points_granted},
                      {"password_iterations", shop::testdata::kLoadTestIterations},
                      {"seconds", seconds}});
      return;
    }
    if (args->clear) {
      std::printf("deleted %lld earlier load-test users\n", static_cast<long long>(r->cleared));
    }
    std::printf("created %lld load-test users, skipped %lld existing (%.2f s)\n",
                static_cast<long long>(r->created), static_cast<long long>(r->skipped), seconds);
    std::printf(
        "  load_test_user_0..%d / %s (PBKDF2 %d iterations: TEST-ONLY), "
        "e-mail load_test_<i>@example.com, verified\n",
        args->count - 1, shop::testdata::kLoadTestPassword, shop::testdata::kLoadTestIterations);
    std::printf("  %lld points each new user, one lot expiring in 365 days\n",
                static_cast<long long>(args->points));
    std::printf(
        "\nRun the load test:\n"
        "  build/release/server/shopd --db %s --port 8000 --workers 2\n"
        "  build/release/bench/shop_loadgen --scenario point-concurrent --users %d "
        "--spawn-rate 100 --run-time 60s --db %s --shopctl build/release/cli/shopctl\n"
        "  # or Locust:\n"
        "  python3 -m locust -f bench/locust/point_load_test.py --headless -u %d -r 100 -t 60s "
        "--host http://127.0.0.1:8000\n"
        "Afterwards: shopctl --db %s stats; shopctl --db %s verify\n",
        ctl.db_path.c_str(), args->count, ctl.db_path.c_str(), args->count, ctl.db_path.c_str(),
        ctl.db_path.c_str());
  });
}

}  // namespace shopctl
