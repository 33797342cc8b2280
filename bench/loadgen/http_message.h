// http_message.h — HTTP/1.1 wire format for the load generator: request serialization, an
// incremental response parser (Content-Length, chunked, read-until-close) and URL parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadgen {

struct HttpResponse {
  int status = 0;
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;  // false when the server asked to close (or HTTP/1.0 without keep-alive)

  // First header with this (lower-case) name, or nullptr.
  const std::string* header(std::string_view lower_name) const;
};

class ResponseParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  // Largest header block accepted; a server sending more is broken (or hostile).
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;

  // Appends bytes and parses as far as possible. Once kComplete, further bytes are an error
  // (the load generator never pipelines).
  State feed(const char* data, size_t size);
  // The peer closed the connection: completes a read-until-close body, otherwise an error.
  State feed_eof();

  void reset();
  State state() const { return state_; }
  bool started() const { return bytes_seen_ > 0; }
  uint64_t bytes_seen() const { return bytes_seen_; }
  const std::string& error() const { return error_; }
  HttpResponse& response() { return response_; }

 private:
  enum class Phase {
    kHead,
    kBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kUntilClose,
    kDone
  };
  State parse();
  bool parse_head(std::string_view head);
  State fail(std::string message);

  Phase phase_ = Phase::kHead;
  State state_ = State::kNeedMore;
  std::string buf_;       // unconsumed bytes
  size_t scan_from_ = 0;  // where to resume searching for the end of the head
  uint64_t remaining_ = 0;
  uint64_t bytes_seen_ = 0;
  bool head_only_ = false;  // 1xx/204/304: no body
  HttpResponse response_;
  std::string error_;
};

// Serializes a request. `headers` are already-formatted lines without CRLF ("Name: value").
std::string build_request(std::string_view method, std::string_view path,
                          std::string_view host_header, const std::vector<std::string>& headers,
                          std::string_view body,
                          std::string_view content_type = "application/json");

struct Url {
  std::string host;
  uint16_t port = 80;
  std::string base_path;  // without trailing slash; usually empty
};
// Parses "http://host[:port][/base]". Only plain http is supported.
std::optional<Url> parse_url(std::string_view text, std::string* error);

// Lower-case ASCII copy.
std::string to_lower(std::string_view s);

}  // namespace loadgen
