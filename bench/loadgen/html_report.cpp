// html_report.cpp — one self-contained HTML page: inline SVG line and bar charts, the stats and
// failures tables. No scripts and no external assets, so it opens offline and archives well.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "report.h"

namespace loadgen {

namespace {

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Smallest "nice" number (1, 2, 2.5, 5 x 10^k) >= v.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  double base = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * base >= v * 0.999999) return m * base;
  }
  return 10 * base;
}

struct Series {
  std::string label;
  std::string color;
  std::vector<double> y;
};

constexpr int kWidth = 960, kHeight = 280, kLeft = 70, kRight = 20, kTop = 34, kBottom = 40;

std::string line_chart(const std::string& title, const std::string& y_unit,
                       const std::vector<double>& x, const std::vector<Series>& series) {
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << " " << kHeight
      << "\" role=\"img\" font-family=\"sans-serif\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  svg << "<text x=\"" << kLeft << "\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" << esc(title)
      << "</text>\n";
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double x_max = x.empty() ? 1 : std::max(1.0, x.back());
  double y_max = 0;
  for (const Series& s : series) {
    for (double v : s.y) y_max = std::max(y_max, v);
  }
  y_max = nice_ceiling(y_max * 1.05);
  auto px = [&](double v) { return kLeft + v / x_max * plot_w; };
  auto py = [&](double v) { return kTop + plot_h - v / y_max * plot_h; };

  for (int i = 0; i <= 5; ++i) {  // horizontal grid and y labels
    double v = y_max * i / 5;
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << num(py(v))
        << "\" y2=\"" << num(py(v)) << "\" stroke=\"#e5e5e5\"/>";
    svg << "<text x=\"" << kLeft - 6 << "\" y=\"" << num(py(v) + 4)
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"#444\">"
        << num(v, v < 10 && y_max < 10 ? 2 : 0) << "</text>\n";
  }
  double x_step = 1;
  for (double s : {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200}) {
    x_step = s;
    if (x_max / s <= 12) break;
  }
  for (double v = 0; v <= x_max + 1e-9; v += x_step) {
    svg << "<line x1=\"" << num(px(v)) << "\" x2=\"" << num(px(v)) << "\" y1=\"" << kTop
        << "\" y2=\"" << kTop + plot_h << "\" stroke=\"#e5e5e5\"/>";
    svg << "<text x=\"" << num(px(v)) << "\" y=\"" << kTop + plot_h + 16
        << "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">" << num(v, 0) << "s</text>\n";
  }
  svg << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kHeight - 4
      << "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">elapsed</text>";
  svg << "<text x=\"14\" y=\"" << kTop + plot_h / 2
      << "\" font-size=\"11\" fill=\"#444\" transform=\"rotate(-90 14 " << kTop + plot_h / 2
      << ")\" text-anchor=\"middle\">" << esc(y_unit) << "</text>\n";
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << plot_w << "\" height=\""
      << plot_h << "\" fill=\"none\" stroke=\"#999\"/>\n";

  double legend_w = 0;
  for (const Series& s : series) legend_w += 30 + 7 * static_cast<double>(s.label.size());
  double legend_x = kWidth - kRight - legend_w;
  for (const Series& s : series) {
    svg << "<rect x=\"" << legend_x << "\" y=\"9\" width=\"14\" height=\"4\" fill=\"" << s.color
        << "\"/><text x=\"" << legend_x + 18 << "\" y=\"15\" font-size=\"12\" fill=\"#222\">"
        << esc(s.label) << "</text>";
    legend_x += 30 + 7 * static_cast<double>(s.label.size());
    svg << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"1.8\" points=\"";
    for (size_t i = 0; i < x.size() && i < s.y.size(); ++i) {
      svg << num(px(x[i])) << "," << num(py(s.y[i])) << " ";
    }
    svg << "\"/>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string bar_chart(const std::string& title,
                      const std::vector<std::pair<std::string, uint64_t>>& bars) {
  const int row_h = 26, label_w = 220, height = kTop + row_h * static_cast<int>(bars.size()) + 10;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << kWidth << " " << height
      << "\" role=\"img\" font-family=\"sans-serif\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  svg << "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" << esc(title)
      << "</text>\n";
  uint64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.second);
  const double bar_w = kWidth - label_w - 120;
  int y = kTop;
  for (const auto& [label, count] : bars) {
    double w = std::max(1.0, bar_w * static_cast<double>(count) / static_cast<double>(max));
    svg << "<text x=\"" << label_w - 8 << "\" y=\"" << y + 16
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"#444\">" << esc(label)
        << "</text><rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << num(w)
        << "\" height=\"" << row_h - 8 << "\" fill=\"#d9534f\"/><text x=\"" << num(label_w + w + 6)
        << "\" y=\"" << y + 16 << "\" font-size=\"12\" fill=\"#222\">" << count << "</text>\n";
    y += row_h;
  }
  svg << "</svg>\n";
  return svg.str();
}

const char* kStyle = R"(
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.agg td{font-weight:bold;background:#fafafa}
.kv td:first-child{color:#555}
svg{display:block;margin:10px 0}
pre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto}
)";

}  // namespace

bool write_html_report(const std::string& path, const ReportInput& in, std::string* error) {
  const Stats& stats = in.stats;
  const double duration = stats.duration_s();
  const NameStats& total = stats.total();
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>shop_loadgen "
       << scenario_name(in.options.scenario) << " report</title>\n<style>" << kStyle
       << "</style></head><body>\n";
  html << "<h1>shop_loadgen: " << scenario_name(in.options.scenario) << " against "
       << esc(in.options.host) << "</h1>\n";

  double cpu = in.run.cpu_user_s + in.run.cpu_sys_s;
  html << "<table class=\"kv\">\n";
  auto kv = [&](const std::string& k, const std::string& v) {
    html << "<tr><td>" << esc(k) << "</td><td>" << esc(v) << "</td></tr>\n";
  };
  kv("Duration", num(duration, 1) + " s");
  kv("Users started", std::to_string(in.run.users_started));
  kv("Requests", std::to_string(total.requests) + " (" +
                     num(static_cast<double>(total.requests) / duration, 1) + " req/s)");
  kv("Failures", std::to_string(total.failures) + " (" +
                     num(total.requests ? 100.0 * total.failures / total.requests : 0.0, 2) + "%)");
  kv("Latency p50 / p95 / p99 / max",
     format_ms(static_cast<double>(total.latency.value_at_quantile(0.5))) + " / " +
         format_ms(static_cast<double>(total.latency.value_at_quantile(0.95))) + " / " +
         format_ms(static_cast<double>(total.latency.value_at_quantile(0.99))) + " / " +
         format_ms(static_cast<double>(total.latency.max())) + " ms");
  if (in.options.scenario != Scenario::kMax) {
    uint64_t accepted = accepted_orders(stats);
    kv("Orders accepted (202)",
       std::to_string(accepted) + " (" + num(static_cast<double>(accepted) / duration, 2) + "/s)");
  }
  kv("Load generator CPU",
     num(cpu, 2) + " s = " + num(100.0 * cpu / std::max(in.run.wall_s, 1e-3), 1) + "% of one core");
  kv("Peak open connections", std::to_string(in.run.peak_connections));
  if (in.run.waiting_over_1s_at_stop > 0) {
    kv("Unanswered at stop (not counted)",
       std::to_string(in.run.in_flight_at_stop) + " in flight, " +
           std::to_string(in.run.waiting_over_1s_at_stop) + " waiting over 1 s, oldest " +
           num(in.run.oldest_in_flight_s, 2) + " s");
  }
  if (in.run.setup_failed) kv("SETUP FAILED", in.run.setup_error);
  if (in.post.attempted) {
    kv("Queue drain", in.post.drain_message);
    if (in.post.verify_spawn_failed) {
      kv("shopctl verify", "could not run");
    } else if (in.post.verify_ran) {
      kv("shopctl verify", in.post.verify_exit == 0
                               ? "OK (exit 0)"
                               : "PROBLEMS (exit " + std::to_string(in.post.verify_exit) + ")");
    }
  }
  html << "</table>\n";

  std::vector<double> x;
  Series rps{"requests/s", "#337ab7", {}}, fps{"failures/s", "#d9534f", {}};
  Series p50{"p50", "#5cb85c", {}}, p95{"p95", "#f0ad4e", {}}, p99{"p99", "#d9534f", {}};
  Series users{"users", "#6f42c1", {}};
  for (const HistorySample& s : stats.history()) {
    x.push_back(static_cast<double>(s.elapsed_us) / 1e6);
    rps.y.push_back(s.requests_per_s);
    fps.y.push_back(s.failures_per_s);
    p50.y.push_back(static_cast<double>(s.window_quantiles_us[0]) / 1000);
    p95.y.push_back(static_cast<double>(s.window_quantiles_us[5]) / 1000);
    p99.y.push_back(static_cast<double>(s.window_quantiles_us[7]) / 1000);
    users.y.push_back(s.users);
  }
  html << "<h2>Throughput</h2>\n" << line_chart("Requests per second", "req/s", x, {rps, fps});
  html << "<h2>Latency</h2>\n"
       << line_chart("Response time percentiles (last 10 s window)", "ms", x, {p50, p95, p99});
  html << line_chart("Users", "users", x, {users});

  html << "<h2>Failures by reason</h2>\n";
  std::vector<std::pair<std::string, uint64_t>> bars;
  for (int i = 0; i < kFailReasonCount; ++i) {
    uint64_t n = stats.reason_counts()[static_cast<size_t>(i)];
    if (n) bars.emplace_back(fail_reason_label(static_cast<FailReason>(i)), n);
  }
  html << (bars.empty() ? std::string("<p>No failures.</p>\n")
                        : bar_chart("Failed requests by reason", bars));

  html << "<h2>Request statistics</h2>\n<table>\n<tr><th>Type</th><th>Name</th><th># Requests</th>"
          "<th># Fails</th><th>Median (ms)</th><th>Average (ms)</th><th>Min (ms)</th>"
          "<th>Max (ms)</th><th>90% (ms)</th><th>95% (ms)</th><th>99% (ms)</th>"
          "<th>Avg size (bytes)</th><th>RPS</th><th>Failures/s</th></tr>\n";
  auto row = [&](const NameStats& ns, bool aggregated) {
    const Histogram& h = ns.latency;
    html << "<tr" << (aggregated ? " class=\"agg\"" : "") << "><td>"
         << esc(aggregated ? "" : ns.method) << "</td><td>" << esc(ns.name)
         << "</td><td class=\"n\">" << ns.requests << "</td><td class=\"n\">" << ns.failures
         << "</td>";
    for (double us :
         {static_cast<double>(h.value_at_quantile(0.5)), h.mean(), static_cast<double>(h.min()),
          static_cast<double>(h.max()), static_cast<double>(h.value_at_quantile(0.9)),
          static_cast<double>(h.value_at_quantile(0.95)),
          static_cast<double>(h.value_at_quantile(0.99))}) {
      html << "<td class=\"n\">" << format_ms(us) << "</td>";
    }
    html << "<td class=\"n\">"
         << num(ns.requests ? static_cast<double>(ns.content_bytes) / ns.requests : 0.0, 0)
         << "</td><td class=\"n\">" << num(static_cast<double>(ns.requests) / duration, 2)
         << "</td><td class=\"n\">" << num(static_cast<double>(ns.failures) / duration, 2)
         << "</td></tr>\n";
  };
  for (const NameStats& ns : stats.names()) {
    if (ns.requests > 0) row(ns, false);
  }
  row(total, true);
  html << "</table>\n";

  if (!stats.failures().empty()) {
    html << "<h2>Failures</h2>\n<table>\n<tr><th>Method</th><th>Name</th><th>Error</th>"
            "<th>Occurrences</th></tr>\n";
    for (const auto& [key, count] : stats.failures()) {
      const auto& [method, name, err] = key;
      html << "<tr><td>" << esc(method) << "</td><td>" << esc(name) << "</td><td>" << esc(err)
           << "</td><td class=\"n\">" << count << "</td></tr>\n";
    }
    html << "</table>\n";
  }
  if (in.post.verify_ran && !in.post.verify_output.empty()) {
    html << "<h2>shopctl verify output</h2>\n<pre>" << esc(in.post.verify_output) << "</pre>\n";
  }
  html << "</body></html>\n";

  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  f << html.str();
  return static_cast<bool>(f);
}

}  // namespace loadgen
