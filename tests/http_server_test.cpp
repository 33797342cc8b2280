// The front end's pieces that need no socket: response serialisation and the latency histogram.
#include "net/http_server.h"

#include <doctest/doctest.h>

using shopd::net::LatencyHistogram;
using shopd::net::serialize_response;

TEST_SUITE("http_server") {
  TEST_CASE("responses carry our framing headers, not the route's, and no CR/LF injection") {
    httplib::Response res;
    res.status = 201;
    res.set_content("{\"a\":1}", "application/json");
    res.set_header("Content-Length", "999");                 // ignored: we frame
    res.headers.emplace("Location", "/x\r\nSet-Cookie: evil");  // CR/LF stripped
    const std::string out = serialize_response(res, 1, true, false);
    CHECK(out.rfind("HTTP/1.1 201 Created\r\n", 0) == 0);
    CHECK(out.find("Content-Length: 7\r\n") != std::string::npos);
    CHECK(out.find("999") == std::string::npos);
    CHECK(out.find("Location: /xSet-Cookie: evil\r\n") != std::string::npos);
    CHECK(out.find("Connection:") == std::string::npos);  // HTTP/1.1 keep-alive is the default
    CHECK(out.substr(out.size() - 7) == "{\"a\":1}");
  }

  TEST_CASE("Connection, HEAD and bodiless statuses") {
    httplib::Response res;
    res.status = 200;
    res.set_content("hello", "text/plain");
    CHECK(serialize_response(res, 1, false, false).find("Connection: close\r\n") != std::string::npos);
    CHECK(serialize_response(res, 0, true, false).find("Connection: keep-alive\r\n") !=
          std::string::npos);
    const std::string head = serialize_response(res, 1, true, true);
    CHECK(head.find("Content-Length: 5\r\n") != std::string::npos);
    CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
    res.set_header("Connection", "close");  // a route asking to close
    CHECK(serialize_response(res, 1, true, false).find("Connection: close\r\n") != std::string::npos);
    httplib::Response none;
    none.status = 204;
    none.body = "ignored";
    const std::string nc = serialize_response(none, 1, true, false);
    CHECK(nc.find("Content-Length") == std::string::npos);
    CHECK(nc.substr(nc.size() - 4) == "\r\n\r\n");
  }

  TEST_CASE("latency histogram quantiles are bucket bounds within 19 % above the truth") {
    LatencyHistogram h;
    CHECK(h.quantile_micros(0.5) == 0);
    for (int i = 1; i <= 1000; ++i) h.record(i);  // 1..1000 µs
    CHECK(h.count() == 1000);
    CHECK(h.max_micros() == 1000);
    for (double q : {0.5, 0.9, 0.99}) {
      const double truth = q * 1000;
      const auto got = static_cast<double>(h.quantile_micros(q));
      CHECK(got >= truth);
      CHECK(got <= truth * 1.19 + 1);
    }
    CHECK(h.quantile_micros(1.0) == 1000);
    h.record(0);
    h.record(-5);  // a clock step must not index out of range
    h.record(std::int64_t{1} << 50);
    CHECK(h.max_micros() == std::int64_t{1} << 50);
  }
}
