// stats.h — what a run measured: per request name counts, latency histograms, failures grouped by
// reason, and one aggregated history sample per second (Locust's stats_history semantics).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "histogram.h"
#include "http_client.h"

namespace loadgen {

enum class FailReason {
  kCartEmpty,
  kOutOfStock,
  kInsufficientPoints,
  kQueueFull,  // 503 with Retry-After: the server's order queue pushing back, by design
  kOther4xx,
  kServer5xx,
  kConnection,
  kTimeout,
  kUnexpected,  // a status or body the scenario did not accept (e.g. 201 where 202 is required)
};
inline constexpr int kFailReasonCount = 9;
const char* fail_reason_label(FailReason reason);

// Why a request the scenario judged failed, failed. Looks at the transport error, the status, the
// Retry-After header and (for 400/409/422) marker words of the contract's error bodies, English and
// Korean. Pure, so it is unit-tested.
FailReason classify_failure(const HttpResult& result);

// Percentile columns shared by Locust's CSVs.
inline constexpr std::array<double, 11> kCsvQuantiles = {0.50, 0.66, 0.75,  0.80,   0.90, 0.95,
                                                         0.98, 0.99, 0.999, 0.9999, 1.0};

struct NameStats {
  std::string method;
  std::string name;
  uint64_t requests = 0;
  uint64_t failures = 0;
  uint64_t content_bytes = 0;
  Histogram latency;  // microseconds, successes and failures alike (as Locust does)
};

struct HistorySample {
  int64_t unix_time = 0;
  int64_t elapsed_us = 0;
  int users = 0;
  double requests_per_s = 0;  // in the last second
  double failures_per_s = 0;
  std::array<uint64_t, kCsvQuantiles.size()> window_quantiles_us{};  // last 10 s, like Locust
  uint64_t window_requests = 0;  // 0: the percentiles are undefined (Locust writes N/A)
  uint64_t total_requests = 0;
  uint64_t total_failures = 0;
  uint64_t total_median_us = 0;
  double total_mean_us = 0;
  uint64_t total_min_us = 0;
  uint64_t total_max_us = 0;
  double total_avg_content = 0;
};

class Stats {
 public:
  static constexpr int kWindowSeconds = 10;

  explicit Stats(int64_t start_us);

  // Registers (or finds) a request name; ids are stable for the run.
  int name_id(std::string_view method, std::string_view name);

  // Records one finished request. When !ok, the failure is counted under `reason` and grouped in
  // the failures table as "<reason label> (<detail>)".
  void record(int id, const HttpResult& result, bool ok,
              FailReason reason = FailReason::kUnexpected, std::string_view note = {});
  // Convenience: classifies the failure itself.
  void record_auto(int id, const HttpResult& result, bool ok, std::string_view note = {});

  // Closes the current second: appends a history sample.
  void sample_second(int64_t now, int users);
  void finish(int64_t end_us) { end_us_ = end_us; }

  int64_t start_us() const { return start_us_; }
  double duration_s() const;
  const std::vector<NameStats>& names() const { return names_; }
  const NameStats& total() const { return total_; }
  const std::vector<HistorySample>& history() const { return history_; }
  const std::array<uint64_t, kFailReasonCount>& reason_counts() const { return reason_counts_; }
  // (method, name, error) -> occurrences
  const std::map<std::tuple<std::string, std::string, std::string>, uint64_t>& failures() const {
    return failures_;
  }

 private:
  int64_t start_us_;
  int64_t end_us_ = 0;
  int64_t start_unix_us_;
  std::vector<NameStats> names_;
  NameStats total_;
  std::array<uint64_t, kFailReasonCount> reason_counts_{};
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> failures_;

  // Per-second ring for the sliding window percentiles.
  std::vector<Histogram> ring_;
  int ring_pos_ = 0;
  Histogram window_;
  uint64_t second_requests_ = 0;
  uint64_t second_failures_ = 0;
  int64_t last_sample_us_;
  std::vector<HistorySample> history_;
};

// "12.345" style milliseconds from microseconds.
double us_to_ms(double us);

}  // namespace loadgen
