// Wire-level request parsing: framing, limits and the refusals that stop smuggling.
#include "net/http_parser.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

using shopd::net::BodyFraming;
using shopd::net::ChunkedDecoder;
using shopd::net::HttpLimits;
using shopd::net::RequestHead;
using shopd::net::WireError;

namespace {

// Parses a complete head; returns the status (0 = ok).
int parse(const std::string& head, RequestHead* out = nullptr, HttpLimits limits = {}) {
  RequestHead h;
  size_t scan = 0;
  size_t end = shopd::net::find_head_end(head, &scan);
  REQUIRE(end == head.size());
  WireError e = shopd::net::parse_head(head, limits, h);
  if (out) *out = h;
  return e.status;
}

std::string req(const std::string& headers, const std::string& line = "GET / HTTP/1.1") {
  return line + "\r\n" + headers + "\r\n";
}

}  // namespace

TEST_SUITE("http_parser") {
  TEST_CASE("a simple request parses with its headers, target and keep-alive default") {
    RequestHead h;
    CHECK(parse(req("Host: x\r\nAccept:  */* \r\n", "GET /api/products/?page=2 HTTP/1.1"), &h) ==
          0);
    CHECK(h.method == "GET");
    CHECK(h.target == "/api/products/?page=2");
    CHECK(h.minor_version == 1);
    CHECK(h.keep_alive);
    REQUIRE(h.headers.size() == 2);
    CHECK(h.headers[1].first == "Accept");
    CHECK(h.headers[1].second == "*/*");
    CHECK(h.framing == BodyFraming::kNone);
  }

  TEST_CASE("HTTP/1.0 closes unless asked to keep alive; HTTP/1.1 keeps alive unless closed") {
    RequestHead h;
    CHECK(parse(req("", "GET / HTTP/1.0"), &h) == 0);
    CHECK_FALSE(h.keep_alive);
    CHECK(parse(req("Connection: keep-alive\r\n", "GET / HTTP/1.0"), &h) == 0);
    CHECK(h.keep_alive);
    CHECK(parse(req("Host: x\r\nConnection: Close\r\n"), &h) == 0);
    CHECK_FALSE(h.keep_alive);
  }

  TEST_CASE("bare LF line ends are accepted") {
    RequestHead h;
    std::string head = "GET /x HTTP/1.1\nHost: y\n\n";
    size_t scan = 0;
    CHECK(shopd::net::find_head_end(head, &scan) == head.size());
    CHECK(shopd::net::parse_head(head, {}, h).status == 0);
    CHECK(h.target == "/x");
  }

  TEST_CASE("find_head_end finds the end however the bytes are split") {
    const std::string full = req("Host: x\r\nA: b\r\n", "POST /p HTTP/1.1") + "BODY";
    const size_t head_len = full.size() - 4;
    for (size_t cut = 1; cut <= full.size(); ++cut) {
      size_t scan = 0;
      size_t found = 0;
      // Feed a growing prefix a byte at a time, as a trickling client would.
      for (size_t n = 1; n <= cut && !found; ++n)
        found = shopd::net::find_head_end(std::string_view(full).substr(0, n), &scan);
      if (cut >= head_len) {
        CHECK(found == head_len);
      } else {
        CHECK(found == 0);
      }
    }
  }

  TEST_CASE("absolute-form targets are reduced to path and query") {
    RequestHead h;
    CHECK(parse(req("Host: x\r\n", "GET http://example.com/api/x/?a=1 HTTP/1.1"), &h) == 0);
    CHECK(h.target == "/api/x/?a=1");
    CHECK(parse(req("Host: x\r\n", "GET http://example.com HTTP/1.1"), &h) == 0);
    CHECK(h.target == "/");
    CHECK(parse(req("Host: x\r\n", "GET ftp://e/x HTTP/1.1")) == 400);
    CHECK(parse(req("Host: x\r\n", "OPTIONS * HTTP/1.1")) == 400);
  }

  TEST_CASE("malformed request lines are 400, unknown major versions 505") {
    CHECK(parse(req("Host: x\r\n", "GET / HTTP/1.1 extra")) == 400);
    CHECK(parse(req("Host: x\r\n", "GET  / HTTP/1.1")) == 400);
    CHECK(parse(req("Host: x\r\n", "GET /")) == 400);
    CHECK(parse(req("Host: x\r\n", "G(T / HTTP/1.1")) == 400);
    CHECK(parse(req("Host: x\r\n", "GET / HTTX/1.1")) == 400);
    CHECK(parse(req("Host: x\r\n", "GET / HTTP/2.0")) == 505);
    CHECK(parse(req("Host: x\r\n", "GET /a\x01 HTTP/1.1")) == 400);
  }

  TEST_CASE("HTTP/1.1 requires exactly one Host") {
    CHECK(parse(req("")) == 400);
    CHECK(parse(req("Host: a\r\nHost: b\r\n")) == 400);
    CHECK(parse(req("", "GET / HTTP/1.0")) == 0);
  }

  TEST_CASE("header syntax that enables smuggling is refused") {
    CHECK(parse(req("Host: x\r\nContent-Length : 5\r\n")) == 400);  // space before colon
    CHECK(parse(req("Host: x\r\nA: b\r\n folded\r\n")) == 400);     // obs-fold
    CHECK(parse(req("Host: x\r\nNoColon\r\n")) == 400);
    std::string with_nul = req("Host: x\r\nA: b");
    with_nul.insert(with_nul.size() - 2, std::string("\0c", 2));
    CHECK(parse(with_nul + "\r\n") == 400);
    CHECK(parse(req("Host: x\r\nA: b\rc\r\n")) == 400);  // bare CR inside a value
  }

  TEST_CASE("Content-Length: identical duplicates are one; conflicting ones are 400") {
    RequestHead h;
    CHECK(parse(req("Host: x\r\nContent-Length: 5\r\n", "POST / HTTP/1.1"), &h) == 0);
    CHECK(h.framing == BodyFraming::kLength);
    CHECK(h.content_length == 5);
    CHECK(parse(req("Host: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n"), &h) == 0);
    CHECK(h.content_length == 5);
    CHECK(parse(req("Host: x\r\nContent-Length: 5, 5\r\n"), &h) == 0);
    CHECK(parse(req("Host: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length: 5, 6\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length: -1\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length: +5\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length: 0x10\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length:\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length: 99999999999999999999999\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nContent-Length: 0\r\n"), &h) == 0);
    CHECK(h.framing == BodyFraming::kNone);
  }

  TEST_CASE("a declared body over the limit is 413 before any of it is read") {
    HttpLimits small;
    small.max_body_bytes = 100;
    CHECK(parse(req("Host: x\r\nContent-Length: 101\r\n"), nullptr, small) == 413);
    CHECK(parse(req("Host: x\r\nContent-Length: 100\r\n"), nullptr, small) == 0);
  }

  TEST_CASE("Transfer-Encoding: chunked only, never with Content-Length, never in HTTP/1.0") {
    RequestHead h;
    CHECK(parse(req("Host: x\r\nTransfer-Encoding: chunked\r\n"), &h) == 0);
    CHECK(h.framing == BodyFraming::kChunked);
    CHECK(parse(req("Host: x\r\nTransfer-Encoding: Chunked\r\n"), &h) == 0);
    CHECK(parse(req("Host: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nTransfer-Encoding: gzip, chunked\r\n")) == 501);
    CHECK(parse(req("Host: x\r\nTransfer-Encoding: chunked, chunked\r\n")) == 400);
    CHECK(parse(req("Host: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")) ==
          400);
    CHECK(parse(req("Transfer-Encoding: chunked\r\n", "POST / HTTP/1.0")) == 400);
  }

  TEST_CASE("Expect: 100-continue is noted for bodies; other expectations are 417") {
    RequestHead h;
    CHECK(parse(req("Host: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"), &h) == 0);
    CHECK(h.expect_continue);
    CHECK(parse(req("Host: x\r\nExpect: 100-continue\r\n"), &h) == 0);
    CHECK_FALSE(h.expect_continue);  // no body: nothing to continue
    CHECK(parse(req("Host: x\r\nExpect: something\r\n")) == 417);
  }

  TEST_CASE("limits: header count and head size are 431, a long target 414") {
    HttpLimits limits;
    limits.max_header_count = 10;
    std::string many = "Host: x\r\n";
    for (int i = 0; i < 10; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    CHECK(parse(req(many), nullptr, limits) == 431);
    limits = {};
    limits.max_target_bytes = 50;
    CHECK(parse(req("Host: x\r\n", "GET /" + std::string(60, 'a') + " HTTP/1.1"), nullptr,
                limits) == 414);
    limits = {};
    limits.max_head_bytes = 1024;
    CHECK(parse(req("Host: x\r\nBig: " + std::string(2000, 'v') + "\r\n"), nullptr, limits) == 431);
  }

  TEST_CASE("an incomplete head is refused as soon as it cannot fit any more") {
    HttpLimits limits;
    limits.max_head_bytes = 1000;
    limits.max_target_bytes = 100;
    CHECK(shopd::net::incomplete_head_error("GET / HTTP/1.1\r\nHost: x\r\n", limits).status == 0);
    CHECK(
        shopd::net::incomplete_head_error("GET / HTTP/1.1\r\nX: " + std::string(1000, 'a'), limits)
            .status == 431);
    CHECK(shopd::net::incomplete_head_error("GET /" + std::string(200, 'a'), limits).status == 414);
  }

  TEST_CASE("chunked bodies decode across any split, with extensions and trailers") {
    const std::string wire =
        "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\nNEXT";
    const std::string expected = "Wikipedia in\r\n\r\nchunks.";
    for (size_t step = 1; step <= wire.size(); ++step) {
      ChunkedDecoder d;
      std::string body;
      WireError err;
      size_t pos = 0;
      ChunkedDecoder::Progress p = ChunkedDecoder::Progress::kNeedMore;
      std::string pending;
      while (p == ChunkedDecoder::Progress::kNeedMore && pos < wire.size()) {
        pending += wire.substr(pos, step);
        pos += step;
        size_t used = 0;
        p = d.feed(pending, &used, body, 1 << 20, &err);
        pending.erase(0, used);
      }
      REQUIRE(p == ChunkedDecoder::Progress::kDone);
      CHECK(body == expected);
      CHECK(pending + wire.substr(std::min(pos, wire.size())) == "NEXT");
    }
  }

  TEST_CASE("chunked errors: bad sizes, missing CRLF, overflow and bodies over the limit") {
    auto run = [](const std::string& wire, size_t max_body = 1 << 20) {
      ChunkedDecoder d;
      std::string body;
      WireError err;
      size_t used = 0;
      auto p = d.feed(wire, &used, body, max_body, &err);
      return p == ChunkedDecoder::Progress::kError ? err.status : 0;
    };
    CHECK(run("zz\r\n") == 400);
    CHECK(run("\r\n") == 400);
    CHECK(run("3\r\nabcX\r\n") == 400);
    CHECK(run("ffffffffffffffffff\r\n") == 400);
    CHECK(run("65\r\n", 100) == 413);
    CHECK(run("40\r\n" + std::string(64, 'a') + "\r\n40\r\n", 100) == 413);
    CHECK(run(std::string(2000, '1')) == 400);  // an endless size line
  }

  TEST_CASE("random bytes never crash the parser and never parse as something else") {
    std::mt19937 rng(12345);
    const std::string alphabet =
        "GET /HTP1.\r\n:ab Content-Length: chunked Transfer-Encoding\t0123\x01\x7f";
    for (int i = 0; i < 20000; ++i) {
      std::string s;
      size_t len = rng() % 200;
      for (size_t k = 0; k < len; ++k) s.push_back(alphabet[rng() % alphabet.size()]);
      size_t scan = 0;
      size_t end = shopd::net::find_head_end(s, &scan);
      if (end == 0) continue;
      RequestHead h;
      WireError e = shopd::net::parse_head(std::string_view(s).substr(0, end), {}, h);
      if (e.status == 0) {
        CHECK(!h.method.empty());
        CHECK(h.target.front() == '/');
      } else {
        CHECK(e.status >= 400);
        CHECK(e.status < 600);
      }
    }
  }
}
