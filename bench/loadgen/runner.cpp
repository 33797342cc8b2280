#include "runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace loadgen {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_sigint(int) {
  g_interrupted = 1;
}

double timeval_s(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

std::string cookie_header(const std::map<std::string, std::string>& jar) {
  std::string out;
  for (const auto& [name, value] : jar) {
    if (!out.empty()) out += "; ";
    out.append(name).append("=").append(value);
  }
  return out;
}

void store_cookies(const HttpResponse& response, std::map<std::string, std::string>* jar) {
  for (const auto& [name, value] : response.headers) {
    if (name != "set-cookie") continue;
    std::string_view pair(value);
    pair = pair.substr(0, pair.find(';'));
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string key(pair.substr(0, eq));
    std::string val(pair.substr(eq + 1));
    bool expired = to_lower(value).find("max-age=0") != std::string::npos;
    if (val.empty() || expired) {
      jar->erase(key);
    } else {
      (*jar)[key] = std::move(val);
    }
  }
}

}  // namespace

User::User(Runner& r, int i, uint64_t seed)
    : runner(r), index(i), conn(r.loop(), r.endpoint(), r.counters()), rng(seed) {}

Task<HttpResult> User::request(std::string method, std::string path, std::string body) {
  std::vector<std::string> headers;
  if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
  if (!cookies.empty()) headers.push_back("Cookie: " + cookie_header(cookies));
  std::string wire = build_request(method, runner.endpoint().base_path + path,
                                   runner.endpoint().host_header, headers, body);
  HttpResult result = co_await conn.send(std::move(wire));
  if (result.ok_transport()) store_cookies(result.response, &cookies);
  co_return result;
}

EventLoop::SleepAwaitable User::think(double min_s, double max_s) {
  std::uniform_real_distribution<double> dist(min_s, max_s);
  return runner.loop().sleep_for(static_cast<int64_t>(dist(rng) * 1e6));
}

int User::uniform_int(int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

double User::uniform01() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

Runner::Runner(const Options& options, const Endpoint& endpoint)
    : options_(options),
      endpoint_(endpoint),
      loop_(static_cast<int64_t>(options.timeout_s * 1e6)),
      stats_(now_us()) {}

Runner::~Runner() {
  // Coroutine frames first (they reference users), then the users' sockets, then the loop.
  loop_.destroy_tasks();
  users_.clear();
}

User& Runner::add_user() {
  auto index = static_cast<int>(users_.size());
  users_.push_back(std::make_unique<User>(*this, index, options_.seed * 1'000'003 + index));
  return *users_.back();
}

void Runner::fail_setup(std::string why) {
  setup_failed_ = true;
  setup_error_ = std::move(why);
  loop_.stop();
}

Task<void> Runner::stopper() {
  co_await loop_.sleep_until(start_us_ + static_cast<int64_t>(options_.run_time_s * 1e6));
  loop_.stop();
}

Task<void> Runner::ticker() {
  for (int64_t second = 1;; ++second) {
    co_await loop_.sleep_until(start_us_ + second * 1'000'000);
    int64_t now = now_us();
    stats_.sample_second(now, active_users_);
    if (g_interrupted) {
      std::fprintf(stderr, "\ninterrupted: stopping and writing the report\n");
      loop_.stop();
      co_return;
    }
    if (!options_.quiet && second % 2 == 0) print_progress(now);
  }
}

void Runner::print_progress(int64_t now) {
  const NameStats& total = stats_.total();
  double interval = static_cast<double>(now - last_progress_us_) / 1e6;
  double rps =
      interval > 0 ? static_cast<double>(total.requests - last_progress_requests_) / interval : 0.0;
  last_progress_us_ = now;
  last_progress_requests_ = total.requests;
  double fail_pct = total.requests ? 100.0 * static_cast<double>(total.failures) /
                                         static_cast<double>(total.requests)
                                   : 0.0;
  std::fprintf(stdout,
               "[%6.1fs] users %d  req/s %8.1f  requests %llu  failures %llu (%.2f%%)  "
               "p99 %.1f ms  conns %lld\n",
               static_cast<double>(now - start_us_) / 1e6, active_users_, rps,
               static_cast<unsigned long long>(total.requests),
               static_cast<unsigned long long>(total.failures), fail_pct,
               us_to_ms(static_cast<double>(total.latency.value_at_quantile(0.99))),
               static_cast<long long>(counters_.open));
  std::fflush(stdout);
}

RunSummary Runner::run() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills at once
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  start_us_ = now_us();
  last_progress_us_ = start_us_;
  stats_ = Stats(start_us_);

  loop_.spawn(stopper());
  loop_.spawn(ticker());
  loop_.spawn(run_scenario(*this));
  loop_.run();

  int64_t end = now_us();
  stats_.finish(end);
  if (stats_.history().empty() || stats_.history().back().elapsed_us < end - start_us_ - 500'000) {
    stats_.sample_second(end, active_users_);  // the last partial second
  }
  int in_flight = 0, waiting_over_1s = 0;
  int64_t oldest_start = end;
  for (const auto& user : users_) {
    if (!user->conn.in_flight()) continue;
    ++in_flight;
    if (end - user->conn.request_started_us() > 1'000'000) ++waiting_over_1s;
    oldest_start = std::min(oldest_start, user->conn.request_started_us());
  }
  loop_.destroy_tasks();
  int started = active_users_;
  users_.clear();  // closes every connection

  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  signal(SIGINT, SIG_DFL);

  RunSummary s;
  s.wall_s = static_cast<double>(end - start_us_) / 1e6;
  s.cpu_user_s = timeval_s(after.ru_utime) - timeval_s(before.ru_utime);
  s.cpu_sys_s = timeval_s(after.ru_stime) - timeval_s(before.ru_stime);
  s.peak_connections = counters_.peak_open;
  s.connects = counters_.connects;
  s.keepalive_retries = counters_.reconnect_retries;
  s.users_started = started;
  s.in_flight_at_stop = in_flight;
  s.waiting_over_1s_at_stop = waiting_over_1s;
  s.oldest_in_flight_s = static_cast<double>(end - oldest_start) / 1e6;
  s.setup_failed = setup_failed_;
  s.setup_error = setup_error_;
  return s;
}

}  // namespace loadgen
