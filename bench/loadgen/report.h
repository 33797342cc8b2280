// report.h — the end-of-run outputs: console summary, Locust-compatible CSVs, offline HTML.
#pragma once

#include <cstdio>
#include <string>

#include "options.h"
#include "runner.h"
#include "stats.h"

namespace loadgen {

// What happened after the run (queue drain and `shopctl verify`), when --db was given.
struct PostRun {
  bool attempted = false;
  bool metrics_available = false;
  bool drained = false;
  double drain_s = 0;
  std::string drain_message;
  bool verify_ran = false;
  bool verify_spawn_failed = false;  // shopctl could not be started at all
  int verify_exit = -1;
  std::string verify_output;
};

// True when the post-run checks found a problem (queue not drained, verify failed or not run).
bool post_run_failed(const PostRun& post);

struct ReportInput {
  const Options& options;
  const Stats& stats;
  const RunSummary& run;
  const PostRun& post;
};

// Successful "Create Order (with points)" requests (202s), for the orders line of the reports.
uint64_t accepted_orders(const Stats& stats);

void print_report(std::FILE* out, const ReportInput& in);

// <prefix>_stats.csv, <prefix>_stats_history.csv, <prefix>_failures.csv in Locust's columns.
bool write_csv_reports(const std::string& prefix, const Stats& stats, std::string* error);

// A self-contained HTML page (inline SVG charts, no scripts, no external assets).
bool write_html_report(const std::string& path, const ReportInput& in, std::string* error);

// Shared by the CSV and HTML writers: milliseconds with microsecond resolution ("12.345").
std::string format_ms(double us);

}  // namespace loadgen
