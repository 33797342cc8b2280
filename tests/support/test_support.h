// test_support.h — temporary databases, engines on a manual clock, and a real shopd process on a
// free loopback port for HTTP tests.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/engine.h"

namespace shoptest {

using json = nlohmann::json;

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// 2026-01-15T03:00:00Z: a fixed start so tests do not depend on the day they run.
constexpr shop::Micros kTestEpoch = 1768446000LL * shop::kMicrosPerSecond;

// An engine on a temp database with a manual clock and cheap password hashing.
struct TestEngine {
  TempDir dir;
  shop::ManualClock clock{kTestEpoch};
  std::unique_ptr<shop::Engine> engine;
  explicit TestEngine(int workers = 0, std::size_t queue_capacity = 10000);
  shop::Engine* operator->() { return engine.get(); }
  shop::Engine& operator*() { return *engine; }
};

// A shopd process on a free port. Stopped (SIGTERM, then SIGKILL) on destruction.
class ShopdProcess {
 public:
  // db: database path (created if missing); extra: more command-line flags.
  explicit ShopdProcess(std::string db, std::vector<std::string> extra = {});
  ~ShopdProcess();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::unique_ptr<httplib::Client> client() const;
  int stop(int signal = 15);  // returns the exit status (or 128+signal)
  void kill9() { stop(9); }

 private:
  void start();
  std::string db_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

// Runs shopctl with arguments; returns exit code, stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
CommandResult run_shopctl(const std::vector<std::string>& args);

// Small HTTP helpers for tests.
struct HttpResult {
  int status = 0;
  json body;  // parsed JSON, or null when the body is empty / not JSON
  std::string raw;
  httplib::Headers headers;
};
HttpResult http(httplib::Client& c, const std::string& method, const std::string& path,
                const json& body = nullptr, const std::string& token = "",
                const httplib::Headers& headers = {});
HttpResult http_raw(httplib::Client& c, const std::string& method, const std::string& path,
                    const std::string& body, const std::string& content_type = "application/json",
                    const std::string& token = "");

}  // namespace shoptest
