// Unit tests for the load generator's pure parts: histogram, HTTP response parser, URL and
// duration parsing, failure classification.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

#include "histogram.h"
#include "http_message.h"
#include "options.h"
#include "stats.h"

using namespace loadgen;

namespace {

ResponseParser::State feed_all(ResponseParser& p, const std::string& wire, size_t step) {
  ResponseParser::State st = ResponseParser::State::kNeedMore;
  for (size_t i = 0; i < wire.size(); i += step) {
    st = p.feed(wire.data() + i, std::min(step, wire.size() - i));
    if (st != ResponseParser::State::kNeedMore) break;
  }
  return st;
}

HttpResult http(int status, std::string body, bool retry_after = false) {
  HttpResult r;
  r.response.status = status;
  r.response.body = std::move(body);
  if (retry_after) r.response.headers.emplace_back("retry-after", "1");
  return r;
}

}  // namespace

TEST_CASE("histogram buckets cover every value with under 1% relative width") {
  int previous = -1;
  for (uint64_t v = 0; v < (uint64_t{1} << 22); v += (v < 4096 ? 1 : v / 500)) {
    int idx = Histogram::bucket_index(v);
    CHECK(idx >= previous);
    previous = idx;
    uint64_t lo = Histogram::bucket_lowest(idx), hi = Histogram::bucket_highest(idx);
    REQUIRE(lo <= v);
    REQUIRE(v <= hi);
    if (v >= 256) CHECK(static_cast<double>(hi - lo + 1) / static_cast<double>(lo) <= 1.0 / 128);
  }
  CHECK(Histogram::bucket_index(Histogram::kMaxValue) == Histogram::bucket_count() - 1);
  CHECK(Histogram::bucket_index(UINT64_MAX) == Histogram::bucket_count() - 1);
}

TEST_CASE("histogram quantiles, min, max and mean") {
  Histogram h;
  CHECK(h.value_at_quantile(0.5) == 0);
  CHECK(h.count() == 0);
  for (uint64_t v = 1; v <= 100000; ++v) h.record(v);
  CHECK(h.count() == 100000);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100000);
  CHECK(h.mean() == doctest::Approx(50000.5));
  for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
    double exact = q * 100000;
    CHECK(static_cast<double>(h.value_at_quantile(q)) == doctest::Approx(exact).epsilon(0.01));
  }
  CHECK(h.value_at_quantile(1.0) == 100000);
  CHECK(h.value_at_quantile(0.0) == 1);

  Histogram single;
  single.record(12345);
  CHECK(single.value_at_quantile(0.5) == 12345);  // clamped to [min, max]
  CHECK(single.value_at_quantile(0.99) == 12345);
}

TEST_CASE("histogram merge equals recording into one") {
  Histogram a, b, both;
  for (uint64_t v = 0; v < 5000; ++v) {
    (v % 3 ? a : b).record(v * 37);
    both.record(v * 37);
  }
  a.merge(b);
  CHECK(a.count() == both.count());
  CHECK(a.min() == both.min());
  CHECK(a.max() == both.max());
  CHECK(a.sum() == both.sum());
  for (double q : {0.1, 0.5, 0.75, 0.99})
    CHECK(a.value_at_quantile(q) == both.value_at_quantile(q));
  a.reset();
  CHECK(a.count() == 0);
  CHECK(a.max() == 0);
}

TEST_CASE("parser: Content-Length response, any split") {
  const std::string wire =
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: sessionid=abc; "
      "Path=/\r\nContent-Length: 11\r\n\r\n{\"id\": 42}\n";
  for (size_t step : {1, 2, 7, 1000}) {
    ResponseParser p;
    REQUIRE(feed_all(p, wire, step) == ResponseParser::State::kComplete);
    CHECK(p.response().status == 201);
    CHECK(p.response().body == "{\"id\": 42}\n");
    CHECK(p.response().keep_alive);
    REQUIRE(p.response().header("set-cookie") != nullptr);
    CHECK(*p.response().header("set-cookie") == "sessionid=abc; Path=/");
    CHECK(*p.response().header("content-type") == "application/json");
  }
}

TEST_CASE("parser: chunked body with extensions and trailers") {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: y\r\n\r\n";
  for (size_t step : {1, 3, 4096}) {
    ResponseParser p;
    REQUIRE(feed_all(p, wire, step) == ResponseParser::State::kComplete);
    CHECK(p.response().body == "Wikipedia in\r\n\r\nchunks.");
  }
}

TEST_CASE("parser: body until close, 204 without body, Connection: close, HTTP/1.0") {
  ResponseParser p;
  CHECK(p.feed("HTTP/1.1 200 OK\r\n\r\nhello ", 25) == ResponseParser::State::kNeedMore);
  CHECK(p.feed("world", 5) == ResponseParser::State::kNeedMore);
  CHECK(p.feed_eof() == ResponseParser::State::kComplete);
  CHECK(p.response().body == "hello world");
  CHECK_FALSE(p.response().keep_alive);

  ResponseParser empty;
  std::string no_content = "HTTP/1.1 204 No Content\r\nX: 1\r\n\r\n";
  CHECK(empty.feed(no_content.data(), no_content.size()) == ResponseParser::State::kComplete);
  CHECK(empty.response().body.empty());

  ResponseParser close;
  std::string c =
      "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
      "Content-Length: 2\r\n\r\n{}";
  CHECK(close.feed(c.data(), c.size()) == ResponseParser::State::kComplete);
  CHECK_FALSE(close.response().keep_alive);
  CHECK(close.response().status == 503);

  ResponseParser old;
  std::string o = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
  CHECK(old.feed(o.data(), o.size()) == ResponseParser::State::kComplete);
  CHECK_FALSE(old.response().keep_alive);
}

TEST_CASE("parser: malformed input is an error, not a crash") {
  for (std::string bad :
       {std::string("HTTX/1.1 200 OK\r\n\r\n"), std::string("HTTP/1.1 2x0 OK\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        std::string("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab")}) {
    ResponseParser p;
    CHECK(p.feed(bad.data(), bad.size()) == ResponseParser::State::kError);
    CHECK_FALSE(p.error().empty());
  }
  ResponseParser huge;
  std::string head = "HTTP/1.1 200 OK\r\nX: " + std::string(ResponseParser::kMaxHeaderBytes, 'a');
  CHECK(huge.feed(head.data(), head.size()) == ResponseParser::State::kError);

  ResponseParser cut;
  std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
  CHECK(cut.feed(partial.data(), partial.size()) == ResponseParser::State::kNeedMore);
  CHECK(cut.feed_eof() == ResponseParser::State::kError);

  ResponseParser nothing;
  CHECK(nothing.feed_eof() == ResponseParser::State::kError);
  CHECK_FALSE(nothing.started());
}

TEST_CASE("request serialization") {
  std::string req = build_request("POST", "/api/orders/", "127.0.0.1:8000",
                                  {"Authorization: Bearer t"}, R"({"a":1})");
  CHECK(req.rfind("POST /api/orders/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n", 0) == 0);
  CHECK(req.find("Authorization: Bearer t\r\n") != std::string::npos);
  CHECK(req.find("Content-Length: 7\r\n") != std::string::npos);
  CHECK(req.find("Content-Type: application/json\r\n") != std::string::npos);
  CHECK(req.substr(req.size() - 11) == "\r\n\r\n{\"a\":1}");

  std::string empty_post = build_request("POST", "/x/", "h:1", {}, "");
  CHECK(empty_post.find("Content-Length: 0\r\n") != std::string::npos);
  std::string get = build_request("GET", "/x/", "h:1", {}, "");
  CHECK(get.find("Content-Length") == std::string::npos);
}

TEST_CASE("url and duration parsing") {
  std::string err;
  auto u = parse_url("http://127.0.0.1:8000", &err);
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 8000);
  CHECK(u->base_path.empty());
  auto v = parse_url("http://localhost/base/", &err);
  REQUIRE(v);
  CHECK(v->port == 80);
  CHECK(v->base_path == "/base");
  auto w = parse_url("http://[::1]:9000", &err);
  REQUIRE(w);
  CHECK(w->host == "::1");
  CHECK(w->port == 9000);
  CHECK_FALSE(parse_url("https://x", &err));
  CHECK_FALSE(parse_url("http://x:0", &err));
  CHECK_FALSE(parse_url("http://x:99999", &err));
  CHECK_FALSE(parse_url("ftp://x", &err));
  CHECK_FALSE(parse_url("http://", &err));

  CHECK(parse_duration("90") == 90.0);
  CHECK(parse_duration("60s") == 60.0);
  CHECK(parse_duration("2m") == 120.0);
  CHECK(parse_duration("1h30m") == 5400.0);
  CHECK(parse_duration("1.5m") == 90.0);
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("0"));
  CHECK_FALSE(parse_duration("10x"));
  CHECK_FALSE(parse_duration("1m30"));
  CHECK_FALSE(parse_duration("-5"));
}

TEST_CASE("failure classification") {
  CHECK(classify_failure(http(400, R"({"non_field_errors":["Cart is empty."]})")) ==
        FailReason::kCartEmpty);
  CHECK(classify_failure(http(400, R"({"non_field_errors":["장바구니가 비어있습니다."]})")) ==
        FailReason::kCartEmpty);
  CHECK(classify_failure(http(400, R"({"cart_items":["상품 A: 재고 부족"]})")) ==
        FailReason::kOutOfStock);
  CHECK(classify_failure(http(400, R"({"error":"x","code":"INSUFFICIENT_STOCK"})")) ==
        FailReason::kOutOfStock);
  CHECK(classify_failure(http(400, R"(["Insufficient points: 50 available"])")) ==
        FailReason::kInsufficientPoints);
  CHECK(classify_failure(http(400, R"({"error":"..","code":"INSUFFICIENT_POINTS"})")) ==
        FailReason::kInsufficientPoints);
  CHECK(classify_failure(http(400, R"({"shipping_name":["This field is required."]})")) ==
        FailReason::kOther4xx);
  CHECK(classify_failure(http(401, R"({"detail":"no points"})")) == FailReason::kOther4xx);
  CHECK(classify_failure(http(503, R"({"detail":"busy"})", true)) == FailReason::kQueueFull);
  CHECK(classify_failure(http(503, "")) == FailReason::kServer5xx);
  CHECK(classify_failure(http(500, "")) == FailReason::kServer5xx);
  CHECK(classify_failure(http(201, "")) == FailReason::kUnexpected);
  HttpResult timeout;
  timeout.error = TransportError::kTimeout;
  CHECK(classify_failure(timeout) == FailReason::kTimeout);
  HttpResult reset;
  reset.error = TransportError::kConnection;
  CHECK(classify_failure(reset) == FailReason::kConnection);
}

TEST_CASE("stats: per-name counts, failure grouping and history samples") {
  Stats stats(0);
  int a = stats.name_id("GET", "My Points");
  int b = stats.name_id("POST", "Create Order (with points)");
  CHECK(stats.name_id("GET", "My Points") == a);
  HttpResult ok = http(200, "{}");
  ok.latency_us = 1000;
  HttpResult full = http(503, "{}", true);
  full.latency_us = 3000;
  stats.record_auto(a, ok, true);
  stats.record_auto(b, full, false);
  stats.record_auto(b, full, false);
  CHECK(stats.total().requests == 3);
  CHECK(stats.total().failures == 2);
  CHECK(stats.names()[static_cast<size_t>(b)].failures == 2);
  CHECK(stats.reason_counts()[static_cast<size_t>(FailReason::kQueueFull)] == 2);
  REQUIRE(stats.failures().size() == 1);
  CHECK(stats.failures().begin()->second == 2);
  stats.sample_second(1'000'000, 5);
  REQUIRE(stats.history().size() == 1);
  CHECK(stats.history()[0].users == 5);
  CHECK(stats.history()[0].requests_per_s == doctest::Approx(3.0));
  CHECK(stats.history()[0].total_failures == 2);
  CHECK(stats.history()[0].window_quantiles_us.back() == 3000);
}
