// raw_http.h — a raw TCP client for wire-level HTTP tests: exact bytes out, exact bytes in, a
// chosen source address (any of 127.0.0.0/8 works on Linux) and bounded waits. Header-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace shoptest {

class RawConn {
 public:
  // Connects to 127.0.0.1:port from `source` (default: the kernel's choice).
  explicit RawConn(int port, const char* source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    int yes = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    if (source) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &src.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
        close();
        return;
      }
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) close();
  }
  ~RawConn() { close(); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  RawConn(RawConn&& o) noexcept : fd_(o.fd_), buffer_(std::move(o.buffer_)) { o.fd_ = -1; }
  RawConn& operator=(RawConn&& o) noexcept {
    if (this != &o) {
      close();
      fd_ = o.fd_;
      buffer_ = std::move(o.buffer_);
      o.fd_ = -1;
    }
    return *this;
  }

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Sends everything; false if the peer is gone.
  bool send(const std::string& bytes) {
    size_t off = 0;
    while (fd_ >= 0 && off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return fd_ >= 0;
  }

  // Reads what arrives within `timeout_ms` into the buffer; false on EOF/error (data kept).
  bool read_some(int timeout_ms) {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;  // nothing yet, still open
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  // True when the peer closed (EOF or reset) within timeout_ms.
  bool closed_by_peer(int timeout_ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (!read_some(50)) return true;
    }
    return false;
  }

  struct Response {
    int status = 0;
    std::string head;  // status line + headers
    std::string body;
    std::string header(const std::string& name) const {
      // Case-insensitive search for "\r\nname:" in the head.
      std::string lower_head = lower(head), key = "\r\n" + lower(name) + ":";
      size_t at = lower_head.find(key);
      if (at == std::string::npos) return {};
      size_t start = at + key.size();
      size_t end = head.find("\r\n", start);
      std::string v = head.substr(start, end - start);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      return v;
    }
  };

  // Reads one response (Content-Length framed, or up to EOF without one), within timeout_ms.
  std::optional<Response> read_response(int timeout_ms = 10'000) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool open = true;
    while (true) {
      size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        Response r;
        r.head = buffer_.substr(0, end);
        if (r.head.size() >= 12) r.status = std::atoi(r.head.c_str() + 9);
        std::string cl = r.header("Content-Length");
        size_t need = cl.empty() ? std::string::npos : static_cast<size_t>(std::stoul(cl));
        if (r.status == 100 || r.status == 204 || r.status == 304) need = 0;
        size_t have = buffer_.size() - end - 4;
        if ((need != std::string::npos && have >= need) || (need == std::string::npos && !open)) {
          size_t take = need == std::string::npos ? have : need;
          r.body = buffer_.substr(end + 4, take);
          buffer_.erase(0, end + 4 + take);
          return r;
        }
      }
      if (!open || std::chrono::steady_clock::now() >= until) return std::nullopt;
      open = read_some(50);
    }
  }

  std::string& buffer() { return buffer_; }

 private:
  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  int fd_ = -1;
  std::string buffer_;
};

// "GET <path> HTTP/1.1" with a Host header and optional extra header lines ("Name: v\r\n"...).
inline std::string get_request(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

}  // namespace shoptest
