#include "http_message.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace loadgen {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool contains_token(std::string_view list, std::string_view token) {
  std::string lower = to_lower(list);
  size_t start = 0;
  while (start <= lower.size()) {
    size_t comma = lower.find(',', start);
    if (comma == std::string::npos) comma = lower.size();
    if (trim(std::string_view(lower).substr(start, comma - start)) == token) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace

const std::string* HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

void ResponseParser::reset() {
  phase_ = Phase::kHead;
  state_ = State::kNeedMore;
  buf_.clear();
  scan_from_ = 0;
  remaining_ = 0;
  bytes_seen_ = 0;
  head_only_ = false;
  response_ = HttpResponse{};
  error_.clear();
}

ResponseParser::State ResponseParser::fail(std::string message) {
  error_ = std::move(message);
  state_ = State::kError;
  return state_;
}

ResponseParser::State ResponseParser::feed(const char* data, size_t size) {
  if (state_ != State::kNeedMore) {
    return size == 0 ? state_ : fail("unexpected bytes after the response");
  }
  bytes_seen_ += size;
  if (phase_ == Phase::kUntilClose) {
    response_.body.append(data, size);
    return state_;
  }
  buf_.append(data, size);
  return parse();
}

ResponseParser::State ResponseParser::feed_eof() {
  if (state_ != State::kNeedMore) return state_;
  if (phase_ == Phase::kUntilClose) {
    phase_ = Phase::kDone;
    state_ = State::kComplete;
    return state_;
  }
  return fail(bytes_seen_ == 0 ? "connection closed before the response"
                               : "connection closed mid-response");
}

bool ResponseParser::parse_head(std::string_view head) {
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.x SSS reason"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    fail("malformed status line");
    return false;
  }
  response_.minor_version = status_line[7] - '0';
  int status = 0;
  auto [ptr, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc() || ptr != status_line.data() + 12 || status < 100 || status > 999) {
    fail("malformed status code");
    return false;
  }
  response_.status = status;
  response_.keep_alive = response_.minor_version >= 1;

  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  bool chunked = false;
  std::optional<uint64_t> content_length;
  while (!rest.empty()) {
    size_t eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? "" : rest.substr(eol + 2);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      fail("malformed header line");
      return false;
    }
    std::string name = to_lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      uint64_t n = 0;
      auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (e != std::errc() || p != value.data() + value.size() ||
          (content_length && *content_length != n)) {
        fail("bad Content-Length");
        return false;
      }
      content_length = n;
    } else if (name == "transfer-encoding") {
      chunked = contains_token(value, "chunked");
    } else if (name == "connection") {
      if (contains_token(value, "close")) response_.keep_alive = false;
      if (contains_token(value, "keep-alive")) response_.keep_alive = true;
    }
    response_.headers.emplace_back(std::move(name), std::string(value));
  }

  head_only_ = (status >= 100 && status < 200) || status == 204 || status == 304;
  if (head_only_) {
    phase_ = Phase::kDone;
  } else if (chunked) {
    phase_ = Phase::kChunkSize;
  } else if (content_length) {
    remaining_ = *content_length;
    response_.body.reserve(static_cast<size_t>(std::min<uint64_t>(remaining_, 1 << 20)));
    phase_ = remaining_ == 0 ? Phase::kDone : Phase::kBody;
  } else {
    phase_ = Phase::kUntilClose;
    response_.keep_alive = false;
  }
  return true;
}

ResponseParser::State ResponseParser::parse() {
  size_t pos = 0;  // consumed prefix of buf_
  for (;;) {
    switch (phase_) {
      case Phase::kHead: {
        size_t from = scan_from_ > 3 ? scan_from_ - 3 : 0;
        size_t end = buf_.find("\r\n\r\n", from);
        if (end == std::string::npos) {
          if (buf_.size() > kMaxHeaderBytes) return fail("response header too large");
          scan_from_ = buf_.size();
          return state_;
        }
        if (!parse_head(std::string_view(buf_).substr(0, end + 2))) return state_;
        pos = end + 4;
        if (phase_ == Phase::kUntilClose) {
          response_.body.append(buf_, pos, std::string::npos);
          buf_.clear();
          return state_;
        }
        break;
      }
      case Phase::kBody: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, buf_.size() - pos));
        response_.body.append(buf_, pos, take);
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          buf_.erase(0, pos);
          return state_;
        }
        phase_ = Phase::kDone;
        break;
      }
      case Phase::kChunkSize: {
        size_t eol = buf_.find("\r\n", pos);
        if (eol == std::string::npos) {
          if (buf_.size() - pos > 1024) return fail("chunk size line too long");
          buf_.erase(0, pos);
          return state_;
        }
        std::string_view line(buf_.data() + pos, eol - pos);
        line = line.substr(0, line.find(';'));  // drop chunk extensions
        line = trim(line);
        uint64_t size = 0;
        auto [p, e] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        if (line.empty() || e != std::errc() || p != line.data() + line.size()) {
          return fail("bad chunk size");
        }
        pos = eol + 2;
        remaining_ = size;
        phase_ = size == 0 ? Phase::kTrailers : Phase::kChunkData;
        break;
      }
      case Phase::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, buf_.size() - pos));
        response_.body.append(buf_, pos, take);
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          buf_.erase(0, pos);
          return state_;
        }
        phase_ = Phase::kChunkDataEnd;
        break;
      }
      case Phase::kChunkDataEnd: {
        if (buf_.size() - pos < 2) {
          buf_.erase(0, pos);
          return state_;
        }
        if (buf_.compare(pos, 2, "\r\n") != 0) return fail("missing CRLF after chunk");
        pos += 2;
        phase_ = Phase::kChunkSize;
        break;
      }
      case Phase::kTrailers: {
        // Trailer lines until an empty line; their content is ignored.
        size_t eol = buf_.find("\r\n", pos);
        if (eol == std::string::npos) {
          if (buf_.size() - pos > kMaxHeaderBytes) return fail("trailers too large");
          buf_.erase(0, pos);
          return state_;
        }
        bool empty_line = eol == pos;
        pos = eol + 2;
        if (empty_line) phase_ = Phase::kDone;
        break;
      }
      case Phase::kUntilClose: return state_;  // handled in feed()
      case Phase::kDone: {
        if (pos < buf_.size()) return fail("unexpected bytes after the response");
        buf_.clear();
        state_ = State::kComplete;
        return state_;
      }
    }
  }
}

std::string build_request(std::string_view method, std::string_view path,
                          std::string_view host_header, const std::vector<std::string>& headers,
                          std::string_view body, std::string_view content_type) {
  std::string out;
  out.reserve(160 + path.size() + body.size() + headers.size() * 64);
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ");
  out.append(host_header).append("\r\nUser-Agent: shop_loadgen\r\nAccept: */*\r\n");
  for (const auto& h : headers) out.append(h).append("\r\n");
  bool has_body = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (has_body) {
    if (!body.empty()) out.append("Content-Type: ").append(content_type).append("\r\n");
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    *error = text.substr(0, 8) == "https://" ? "https is not supported (plain http only)"
                                             : "host must look like http://HOST[:PORT]";
    return std::nullopt;
  }
  text.remove_prefix(kScheme.size());
  Url url;
  size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view base = text.substr(slash);
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    url.base_path = std::string(base);
  }
  if (authority.empty()) {
    *error = "missing host name";
    return std::nullopt;
  }
  std::string_view host = authority;
  if (authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *error = "bad IPv6 address";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') {
      *error = "bad host";
      return std::nullopt;
    }
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? "" : authority.substr(colon);
  }
  if (!authority.empty()) {  // ":port"
    std::string_view digits = authority.substr(1);
    unsigned port = 0;
    auto [p, e] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || e != std::errc() || p != digits.data() + digits.size() || port == 0 ||
        port > 65535) {
      *error = "bad port";
      return std::nullopt;
    }
    url.port = static_cast<uint16_t>(port);
  }
  url.host = std::string(host);
  return url;
}

}  // namespace loadgen
