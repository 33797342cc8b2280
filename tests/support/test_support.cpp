#include "support/test_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace shoptest {

TempDir::TempDir() {
  char tmpl[] = "/tmp/shoptest.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestEngine::TestEngine(int workers, std::size_t queue_capacity) {
  shop::EngineOptions o;
  o.db_path = dir.file("shop.db");
  o.clock = &clock;
  o.password_iterations = 1000;
  o.order_workers = workers;
  o.order_queue_capacity = queue_capacity;
  o.jwt_secret = "test-secret";
  auto e = shop::Engine::open(o);
  if (!e) throw std::runtime_error("engine open: " + e.error().message);
  engine = std::move(*e);
}

ShopdProcess::ShopdProcess(std::string db, std::vector<std::string> extra)
    : db_(std::move(db)), extra_(std::move(extra)) {
  start();
}

ShopdProcess::~ShopdProcess() {
  if (pid_ > 0) stop(15);
}

void ShopdProcess::start() {
  log_path_ = db_ + ".shopd.log";
  std::vector<std::string> args = {SHOPD_PATH, "--db", db_, "--port", "0",
                                   "--password-iterations", "1000", "--jwt-secret", "test-secret"};
  args.insert(args.end(), extra_.begin(), extra_.end());
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out_pipe[1], 1);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, 2);
    close(out_pipe[0]);
    close(out_pipe[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  // Wait for "listening on http://host:port" on stdout.
  std::string seen;
  char buf[256];
  std::regex re(R"(listening on http://[^:]+:(\d+))");
  std::smatch m;
  while (true) {
    ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
    if (std::regex_search(seen, m, re)) {
      port_ = std::stoi(m[1]);
      break;
    }
  }
  close(out_pipe[0]);  // later stdout writes get EPIPE/SIGPIPE-ignored; shopd prints only at start
  if (port_ == 0) {
    std::ifstream log(log_path_);
    std::stringstream ss;
    ss << log.rdbuf();
    stop(9);
    throw std::runtime_error("shopd did not start: " + seen + " / " + ss.str());
  }
}

std::unique_ptr<httplib::Client> ShopdProcess::client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(30, 0);
  return c;
}

int ShopdProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  // Give a graceful stop time to drain; then force it.
  for (int i = 0; i < 3000; ++i) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return 128 + SIGKILL;
}

CommandResult run_shopctl(const std::vector<std::string>& args) {
  TempDir dir;
  std::string cmd = std::string("'") + SHOPCTL_PATH + "'";
  for (const auto& a : args) {
    std::string q;
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " '" + q + "'";
  }
  cmd += " >" + dir.file("out") + " 2>" + dir.file("err") + " </dev/null";
  int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  r.out = slurp(dir.file("out"));
  r.err = slurp(dir.file("err"));
  return r;
}

namespace {
HttpResult to_result(const httplib::Result& r) {
  HttpResult out;
  if (!r) return out;  // status 0: transport error
  out.status = r->status;
  out.raw = r->body;
  out.headers = r->headers;
  if (!r->body.empty()) out.body = json::parse(r->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}
}  // namespace

HttpResult http_raw(httplib::Client& c, const std::string& method, const std::string& path,
                    const std::string& body, const std::string& content_type,
                    const std::string& token) {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  if (method == "GET") return to_result(c.Get(path, h));
  if (method == "DELETE") return to_result(c.Delete(path, h, body, content_type));
  if (method == "PUT") return to_result(c.Put(path, h, body, content_type));
  if (method == "PATCH") return to_result(c.Patch(path, h, body, content_type));
  return to_result(c.Post(path, h, body, content_type));
}

HttpResult http(httplib::Client& c, const std::string& method, const std::string& path,
                const json& body, const std::string& token, const httplib::Headers& headers) {
  httplib::Headers h = headers;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  const std::string payload = body.is_null() ? std::string() : body.dump();
  const char* ct = "application/json";
  if (method == "GET") return to_result(c.Get(path, h));
  if (method == "DELETE") return to_result(c.Delete(path, h, payload, ct));
  if (method == "PUT") return to_result(c.Put(path, h, payload, ct));
  if (method == "PATCH") return to_result(c.Patch(path, h, payload, ct));
  return to_result(c.Post(path, h, payload, ct));
}

}  // namespace shoptest
