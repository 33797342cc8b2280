#include "options.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <map>

namespace loadgen {

const char* scenario_name(Scenario s) {
  switch (s) {
    case Scenario::kPointConcurrent: return "point-concurrent";
    case Scenario::kPointHighLoad: return "point-high-load";
    case Scenario::kMax: return "max";
    case Scenario::kOrders: return "orders";
  }
  return "?";
}

std::optional<double> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (start == i) return std::nullopt;
    double value = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, value);
    if (ec != std::errc() || p != text.data() + i) return std::nullopt;
    double unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        default: return std::nullopt;
      }
      ++i;
    } else if (start != 0) {
      return std::nullopt;  // "1m30" is ambiguous
    }
    total += value * unit;
  }
  if (!(total > 0)) return std::nullopt;
  return total;
}

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "shop_loadgen: an event-driven HTTP/1.1 load generator for shopd (Locust-compatible CSVs).\n"
      "Scenarios: point-concurrent, point-high-load (the Locust point test's two user classes),\n"
      "max (N connections, no think time, one request), orders (cart add + order intake loop)."};
  app.get_formatter()->column_width(34);

  std::string scenario = "point-concurrent";
  std::string run_time = "60s";
  std::map<std::string, Scenario> scenarios = {{"point-concurrent", Scenario::kPointConcurrent},
                                               {"point-high-load", Scenario::kPointHighLoad},
                                               {"max", Scenario::kMax},
                                               {"orders", Scenario::kOrders}};
  app.add_option("--host", o.host, "Base URL (plain http)")->capture_default_str();
  app.add_option("--scenario", scenario, "point-concurrent | point-high-load | max | orders")
      ->check(CLI::IsMember({"point-concurrent", "point-high-load", "max", "orders"}))
      ->capture_default_str();
  auto* users_opt = app.add_option(
      "-u,--users", o.users,
      "Simulated users (point scenarios); distinct accounts (orders, default = connections)");
  users_opt->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("-r,--spawn-rate", o.spawn_rate, "Users started per second (point scenarios)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-t,--run-time", run_time, "Run time: 90, 90s, 2m, 1h")->capture_default_str();
  app.add_option("-c,--connections", o.connections, "Connections for max and orders")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--request", o.request,
                 "max: trivial | my-points | history | expiring | point-check | products | login")
      ->check(CLI::IsMember(
          {"trivial", "my-points", "history", "expiring", "point-check", "products", "login"}))
      ->capture_default_str();
  app.add_option("--path", o.path, "max: a raw path instead of --request (e.g. /trivial)");
  app.add_option("--method", o.method, "max: method for --path")
      ->check(CLI::IsMember({"GET", "POST", "PUT", "DELETE", "PATCH"}))
      ->capture_default_str();
  app.add_option("--body", o.body, "max: JSON body for --path");
  app.add_flag("--auth", o.path_auth, "max: log in first and send the token with --path");
  app.add_option("--account-prefix", o.account_prefix, "Test account name prefix")
      ->capture_default_str();
  app.add_option("--password", o.password, "Test account password")->capture_default_str();
  app.add_option("--csv", o.csv_prefix,
                 "Write PREFIX_stats.csv, _stats_history.csv, _failures.csv");
  app.add_option("--html", o.html_path, "Write an offline HTML report");
  app.add_option("--db", o.db_path,
                 "After the run: wait for /metrics/ to show an empty order queue, then run "
                 "`SHOPCTL --db PATH verify`");
  app.add_option("--shopctl", o.shopctl, "shopctl binary for --db")->capture_default_str();
  app.add_option("--drain-timeout", o.drain_timeout_s, "Seconds to wait for the queue to drain")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* seed_opt = app.add_option("--seed", o.seed, "Random seed (default: from the clock)");
  app.add_option("--timeout", o.timeout_s, "Request timeout in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("-q,--quiet", o.quiet, "No live progress line");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    *exit_code = app.exit(e);
    return std::nullopt;
  } catch (const CLI::CallForAllHelp& e) {
    *exit_code = app.exit(e);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    *exit_code = 2;
    return std::nullopt;
  }

  auto usage_error = [&](const std::string& msg) {
    std::cerr << "shop_loadgen: " << msg << "\nRun with --help for usage.\n";
    *exit_code = 2;
    return std::nullopt;
  };
  auto seconds = parse_duration(run_time);
  if (!seconds) return usage_error("bad --run-time '" + run_time + "' (try 60s, 2m, 90)");
  o.run_time_s = *seconds;
  o.scenario = scenarios.at(scenario);
  o.users_given = users_opt->count() > 0;
  o.seed_given = seed_opt->count() > 0;
  if (!o.path.empty() && o.path.front() != '/') return usage_error("--path must start with '/'");
  if (!o.path.empty() && o.scenario != Scenario::kMax) {
    return usage_error("--path only applies to --scenario max");
  }
  if (o.timeout_s > 3600) return usage_error("--timeout above one hour");
  return o;
}

}  // namespace loadgen
