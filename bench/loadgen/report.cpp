#include "report.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace loadgen {

namespace {

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Python's csv module (which Locust uses) ends rows with CRLF; so do we, for byte-equal headers.
constexpr const char* kEol = "\r\n";

const char* kStatsHeader =
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,"
    "80%,90%,95%,98%,99%,99.9%,99.99%,100%";
const char* kHistoryHeader =
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
    "99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size";

std::string stats_row(const std::string& type, const NameStats& ns, double duration_s) {
  const Histogram& h = ns.latency;
  double avg_size = ns.requests ? static_cast<double>(ns.content_bytes) / ns.requests : 0.0;
  std::string row = csv_field(type) + "," + csv_field(ns.name) + "," + std::to_string(ns.requests) +
                    "," + std::to_string(ns.failures) + "," +
                    format_ms(static_cast<double>(h.value_at_quantile(0.5))) + "," +
                    format_ms(h.mean()) + "," + format_ms(static_cast<double>(h.min())) + "," +
                    format_ms(static_cast<double>(h.max())) + "," + format("%.2f", avg_size) + "," +
                    format("%.3f", static_cast<double>(ns.requests) / duration_s) + "," +
                    format("%.3f", static_cast<double>(ns.failures) / duration_s);
  for (double q : kCsvQuantiles) {
    row += "," + format_ms(static_cast<double>(h.value_at_quantile(q)));
  }
  return row;
}

bool write_file(const std::string& path, const std::string& content, std::string* error) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  f << content;
  f.close();
  if (!f) {
    *error = "error writing " + path;
    return false;
  }
  return true;
}

}  // namespace

std::string format_ms(double us) {
  return format("%.3f", us / 1000.0);
}

bool post_run_failed(const PostRun& post) {
  if (!post.attempted) return false;
  if (post.metrics_available && !post.drained) return true;
  return post.verify_ran && post.verify_exit != 0;
}

uint64_t accepted_orders(const Stats& stats) {
  for (const NameStats& ns : stats.names()) {
    if (ns.name == "Create Order (with points)") return ns.requests - ns.failures;
  }
  return 0;
}

void print_report(std::FILE* out, const ReportInput& in) {
  const Stats& stats = in.stats;
  const double duration = stats.duration_s();
  std::fprintf(out, "\n=== shop_loadgen %s against %s: %.1f s, %d users started ===\n",
               scenario_name(in.options.scenario), in.options.host.c_str(), duration,
               in.run.users_started);
  if (in.run.setup_failed) std::fprintf(out, "SETUP FAILED: %s\n", in.run.setup_error.c_str());
  std::fprintf(out, "%-5s %-30s %9s %16s %9s %8s %8s %8s %8s %9s\n", "Type", "Name", "# reqs",
               "# fails", "req/s", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms");
  auto line = [&](const std::string& type, const NameStats& ns) {
    const Histogram& h = ns.latency;
    double fail_pct = ns.requests ? 100.0 * static_cast<double>(ns.failures) / ns.requests : 0.0;
    char fails[40];
    std::snprintf(fails, sizeof fails, "%llu (%.1f%%)",
                  static_cast<unsigned long long>(ns.failures), fail_pct);
    std::fprintf(out, "%-5s %-30s %9llu %16s %9.1f %8.2f %8.2f %8.2f %8.2f %9.2f\n", type.c_str(),
                 ns.name.c_str(), static_cast<unsigned long long>(ns.requests), fails,
                 static_cast<double>(ns.requests) / duration,
                 static_cast<double>(h.value_at_quantile(0.50)) / 1000,
                 static_cast<double>(h.value_at_quantile(0.90)) / 1000,
                 static_cast<double>(h.value_at_quantile(0.95)) / 1000,
                 static_cast<double>(h.value_at_quantile(0.99)) / 1000,
                 static_cast<double>(h.max()) / 1000);
  };
  for (const NameStats& ns : stats.names()) {
    if (ns.requests > 0) line(ns.method, ns);
  }
  line("", stats.total());

  const auto& reasons = stats.reason_counts();
  if (stats.total().failures > 0) {
    std::fprintf(out, "\nFailures by reason:\n");
    for (int i = 0; i < kFailReasonCount; ++i) {
      if (reasons[static_cast<size_t>(i)] == 0) continue;
      std::fprintf(out, "  %-30s %10llu\n", fail_reason_label(static_cast<FailReason>(i)),
                   static_cast<unsigned long long>(reasons[static_cast<size_t>(i)]));
    }
    std::vector<std::pair<uint64_t, std::string>> rows;
    for (const auto& [key, count] : stats.failures()) {
      const auto& [method, name, error] = key;
      rows.emplace_back(count, method + " " + name + ": " + error);
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::fprintf(out, "Failures (most frequent first):\n");
    for (size_t i = 0; i < rows.size() && i < 15; ++i) {
      std::fprintf(out, "  %10llu  %s\n", static_cast<unsigned long long>(rows[i].first),
                   rows[i].second.c_str());
    }
  }

  if (in.options.scenario != Scenario::kMax) {
    uint64_t accepted = accepted_orders(stats);
    std::fprintf(
        out, "\nOrders accepted (202): %llu (%.2f/s); queue full (503): %llu\n",
        static_cast<unsigned long long>(accepted), static_cast<double>(accepted) / duration,
        static_cast<unsigned long long>(reasons[static_cast<size_t>(FailReason::kQueueFull)]));
  }
  double cpu = in.run.cpu_user_s + in.run.cpu_sys_s;
  std::fprintf(
      out,
      "Load generator: CPU %.2f s (user %.2f + sys %.2f) = %.1f%% of one core over %.1f s; "
      "peak open connections %lld; connects %llu; keep-alive resends %llu\n",
      cpu, in.run.cpu_user_s, in.run.cpu_sys_s, 100.0 * cpu / std::max(in.run.wall_s, 1e-3),
      in.run.wall_s, static_cast<long long>(in.run.peak_connections),
      static_cast<unsigned long long>(in.run.connects),
      static_cast<unsigned long long>(in.run.keepalive_retries));

  if (in.run.waiting_over_1s_at_stop > 0) {
    std::fprintf(out,
                 "Unanswered at stop (not counted above): %d in flight, %d waiting over 1 s, "
                 "oldest %.2f s\n",
                 in.run.in_flight_at_stop, in.run.waiting_over_1s_at_stop,
                 in.run.oldest_in_flight_s);
  }
  if (in.post.attempted) {
    std::fprintf(out, "Queue drain: %s\n", in.post.drain_message.c_str());
    if (in.post.verify_spawn_failed) {
      std::fprintf(out, "shopctl verify: COULD NOT RUN\n");
    } else if (in.post.verify_ran) {
      std::fprintf(out, "shopctl verify: %s (exit %d)\n",
                   in.post.verify_exit == 0 ? "OK, nothing lost or violated" : "PROBLEMS FOUND",
                   in.post.verify_exit);
      if (!in.post.verify_output.empty()) {
        std::fprintf(out, "%s%s", in.post.verify_output.c_str(),
                     in.post.verify_output.back() == '\n' ? "" : "\n");
      }
    }
  }
  std::fflush(out);
}

bool write_csv_reports(const std::string& prefix, const Stats& stats, std::string* error) {
  const double duration = stats.duration_s();
  std::string csv = std::string(kStatsHeader) + kEol;
  for (const NameStats& ns : stats.names()) {
    if (ns.requests > 0) csv += stats_row(ns.method, ns, duration) + kEol;
  }
  csv += stats_row("", stats.total(), duration) + kEol;
  if (!write_file(prefix + "_stats.csv", csv, error)) return false;

  std::string hist = std::string(kHistoryHeader) + kEol;
  for (const HistorySample& s : stats.history()) {
    hist += std::to_string(s.unix_time) + "," + std::to_string(s.users) + ",,Aggregated," +
            format("%.3f", s.requests_per_s) + "," + format("%.3f", s.failures_per_s);
    for (uint64_t q : s.window_quantiles_us) {
      hist += "," + (s.window_requests ? format_ms(static_cast<double>(q)) : std::string("N/A"));
    }
    hist += "," + std::to_string(s.total_requests) + "," + std::to_string(s.total_failures) + "," +
            format_ms(static_cast<double>(s.total_median_us)) + "," + format_ms(s.total_mean_us) +
            "," + format_ms(static_cast<double>(s.total_min_us)) + "," +
            format_ms(static_cast<double>(s.total_max_us)) + "," +
            format("%.2f", s.total_avg_content) + kEol;
  }
  if (!write_file(prefix + "_stats_history.csv", hist, error)) return false;

  std::string fail = std::string("Method,Name,Error,Occurrences") + kEol;
  for (const auto& [key, count] : stats.failures()) {
    const auto& [method, name, err] = key;
    fail += csv_field(method) + "," + csv_field(name) + "," + csv_field(err) + "," +
            std::to_string(count) + kEol;
  }
  return write_file(prefix + "_failures.csv", fail, error);
}

}  // namespace loadgen
