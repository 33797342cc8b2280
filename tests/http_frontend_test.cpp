// The HTTP front end on the wire, against a real shopd: framing, pipelining, limits, deadlines and
// hostile clients (slowloris, header bombs) that must not stop service for anyone else.
// Waits are bounded; nothing asserts how fast something was.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/raw_http.h"
#include "support/test_support.h"

using shoptest::get_request;
using shoptest::RawConn;

namespace {

// Resident set size of a process in KiB (VmRSS), 0 if unknown.
long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (f >> key) {
    if (key == "VmRSS:") {
      long v = 0;
      f >> v;
      return v;
    }
    f.ignore(1 << 20, '\n');
  }
  return 0;
}

// A shopd on an empty database with short deadlines so the tests finish quickly.
struct FrontendServer {
  shoptest::TempDir dir;
  shoptest::ShopdProcess srv;
  explicit FrontendServer(std::vector<std::string> extra = {})
      : srv(dir.file("shop.db"), with_defaults(std::move(extra))) {}
  // The defaults, less any flag that `extra` sets itself (CLI11 takes each flag once).
  static std::vector<std::string> with_defaults(std::vector<std::string> extra) {
    std::vector<std::string> a = {"--no-scheduler"};
    for (const char* flag : {"--workers", "--header-timeout", "--body-timeout"}) {
      if (std::find(extra.begin(), extra.end(), flag) == extra.end()) {
        a.push_back(flag);
        a.push_back("1");
      }
    }
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  int port() const { return srv.port(); }
};

// One GET on a fresh connection; the status, or 0 if no response came within the bound.
int fresh_get(int port, const std::string& path = "/health/") {
  RawConn c(port);
  if (!c.ok() || !c.send(get_request(path))) return 0;
  auto r = c.read_response(10'000);
  return r ? r->status : 0;
}

}  // namespace

TEST_SUITE("http_frontend") {
  TEST_CASE("keep-alive: many requests on one connection, HEAD without a body") {
    FrontendServer s;
    RawConn c(s.port());
    REQUIRE(c.ok());
    for (int i = 0; i < 50; ++i) {
      REQUIRE(c.send(get_request("/health/")));
      auto r = c.read_response();
      REQUIRE(r);
      CHECK(r->status == 200);
      CHECK(r->body == R"({"status":"ok"})");
      CHECK(r->header("Connection").empty());
      CHECK_FALSE(r->header("Date").empty());
    }
    REQUIRE(c.send("HEAD /health/ HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/health/")));
    auto head = c.read_response();
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->header("Content-Length") == "15");
    // The HEAD response carried no body: the next response follows directly.
    auto next = c.read_response();
    REQUIRE(next);
    CHECK(next->body == R"({"status":"ok"})");
  }

  TEST_CASE("HTTP/1.0 closes after the response unless keep-alive is asked for") {
    FrontendServer s;
    RawConn c(s.port());
    REQUIRE(c.send("GET /health/ HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("Connection") == "close");
    CHECK(c.closed_by_peer(5000));
    RawConn k(s.port());
    REQUIRE(k.send("GET /health/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r2 = k.read_response();
    REQUIRE(r2);
    CHECK(r2->header("Connection") == "keep-alive");
    REQUIRE(k.send("GET /health/ HTTP/1.0\r\n\r\n"));
    CHECK(k.read_response());
  }

  TEST_CASE("pipelined requests are all answered, in order") {
    FrontendServer s;
    RawConn c(s.port());
    std::string burst;
    for (int i = 0; i < 20; ++i) {
      burst +=
          get_request(i % 2 ? "/health/" : "/api/products/?page_size=" + std::to_string(i + 1));
    }
    burst += "GET /no-such-path/ HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(c.send(burst));
    for (int i = 0; i < 20; ++i) {
      auto r = c.read_response();
      REQUIRE(r);
      CHECK(r->status == 200);
      if (i % 2) {
        CHECK(r->body == R"({"status":"ok"})");
      } else {
        CHECK(r->body.find("\"results\"") != std::string::npos);
      }
    }
    auto last = c.read_response();
    REQUIRE(last);
    CHECK(last->status == 404);
  }

  TEST_CASE("conflicting Content-Length is 400 and closes; identical duplicates are one length") {
    FrontendServer s;
    {
      RawConn c(s.port());
      REQUIRE(
          c.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}"));
      auto r = c.read_response();
      REQUIRE(r);
      CHECK(r->status == 400);
      CHECK(r->header("Connection") == "close");
      CHECK(r->body.find("Content-Length") != std::string::npos);
      CHECK(c.closed_by_peer(5000));
    }
    {
      RawConn c(s.port());
      const std::string body = R"({"username":"nobody","password":"x"})";
      const std::string cl = std::to_string(body.size());
      REQUIRE(
          c.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: " +
                 cl + "\r\nContent-Length: " + cl + "\r\n\r\n" + body));
      auto r = c.read_response();
      REQUIRE(r);
      CHECK(r->status == 400);  // read the body: wrong credentials, not a framing error
      CHECK(r->body.find("non_field_errors") != std::string::npos);
    }
  }

  TEST_CASE("Content-Length with Transfer-Encoding is 400; unknown codings 501") {
    FrontendServer s;
    RawConn a(s.port());
    REQUIRE(
        a.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    auto r = a.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    RawConn b(s.port());
    REQUIRE(b.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"));
    auto r2 = b.read_response();
    REQUIRE(r2);
    CHECK(r2->status == 501);
  }

  TEST_CASE("chunked request bodies are decoded; Expect: 100-continue is honoured") {
    FrontendServer s;
    const std::string body = R"({"username":"nobody","password":"x"})";
    RawConn c(s.port());
    REQUIRE(
        c.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n5\r\n" +
               body.substr(0, 5) + "\r\n" +
               [&] {
                 char hex[16];
                 std::snprintf(hex, sizeof hex, "%zx", body.size() - 5);
                 return std::string(hex);
               }() +
               "\r\n" + body.substr(5) + "\r\n0\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->body.find("non_field_errors") != std::string::npos);

    RawConn e(s.port());
    REQUIRE(
        e.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Expect: 100-continue\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n"));
    auto cont = e.read_response();
    REQUIRE(cont);
    CHECK(cont->status == 100);
    REQUIRE(e.send(body));
    auto fin = e.read_response();
    REQUIRE(fin);
    CHECK(fin->status == 400);
    CHECK(fin->body.find("non_field_errors") != std::string::npos);
  }

  TEST_CASE("size limits: 413 body, 431 header size and count, 414 target") {
    FrontendServer s({"--max-body-bytes", "1000"});
    RawConn big(s.port());
    REQUIRE(big.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"));
    auto r = big.read_response();
    REQUIRE(r);
    CHECK(r->status == 413);

    RawConn chunked(s.port());
    REQUIRE(chunked.send(
        "POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "200\r\n" +
        std::string(512, 'a') + "\r\n200\r\n" + std::string(512, 'a') + "\r\n"));
    auto rc = chunked.read_response();
    REQUIRE(rc);
    CHECK(rc->status == 413);

    RawConn many(s.port());
    std::string headers;
    for (int i = 0; i < 150; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
    REQUIRE(many.send(get_request("/health/", headers)));
    auto r2 = many.read_response();
    REQUIRE(r2);
    CHECK(r2->status == 431);

    RawConn huge(s.port());
    REQUIRE(huge.send(get_request("/health/", "X-Big: " + std::string(40 * 1024, 'v') + "\r\n")));
    auto r3 = huge.read_response();
    REQUIRE(r3);
    CHECK(r3->status == 431);

    RawConn uri(s.port());
    REQUIRE(uri.send(get_request("/api/products/?search=" + std::string(9000, 'q'))));
    auto r4 = uri.read_response();
    REQUIRE(r4);
    CHECK(r4->status == 414);

    CHECK(fresh_get(s.port()) == 200);
  }

  TEST_CASE("deadlines: a trickled head and a stalled body get 408 and are closed") {
    FrontendServer s;  // --header-timeout 1 --body-timeout 1
    RawConn head(s.port());
    REQUIRE(head.send("GET /health/ HTTP/1.1\r\n"));
    // A byte every 200 ms does not extend the deadline: the whole head had one second.
    std::optional<RawConn::Response> r;
    for (int i = 0; i < 40 && !r; ++i) {
      head.send("X");
      head.read_some(200);
      if (head.buffer().find("\r\n\r\n") != std::string::npos) r = head.read_response(100);
    }
    REQUIRE(r);
    CHECK(r->status == 408);
    CHECK(head.closed_by_peer(5000));

    RawConn body(s.port());
    REQUIRE(
        body.send("POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"us"));
    auto rb = body.read_response(8000);
    REQUIRE(rb);
    CHECK(rb->status == 408);

    RawConn silent(s.port());  // connects and never sends: closed without a response
    CHECK(silent.closed_by_peer(8000));
    CHECK(silent.buffer().empty());
  }

  TEST_CASE("garbage on the wire is 400 and leaves the server serving") {
    FrontendServer s;
    const std::vector<std::string> junk = {
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15),  // a TLS hello
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded: y\r\n\r\n",
        "GET\r\n\r\n",
        std::string(100, '\n') + "GET /health/ HTTP/1.1\r\nHost: x\r\n\r\n",  // leading blank lines
    };
    for (size_t i = 0; i < junk.size(); ++i) {
      RawConn c(s.port());
      REQUIRE(c.send(junk[i]));
      auto r = c.read_response(5000);
      REQUIRE(r);
      if (i + 1 == junk.size()) {
        CHECK(r->status == 200);
      } else {
        CHECK(r->status >= 400);
        CHECK(r->status < 506);
      }
    }
    CHECK(fresh_get(s.port()) == 200);
    // /metrics/ counts what the front end refused.
    RawConn m(s.port());
    REQUIRE(m.send(get_request("/metrics/")));
    auto metrics = m.read_response();
    REQUIRE(metrics);
    auto http = nlohmann::json::parse(metrics->body)["http"];
    CHECK(http["wire_errors"].get<int>() >= 4);
    CHECK(http["connections_open"].get<int>() >= 1);
    CHECK(http["requests"].get<int>() >= 2);
  }

  TEST_CASE("slowloris connections (head and body) do not stop service for others") {
    // 300 connections trickling heads, 300 trickling bodies: each holds no thread, so normal
    // requests on other connections are answered throughout.
    FrontendServer s({"--header-timeout", "30", "--body-timeout", "30"});
    std::vector<RawConn> slow;
    for (int i = 0; i < 600; ++i) {
      slow.emplace_back(s.port());
      REQUIRE(slow.back().ok());
      slow.back().send(
          i % 2 ? "GET /health/ HTTP/1.1\r\nHo"
                : "POST /api/auth/login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
    }
    int served = 0;
    for (int round = 0; round < 5; ++round) {
      for (auto& c : slow) c.send("a");
      for (int i = 0; i < 10; ++i) served += fresh_get(s.port()) == 200;
    }
    CHECK(served == 50);
  }

  TEST_CASE("header bombs are cut off at the head limit and do not grow memory") {
    FrontendServer s;
    const long before = rss_kib(s.srv.pid());
    std::vector<std::thread> bombers;
    std::atomic<int> refused{0};
    for (int b = 0; b < 4; ++b) {
      bombers.emplace_back([&] {
        RawConn c(s.port());
        c.send("GET /health/ HTTP/1.1\r\nHost: x\r\n");
        const std::string lines = [] {
          std::string l;
          for (int i = 0; i < 1000; ++i)
            l += "X-Bomb-" + std::to_string(i) + ": aaaaaaaaaaaaaaaa\r\n";
          return l;
        }();
        // Up to ~30 MB per connection; the server answers 431 and stops reading long before.
        for (int i = 0; i < 1000 && c.send(lines); ++i) {
          c.read_some(0);  // catch the answer as soon as it comes (a reset may follow it)
          if (c.buffer().find("\r\n\r\n") != std::string::npos) break;
        }
        for (int k = 0; k < 100 && c.buffer().find("\r\n\r\n") == std::string::npos; ++k) {
          if (!c.read_some(100)) break;
        }
        if (c.buffer().rfind("HTTP/1.1 431", 0) == 0) refused++;
      });
    }
    for (int i = 0; i < 20; ++i) CHECK(fresh_get(s.port()) == 200);
    for (auto& t : bombers) t.join();
    CHECK(refused == 4);
    const long after = rss_kib(s.srv.pid());
    INFO("rss before " << before << " KiB, after " << after << " KiB");
    CHECK(after - before < 32 * 1024);
    CHECK(fresh_get(s.port()) == 200);
  }

  TEST_CASE("legacy threads front end still serves (side-by-side benchmarks use it)") {
    FrontendServer s({"--frontend", "threads", "--http-threads", "8", "--keep-alive-timeout", "2"});
    CHECK(fresh_get(s.port()) == 200);
    CHECK(fresh_get(s.port(), "/api/products/?page_size=1") == 200);
  }
}

TEST_SUITE("http_frontend_concurrency") {
  TEST_CASE("many clients at once: keep-alive, pipelined bursts and reconnects all answered") {
    FrontendServer s({"--http-threads", "4"});
    constexpr int kThreads = 12;
    constexpr int kRounds = 40;
    std::atomic<int> ok{0}, bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        RawConn c(s.port());
        for (int i = 0; i < kRounds; ++i) {
          if (i % 10 == 9) c = RawConn(s.port());  // reconnect now and then
          const int burst = 1 + (i + t) % 3;
          std::string out;
          for (int k = 0; k < burst; ++k)
            out += get_request(k % 2 ? "/health/" : "/api/products/?page_size=2");
          if (!c.send(out)) {
            bad++;
            continue;
          }
          for (int k = 0; k < burst; ++k) {
            auto r = c.read_response();
            if (r && r->status == 200) {
              ok++;
            } else {
              bad++;
            }
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(bad == 0);
    CHECK(ok > kThreads * kRounds);
    CHECK(fresh_get(s.port()) == 200);
  }
}
