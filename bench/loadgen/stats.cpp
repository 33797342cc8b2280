#include "stats.h"

#include <sys/time.h>

#include <algorithm>

namespace loadgen {

const char* fail_reason_label(FailReason reason) {
  switch (reason) {
    case FailReason::kCartEmpty: return "cart empty";
    case FailReason::kOutOfStock: return "out of stock";
    case FailReason::kInsufficientPoints: return "insufficient points";
    case FailReason::kQueueFull: return "queue full (503 Retry-After)";
    case FailReason::kOther4xx: return "other 4xx";
    case FailReason::kServer5xx: return "5xx";
    case FailReason::kConnection: return "connection error";
    case FailReason::kTimeout: return "timeout";
    case FailReason::kUnexpected: return "unexpected response";
  }
  return "?";
}

FailReason classify_failure(const HttpResult& result) {
  switch (result.error) {
    case TransportError::kTimeout: return FailReason::kTimeout;
    case TransportError::kConnect:
    case TransportError::kConnection:
    case TransportError::kProtocol: return FailReason::kConnection;
    case TransportError::kNone: break;
  }
  const int status = result.response.status;
  if (status == 503 && result.response.header("retry-after")) return FailReason::kQueueFull;
  if (status >= 500) return FailReason::kServer5xx;
  if (status < 400) return FailReason::kUnexpected;
  if (status != 400 && status != 409 && status != 422) return FailReason::kOther4xx;

  // The contract's business-rule 400s: {"cart_items": [...]} or {"error", "code":
  // "INSUFFICIENT_STOCK"} for stock, a bare ["msg"] or "INSUFFICIENT_POINTS" for points rules,
  // {"non_field_errors": [...]} for an empty cart. Messages may be English or Korean.
  const std::string body = to_lower(result.response.body);
  auto has = [&body](std::string_view word) { return body.find(word) != std::string::npos; };
  if (has("stock") || has("cart_items") || has("sold out") || has("재고") || has("품절")) {
    return FailReason::kOutOfStock;
  }
  if (has("point") || has("포인트")) return FailReason::kInsufficientPoints;
  if (has("empty") || has("non_field_errors") || has("비어")) return FailReason::kCartEmpty;
  return FailReason::kOther4xx;
}

double us_to_ms(double us) {
  return us / 1000.0;
}

namespace {
int64_t unix_now_us() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  return int64_t{tv.tv_sec} * 1'000'000 + tv.tv_usec;
}
}  // namespace

Stats::Stats(int64_t start_us)
    : start_us_(start_us),
      start_unix_us_(unix_now_us()),
      ring_(kWindowSeconds),
      last_sample_us_(start_us) {
  total_.name = "Aggregated";
}

int Stats::name_id(std::string_view method, std::string_view name) {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i].method == method && names_[i].name == name) return static_cast<int>(i);
  }
  names_.push_back(NameStats{std::string(method), std::string(name), 0, 0, 0, Histogram()});
  return static_cast<int>(names_.size() - 1);
}

void Stats::record_auto(int id, const HttpResult& result, bool ok, std::string_view note) {
  record(id, result, ok, ok ? FailReason::kUnexpected : classify_failure(result), note);
}

void Stats::record(int id, const HttpResult& result, bool ok, FailReason reason,
                   std::string_view note) {
  NameStats& ns = names_[static_cast<size_t>(id)];
  auto latency = static_cast<uint64_t>(std::max<int64_t>(result.latency_us, 0));
  uint64_t content = result.ok_transport() ? result.response.body.size() : 0;
  for (NameStats* s : {&ns, &total_}) {
    ++s->requests;
    s->content_bytes += content;
    s->latency.record(latency);
  }
  ring_[static_cast<size_t>(ring_pos_)].record(latency);
  ++second_requests_;
  if (ok) return;

  ++ns.failures;
  ++total_.failures;
  ++second_failures_;
  ++reason_counts_[static_cast<size_t>(reason)];
  std::string error = fail_reason_label(reason);
  if (result.ok_transport()) {
    error += " (HTTP " + std::to_string(result.response.status);
    if (!note.empty()) error.append(": ").append(note);
    error += ")";
  } else if (!result.error_detail.empty() || !note.empty()) {
    error += " (" + (note.empty() ? result.error_detail : std::string(note)) + ")";
  }
  ++failures_[{ns.method, ns.name, std::move(error)}];
}

void Stats::sample_second(int64_t now, int users) {
  double interval_s = std::max(1e-3, static_cast<double>(now - last_sample_us_) / 1e6);
  last_sample_us_ = now;

  window_.reset();
  for (const Histogram& h : ring_) window_.merge(h);
  ring_pos_ = (ring_pos_ + 1) % kWindowSeconds;
  ring_[static_cast<size_t>(ring_pos_)].reset();

  HistorySample s;
  s.elapsed_us = now - start_us_;
  s.unix_time = (start_unix_us_ + s.elapsed_us) / 1'000'000;
  s.users = users;
  s.requests_per_s = static_cast<double>(second_requests_) / interval_s;
  s.failures_per_s = static_cast<double>(second_failures_) / interval_s;
  s.window_requests = window_.count();
  for (size_t i = 0; i < kCsvQuantiles.size(); ++i) {
    s.window_quantiles_us[i] = window_.value_at_quantile(kCsvQuantiles[i]);
  }
  s.total_requests = total_.requests;
  s.total_failures = total_.failures;
  s.total_median_us = total_.latency.value_at_quantile(0.5);
  s.total_mean_us = total_.latency.mean();
  s.total_min_us = total_.latency.min();
  s.total_max_us = total_.latency.max();
  s.total_avg_content =
      total_.requests ? static_cast<double>(total_.content_bytes) / total_.requests : 0.0;
  history_.push_back(s);
  second_requests_ = second_failures_ = 0;
}

double Stats::duration_s() const {
  int64_t end = end_us_ ? end_us_ : last_sample_us_;
  return std::max(1e-3, static_cast<double>(end - start_us_) / 1e6);
}

}  // namespace loadgen
