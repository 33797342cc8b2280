#include "net/http_parser.h"

#include <algorithm>
#include <cstdint>

namespace shopd::net {

namespace {

constexpr std::size_t kMaxChunkLine = 1024;     // "1a2b;ext=value\r\n"
constexpr std::size_t kMaxTrailerBytes = 8192;  // trailers are read and dropped
constexpr std::size_t kMaxMethodLength = 32;

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(c); });
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each comma-separated element of a header value, trimmed; empty elements
// (",," is legal list syntax) are skipped.
template <typename Fn>
void for_each_element(std::string_view value, Fn fn) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view item = trim_ows(value.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// Field values may hold visible bytes, spaces, tabs and obs-text; no other control bytes (a bare
// CR or a NUL is how header injection and smuggling start).
bool valid_field_value(std::string_view v) {
  return std::none_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

// Splits off the next line (without its LF, and without a CR right before it).
bool next_line(std::string_view& rest, std::string_view& line) {
  std::size_t lf = rest.find('\n');
  if (lf == std::string_view::npos) return false;
  line = rest.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  rest.remove_prefix(lf + 1);
  return true;
}

WireError ok() {
  return WireError{0, ""};
}
WireError bad(const char* msg) {
  return WireError{400, msg};
}

WireError parse_request_line(std::string_view line, const HttpLimits& limits, RequestHead& out) {
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad("Malformed request line.");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || method.size() > kMaxMethodLength) return bad("Malformed method.");
  if (target.size() > limits.max_target_bytes) return WireError{414, "Request URI too long."};
  if (target.empty() || !valid_field_value(target) ||
      target.find_first_of(" \t") != std::string_view::npos) {
    return bad("Malformed request target.");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return bad("Malformed HTTP version.");
  }
  if (version[5] != '1') return WireError{505, "HTTP version not supported."};
  out.minor_version = version[7] - '0';
  out.keep_alive = out.minor_version >= 1;

  if (target.front() != '/') {
    // absolute-form (RFC 9112 §3.2.2): keep the path and query; authority-form and "*" are for
    // CONNECT and OPTIONS, which this server does not serve.
    std::size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos || !(iequals(target.substr(0, scheme_end), "http") ||
                                                  iequals(target.substr(0, scheme_end), "https"))) {
      return bad("Malformed request target.");
    }
    std::string_view rest = target.substr(scheme_end + 3);
    std::size_t path = rest.find_first_of("/?");
    if (path == std::string_view::npos) {
      out.target = "/";
    } else {
      out.target =
          rest[path] == '/' ? std::string(rest.substr(path)) : "/" + std::string(rest.substr(path));
    }
  } else {
    out.target = std::string(target);
  }
  out.method = std::string(method);
  return ok();
}

// Content-Length: one or more headers, each a list of decimal lengths; all must agree.
WireError apply_content_length(std::string_view value, const HttpLimits& limits, bool* seen,
                               std::size_t* length) {
  WireError err = ok();
  bool any = false;
  for_each_element(value, [&](std::string_view item) {
    any = true;
    if (err.status) return;
    if (item.size() > 19 ||
        !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      err = bad("Invalid Content-Length.");
      return;
    }
    std::uint64_t v = 0;
    for (char c : item) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (*seen && v != *length) {
      err = bad("Conflicting Content-Length headers.");
      return;
    }
    *seen = true;
    *length = static_cast<std::size_t>(v);
  });
  if (!err.status && !any) return bad("Invalid Content-Length.");
  if (!err.status && *length > limits.max_body_bytes)
    return WireError{413, "Request body too large."};
  return err;
}

}  // namespace

std::size_t find_head_end(std::string_view buf, std::size_t* scan_from) {
  // The head ends at the first empty line: "\n\n" or "\n\r\n" (CRLF or bare LF line ends).
  std::size_t i = *scan_from;
  while (true) {
    std::size_t lf = buf.find('\n', i);
    if (lf == std::string_view::npos) break;
    std::size_t next = lf + 1;
    if (next < buf.size() && buf[next] == '\n') return next + 1;
    if (next + 1 < buf.size() && buf[next] == '\r' && buf[next + 1] == '\n') return next + 2;
    if (next >= buf.size() || (buf[next] == '\r' && next + 1 >= buf.size())) {
      // The empty line may still be arriving: look at this LF again next time.
      *scan_from = lf;
      return 0;
    }
    i = next;
  }
  *scan_from = buf.empty() ? 0 : buf.size() - 1;
  return 0;
}

WireError incomplete_head_error(std::string_view buf, const HttpLimits& limits) {
  if (buf.find('\n') == std::string_view::npos &&
      buf.size() > limits.max_target_bytes + kMaxMethodLength + 16) {
    return WireError{414, "Request URI too long."};
  }
  if (buf.size() > limits.max_head_bytes) {
    return WireError{431, "Request header fields too large."};
  }
  return ok();
}

WireError parse_head(std::string_view head, const HttpLimits& limits, RequestHead& out) {
  out = RequestHead{};
  if (head.size() > limits.max_head_bytes)
    return WireError{431, "Request header fields too large."};
  std::string_view rest = head;
  std::string_view line;
  if (!next_line(rest, line)) return bad("Malformed request line.");
  if (WireError e = parse_request_line(line, limits, out); e.status) return e;

  bool length_seen = false;
  bool chunked = false;
  bool transfer_encoding = false;
  bool host_seen = false;
  while (next_line(rest, line) && !line.empty()) {
    if (line.front() == ' ' || line.front() == '\t')
      return bad("Folded header lines are not allowed.");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad("Malformed header line.");
    std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return bad("Malformed header name.");  // also: space before the colon
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!valid_field_value(value)) return bad("Invalid character in a header value.");
    if (out.headers.size() >= limits.max_header_count) {
      return WireError{431, "Too many request header fields."};
    }

    if (iequals(name, "Content-Length")) {
      if (WireError e = apply_content_length(value, limits, &length_seen, &out.content_length);
          e.status) {
        return e;
      }
    } else if (iequals(name, "Transfer-Encoding")) {
      // Only "chunked", once and last, is understood; anything else cannot be framed safely.
      transfer_encoding = true;
      WireError err = ok();
      for_each_element(value, [&](std::string_view coding) {
        if (err.status) return;
        if (!iequals(coding, "chunked")) {
          err = WireError{501, "Transfer-Encoding not supported."};
        } else if (chunked) {
          err = bad("Invalid Transfer-Encoding.");
        } else {
          chunked = true;
        }
      });
      if (err.status) return err;
    } else if (iequals(name, "Connection")) {
      for_each_element(value, [&](std::string_view opt) {
        if (iequals(opt, "close")) out.keep_alive = false;
        if (iequals(opt, "keep-alive") && out.minor_version == 0) out.keep_alive = true;
      });
    } else if (iequals(name, "Expect")) {
      if (!iequals(value, "100-continue")) return WireError{417, "Expectation failed."};
      out.expect_continue = out.minor_version >= 1;
    } else if (iequals(name, "Host")) {
      if (host_seen) return bad("Multiple Host headers.");
      host_seen = true;
    }
    out.headers.emplace_back(std::string(name), std::string(value));
  }
  if (!rest.empty()) return bad("Malformed header section.");  // bytes after the empty line
  if (out.minor_version >= 1 && !host_seen) return bad("Missing Host header.");
  if (transfer_encoding) {
    if (length_seen) return bad("Both Content-Length and Transfer-Encoding.");
    if (out.minor_version == 0) return bad("Transfer-Encoding in an HTTP/1.0 request.");
    if (!chunked) return bad("Invalid Transfer-Encoding.");
    out.framing = BodyFraming::kChunked;
  } else if (length_seen && out.content_length > 0) {
    out.framing = BodyFraming::kLength;
  }
  if (out.framing == BodyFraming::kNone) out.expect_continue = false;
  // A malformed body we cannot frame means the connection cannot be reused either.
  return ok();
}

ChunkedDecoder::Progress ChunkedDecoder::feed(std::string_view data, std::size_t* consumed,
                                              std::string& body, std::size_t max_body,
                                              WireError* error) {
  std::size_t pos = 0;
  auto fail = [&](WireError e) {
    *consumed = pos;
    *error = e;
    return Progress::kError;
  };
  while (true) {
    std::string_view rest = data.substr(pos);
    switch (state_) {
      case State::kSizeLine: {
        std::size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
          if (rest.size() > kMaxChunkLine) return fail(bad("Chunk size line too long."));
          *consumed = pos;
          return Progress::kNeedMore;
        }
        if (lf > kMaxChunkLine) return fail(bad("Chunk size line too long."));
        std::string_view line = rest.substr(0, lf);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view size = line.substr(0, line.find(';'));
        size = trim_ows(size);
        if (size.empty() || size.size() > 15) return fail(bad("Invalid chunk size."));
        std::size_t n = 0;
        for (char c : size) {
          int d = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
          if (d < 0) return fail(bad("Invalid chunk size."));
          n = n * 16 + static_cast<std::size_t>(d);
        }
        pos += lf + 1;
        if (n > max_body || body.size() + n > max_body) {
          return fail(WireError{413, "Request body too large."});
        }
        remaining_ = n;
        state_ = n == 0 ? State::kTrailer : State::kData;
        break;
      }
      case State::kData: {
        std::size_t take = std::min(remaining_, rest.size());
        body.append(rest.data(), take);
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          *consumed = pos;
          return Progress::kNeedMore;
        }
        state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd: {
        if (rest.empty() || (rest[0] == '\r' && rest.size() < 2)) {
          *consumed = pos;
          return Progress::kNeedMore;
        }
        if (rest[0] == '\n') {
          pos += 1;
        } else if (rest[0] == '\r' && rest[1] == '\n') {
          pos += 2;
        } else {
          return fail(bad("Missing CRLF after chunk data."));
        }
        state_ = State::kSizeLine;
        break;
      }
      case State::kTrailer: {
        std::size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
          if (trailer_bytes_ + rest.size() > kMaxTrailerBytes)
            return fail(WireError{431, "Request trailer fields too large."});
          *consumed = pos;
          return Progress::kNeedMore;
        }
        trailer_bytes_ += lf + 1;
        if (trailer_bytes_ > kMaxTrailerBytes)
          return fail(WireError{431, "Request trailer fields too large."});
        std::string_view line = rest.substr(0, lf);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos += lf + 1;
        if (line.empty()) {
          *consumed = pos;
          return Progress::kDone;
        }
        break;
      }
    }
  }
}

}  // namespace shopd::net
