// shop_loadgen — an event-driven HTTP/1.1 load generator for shopd. See README.md beside this file.
#include <sys/resource.h>

#include <cstdio>
#include <ctime>

#include "options.h"
#include "post_run.h"
#include "report.h"
#include "runner.h"

namespace {

// Thousands of users need thousands of sockets; the default soft limit is often 1024.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loadgen;
  int exit_code = 0;
  auto parsed = parse_options(argc, argv, &exit_code);
  if (!parsed) return exit_code;
  Options options = *parsed;
  if (!options.seed_given) options.seed = static_cast<uint64_t>(std::time(nullptr));

  std::string error;
  auto url = parse_url(options.host, &error);
  if (!url) {
    std::fprintf(stderr, "shop_loadgen: bad --host '%s': %s\n", options.host.c_str(),
                 error.c_str());
    return 2;
  }
  Endpoint endpoint;
  if (!resolve_endpoint(*url, &endpoint, &error)) {
    std::fprintf(stderr, "shop_loadgen: %s\n", error.c_str());
    return 2;
  }
  raise_fd_limit();

  if (!options.quiet) {
    std::printf("shop_loadgen: %s against %s for %.0f s (seed %llu)\n",
                scenario_name(options.scenario), options.host.c_str(), options.run_time_s,
                static_cast<unsigned long long>(options.seed));
    std::fflush(stdout);
  }
  Runner runner(options, endpoint);
  RunSummary summary = runner.run();

  PostRun post;
  if (!options.db_path.empty() && !summary.setup_failed) {
    if (!options.quiet) std::printf("waiting for the order queue to drain...\n");
    wait_for_drain(endpoint, options.drain_timeout_s, options.timeout_s, &post);
    run_verify(options.shopctl, options.db_path, &post);
  }

  ReportInput report{options, runner.stats(), summary, post};
  print_report(stdout, report);
  // 0: the run completed (request failures are data, not an error); 1: setup or report writing
  // failed; 3: the post-run checks found a problem (queue not drained, verify failed).
  int rc = summary.setup_failed ? 1 : post_run_failed(post) ? 3 : 0;
  if (!options.csv_prefix.empty() &&
      !write_csv_reports(options.csv_prefix, runner.stats(), &error)) {
    std::fprintf(stderr, "shop_loadgen: %s\n", error.c_str());
    rc = 1;
  }
  if (!options.html_path.empty() && !write_html_report(options.html_path, report, &error)) {
    std::fprintf(stderr, "shop_loadgen: %s\n", error.c_str());
    rc = 1;
  }
  return rc;
}
