// http_client.h — one non-blocking keep-alive HTTP/1.1 connection driven by the EventLoop.
//
// A simulated user owns one Connection, like a Locust user owns one requests.Session: requests go
// over the same socket until the server closes it, then the next request reconnects. A request on
// a reused socket that dies before any response byte (the server closed an idle keep-alive
// connection under us) is retried once on a fresh socket, as urllib3 does; that is not a failure.
#pragma once

#include <sys/socket.h>

#include <coroutine>
#include <cstdint>
#include <string>

#include "event_loop.h"
#include "http_message.h"

namespace loadgen {

// Where to connect, resolved once.
struct Endpoint {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string host_header;  // "host:port"
  std::string base_path;    // prefix for every path
};
// Resolves url.host with getaddrinfo (blocking; done once before the run).
bool resolve_endpoint(const Url& url, Endpoint* out, std::string* error);

enum class TransportError { kNone, kConnect, kConnection, kTimeout, kProtocol };

struct HttpResult {
  TransportError error = TransportError::kNone;
  std::string error_detail;  // for transport errors
  HttpResponse response;     // valid when error == kNone
  int64_t latency_us = 0;
  uint64_t bytes_received = 0;

  bool ok_transport() const { return error == TransportError::kNone; }
  int status() const { return ok_transport() ? response.status : 0; }
};

// Counters shared by all connections of a run.
struct ConnectionCounters {
  int64_t open = 0;
  int64_t peak_open = 0;
  uint64_t connects = 0;
  uint64_t reconnect_retries = 0;
};

class Connection final : public IoHandler, public TimeoutTarget {
 public:
  Connection(EventLoop& loop, const Endpoint& endpoint, ConnectionCounters& counters);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  struct SendAwaitable {
    Connection& conn;
    std::string request;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { conn.start(std::move(request), h); }
    HttpResult await_resume() { return std::move(conn.result_); }
  };
  // Sends a fully serialized request and yields the response (or a transport error).
  SendAwaitable send(std::string request) { return {*this, std::move(request)}; }

  // Closes the socket without resuming anyone (used at teardown).
  void close();

  // A request is outstanding (sent or being sent, no response yet); since when.
  bool in_flight() const { return static_cast<bool>(waiter_); }
  int64_t request_started_us() const { return start_us_; }

  void on_io(uint32_t events) override;
  void on_timeout(uint64_t token) override;

 private:
  enum class State { kIdle, kConnecting, kWriting, kReading };

  void start(std::string request, std::coroutine_handle<> waiter);
  void open_socket();
  void try_write();
  void try_read();
  void on_broken(const char* what, int err);
  void finish();
  void fail(TransportError error, std::string detail);

  EventLoop& loop_;
  const Endpoint& endpoint_;
  ConnectionCounters& counters_;
  int fd_ = -1;
  State state_ = State::kIdle;
  uint64_t token_ = 0;         // identifies the current request for its timeout
  uint64_t served_on_fd_ = 0;  // responses completed on the current socket
  bool retried_ = false;
  std::string out_;
  size_t out_off_ = 0;
  int64_t start_us_ = 0;
  ResponseParser parser_;
  HttpResult result_;
  std::coroutine_handle<> waiter_;
};

}  // namespace loadgen
