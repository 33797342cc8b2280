// net/http_parser.h — reading HTTP/1.1 requests off the wire, strictly and within bounds
// (docs/http-frontend.md). Pure functions over byte buffers: no sockets, no threads, so every
// rule is unit-tested (tests/http_parser_test.cpp).
//
// Strict where leniency is a smuggling or exhaustion vector: conflicting Content-Length, both
// Content-Length and Transfer-Encoding, obs-fold, whitespace before the colon, control bytes,
// unknown transfer codings and over-long heads are refused with a clear status instead of guessed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopd::net {

struct HttpLimits {
  std::size_t max_head_bytes = 32 * 1024;   // request line + headers; beyond: 431
  std::size_t max_target_bytes = 8 * 1024;  // request target; beyond: 414
  std::size_t max_header_count = 100;       // beyond: 431
  std::size_t max_body_bytes = 1 << 20;     // decoded body; beyond: 413
};

// A request the server refuses while reading it. Always answered with "Connection: close".
struct WireError {
  int status = 400;
  const char* message = "Bad request.";
};

enum class BodyFraming { kNone, kLength, kChunked };

struct RequestHead {
  std::string method;
  std::string target;  // as sent (origin-form; absolute-form is reduced to its path and query)
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed
  BodyFraming framing = BodyFraming::kNone;
  std::size_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
};

// Length of the head at the start of `buf` (request line, headers and the empty line), or 0 while
// it is incomplete. `scan_from` remembers how far earlier calls looked, so a head trickled in a
// byte at a time is scanned once, not once per byte.
std::size_t find_head_end(std::string_view buf, std::size_t* scan_from);

// The error for a buffer that holds no complete head yet but is already longer than the limits
// allow (414 for an unterminated request line, 431 otherwise); status 0 while it may still fit.
WireError incomplete_head_error(std::string_view buf, const HttpLimits& limits);

// Parses a complete head (as delimited by find_head_end). Returns status 0 on success.
WireError parse_head(std::string_view head, const HttpLimits& limits, RequestHead& out);

// Incremental decoder of a chunked request body (RFC 9112 §7.1). Extensions and trailers are read
// and discarded within bounds.
class ChunkedDecoder {
 public:
  enum class Progress { kNeedMore, kDone, kError };
  void reset() { *this = ChunkedDecoder{}; }
  // Consumes bytes from `data` (sets *consumed), appending decoded bytes to `body`.
  Progress feed(std::string_view data, std::size_t* consumed, std::string& body,
                std::size_t max_body, WireError* error);

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailer };
  State state_ = State::kSizeLine;
  std::size_t remaining_ = 0;      // bytes left in the current chunk
  std::size_t trailer_bytes_ = 0;  // bounds the trailer section
};

}  // namespace shopd::net
