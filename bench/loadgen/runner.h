// runner.h — one load-generator run: the event loop, the simulated users, the clock that starts
// and stops them, the live progress line, and the collected Stats.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "event_loop.h"
#include "http_client.h"
#include "options.h"
#include "stats.h"
#include "task.h"

namespace loadgen {

class Runner;

// A simulated user: one keep-alive connection, a token, a cookie jar, its own random stream.
struct User {
  User(Runner& runner, int index, uint64_t seed);

  // Sends a request with this user's token and cookies; stores any Set-Cookie from the response.
  Task<HttpResult> request(std::string method, std::string path, std::string body = {});
  // Uniformly random think time in [min_s, max_s].
  EventLoop::SleepAwaitable think(double min_s, double max_s);
  int uniform_int(int lo, int hi);  // inclusive
  double uniform01();

  Runner& runner;
  int index;
  Connection conn;
  std::mt19937_64 rng;
  std::string token;
  std::map<std::string, std::string> cookies;
  std::vector<int64_t> product_ids;  // in-stock products this user may order
};

// What the run produced besides Stats, for the reports.
struct RunSummary {
  double wall_s = 0;
  double cpu_user_s = 0;
  double cpu_sys_s = 0;
  int64_t peak_connections = 0;
  uint64_t connects = 0;
  uint64_t keepalive_retries = 0;
  int users_started = 0;
  // Requests without a response when the run stopped: not in the stats (as in Locust), but a
  // server that starves some connections shows up here.
  int in_flight_at_stop = 0;
  int waiting_over_1s_at_stop = 0;
  double oldest_in_flight_s = 0;
  bool setup_failed = false;
  std::string setup_error;
};

class Runner {
 public:
  Runner(const Options& options, const Endpoint& endpoint);
  ~Runner();

  // Runs the scenario to completion (run time, Ctrl-C, or a failed setup).
  RunSummary run();

  const Options& options() const { return options_; }
  const Endpoint& endpoint() const { return endpoint_; }
  EventLoop& loop() { return loop_; }
  Stats& stats() { return stats_; }
  ConnectionCounters& counters() { return counters_; }

  // Starts one simulated user running `body`; users live until the run ends.
  User& add_user();
  void start_user(Task<void> body) { loop_.spawn(std::move(body)); }
  int active_users() const { return active_users_; }
  void set_active_users(int n) { active_users_ = n; }
  void fail_setup(std::string why);

 private:
  Task<void> ticker();
  Task<void> stopper();
  void print_progress(int64_t now);

  Options options_;
  Endpoint endpoint_;
  EventLoop loop_;
  Stats stats_;
  ConnectionCounters counters_;
  std::vector<std::unique_ptr<User>> users_;
  int active_users_ = 0;
  int64_t start_us_ = 0;
  uint64_t last_progress_requests_ = 0;
  int64_t last_progress_us_ = 0;
  bool setup_failed_ = false;
  std::string setup_error_;
};

// Starts the scenario's users on the runner (defined in scenarios.cpp).
Task<void> run_scenario(Runner& runner);

}  // namespace loadgen
