// post_run.h — after the load: wait for shopd's order queue to drain (via /metrics/), then run
// `shopctl --db PATH verify` and capture its verdict.
#pragma once

#include <string>

#include "http_client.h"
#include "report.h"

namespace loadgen {

// Polls GET /metrics/ (then /metrics) every 100 ms until orders.queue_depth and orders.in_flight
// are both 0, or timeout_s passes. A missing endpoint or field is reported and skipped.
void wait_for_drain(const Endpoint& endpoint, double timeout_s, double request_timeout_s,
                    PostRun* out);

// Runs `<shopctl> --db <db> verify`, capturing stdout+stderr and the exit status.
void run_verify(const std::string& shopctl, const std::string& db, PostRun* out);

}  // namespace loadgen
