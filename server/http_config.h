// http_config.h — the connection policy of shopd's cpp-httplib server, chosen on purpose
// (DESIGN.md §7). Shared with bench/trivial_server so the baseline runs the same HTTP stack.
//
// cpp-httplib 0.11.4 (Debian, compiled): each connection is a job on a thread pool and owns its
// thread for its whole keep-alive life, polling while idle. So the number of connections that can
// be served at once equals the pool size; further connections wait in the pool's queue. We pick:
//  * TCP_NODELAY on (Nagle costs ~40 ms per response otherwise);
//  * a bounded pool of `threads` workers;
//  * keep-alive limited to `keep_alive_max` requests and `keep_alive_timeout_s` idle seconds;
//  * keep-alive only while there are threads to spare: a pool that counts the connections it holds
//    (queued or served); when they reach `threads` minus a margin, responses carry
//    "Connection: close", so clients with think time (1000 Locust users) hand their thread back
//    after each request instead of parking it in the library's idle poll, while a few busy
//    connections (a max-throughput run) keep the cheap keep-alive path;
//  * a listen backlog of `backlog` (the library hard-codes 5: bursts of 1000 connects overflow it);
//  * payload limit and read/write timeouts (the library lacks later upstream hardening).
#pragma once

#include <httplib.h>

#include <string>

namespace shopd {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 64;
  int keep_alive_max = 100;
  int keep_alive_timeout_s = 2;
  int backlog = 1024;
  size_t max_body_bytes = 1 << 20;  // 1 MiB: larger bodies get 413
  int read_timeout_s = 5;
  int write_timeout_s = 5;
};

// True when the connections held by the pool leave fewer than a margin of free threads: the
// response should then close its connection (see above). Cheap: one atomic load.
bool connection_pressure();

// Applies the options to a server (before listening).
void configure_http(httplib::Server& server, const HttpOptions& options);

// Binds (port 0: any free port), raises the backlog, and returns the bound port, or -1.
int bind_with_backlog(httplib::Server& server, const HttpOptions& options);

}  // namespace shopd
