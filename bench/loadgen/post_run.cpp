#include "post_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "event_loop.h"

extern char** environ;

namespace loadgen {

namespace {

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

// orders.queue_depth and orders.in_flight, or false when either is missing.
bool read_queue(const nlohmann::json& j, int64_t* depth, int64_t* in_flight) {
  if (!j.is_object() || !j.contains("orders") || !j["orders"].is_object()) return false;
  const auto& o = j["orders"];
  if (!o.contains("queue_depth") || !o["queue_depth"].is_number() || !o.contains("in_flight") ||
      !o["in_flight"].is_number()) {
    return false;
  }
  *depth = o["queue_depth"].get<int64_t>();
  *in_flight = o["in_flight"].get<int64_t>();
  return true;
}

Task<void> poll_metrics(EventLoop& loop, Connection& conn, const Endpoint& ep, double timeout_s,
                        PostRun* out) {
  const int64_t t0 = now_us();
  std::string path = "/metrics/";
  for (;;) {
    HttpResult r =
        co_await conn.send(build_request("GET", ep.base_path + path, ep.host_header, {}, ""));
    double elapsed = static_cast<double>(now_us() - t0) / 1e6;
    if (r.status() == 404 && path == "/metrics/") {
      path = "/metrics";
      continue;
    }
    if (!r.ok_transport()) {
      out->drain_message = "cannot reach " + path + " (" + r.error_detail + "); skipped";
      break;
    }
    if (r.status() != 200) {
      out->drain_message = path + " answered HTTP " + std::to_string(r.status()) +
                           " (not there yet?); drain wait skipped";
      break;
    }
    int64_t depth = 0, in_flight = 0;
    auto j = nlohmann::json::parse(r.response.body, nullptr, false);
    if (!read_queue(j, &depth, &in_flight)) {
      out->drain_message = path + " has no orders.queue_depth / orders.in_flight; skipped";
      break;
    }
    out->metrics_available = true;
    if (depth == 0 && in_flight == 0) {
      out->drained = true;
      out->drain_s = elapsed;
      out->drain_message = "order queue drained " + seconds(elapsed) + " after the run";
      break;
    }
    if (elapsed > timeout_s) {
      out->drain_message = "NOT drained after " + seconds(elapsed) + " (queue_depth " +
                           std::to_string(depth) + ", in_flight " + std::to_string(in_flight) + ")";
      break;
    }
    co_await loop.sleep_for(100'000);
  }
  loop.stop();
}

}  // namespace

void wait_for_drain(const Endpoint& endpoint, double timeout_s, double request_timeout_s,
                    PostRun* out) {
  out->attempted = true;
  EventLoop loop(static_cast<int64_t>(request_timeout_s * 1e6));
  ConnectionCounters counters;
  Connection conn(loop, endpoint, counters);
  loop.spawn(poll_metrics(loop, conn, endpoint, timeout_s, out));
  loop.run();
  loop.destroy_tasks();
}

void run_verify(const std::string& shopctl, const std::string& db, PostRun* out) {
  out->attempted = true;
  out->verify_ran = true;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    out->verify_spawn_failed = true;
    out->verify_exit = 127;
    out->verify_output = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::string db_flag = "--db", verb = "verify";
  char* argv[] = {const_cast<char*>(shopctl.c_str()), db_flag.data(), const_cast<char*>(db.c_str()),
                  verb.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, shopctl.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    out->verify_spawn_failed = true;
    out->verify_exit = 127;
    out->verify_output = "cannot run " + shopctl + ": " + std::strerror(rc) + "\n";
    return;
  }
  char buf[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out->verify_output.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out->verify_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace loadgen
