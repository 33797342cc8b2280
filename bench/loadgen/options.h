// options.h — shop_loadgen's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadgen {

enum class Scenario { kPointConcurrent, kPointHighLoad, kMax, kOrders };
const char* scenario_name(Scenario s);

struct Options {
  std::string host = "http://127.0.0.1:8000";
  Scenario scenario = Scenario::kPointConcurrent;
  int users = 100;  // point scenarios: simulated users; orders: distinct accounts
  bool users_given = false;
  double spawn_rate = 50;  // users started per second (point scenarios)
  double run_time_s = 60;
  int connections = 64;               // max and orders scenarios
  std::string request = "my-points";  // max scenario: a named request ...
  std::string path;                   // ... or a raw path
  std::string method = "GET";         // with --path
  std::string body;                   // with --path
  bool path_auth = false;             // with --path: log in first and send the token
  std::string account_prefix = "load_test_user_";
  std::string password = "testpass123";
  std::string csv_prefix;
  std::string html_path;
  std::string db_path;
  std::string shopctl = "shopctl";
  double drain_timeout_s = 300;
  uint64_t seed = 0;
  bool seed_given = false;
  double timeout_s = 10;
  bool quiet = false;
};

// Parses argv. On --help prints usage and returns exit code 0 in *exit_code; on a usage error
// prints the problem and sets 2. Returns nullopt in both cases.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

// "90", "90s", "2m", "1h30m", "1.5m" -> seconds; nullopt when malformed or not positive.
std::optional<double> parse_duration(const std::string& text);

}  // namespace loadgen
