// router.h — method-aware routing without regexes (cpp-httplib's router matches std::regex per
// route per request; ours matches path segments). Patterns look like "/api/orders/{id}/cancel/";
// "{id}" matches a positive decimal integer that fits in int64 (anything else: no match, so 404).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace shopd {

struct RouteParams {
  std::vector<std::int64_t> ids;  // the {id} segments, in order
  std::int64_t id(size_t i = 0) const { return ids.at(i); }
};

using RouteHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const RouteParams&)>;

class Router {
 public:
  void add(std::string method, std::string pattern, RouteHandler handler);
  // Dispatches: a matching route runs; a known path with another method gets 405 + Allow; a path
  // that would match with a trailing slash gets 301 (GET/HEAD, like Django's APPEND_SLASH) or 404;
  // anything else 404. Always answers (JSON bodies).
  void dispatch(const httplib::Request& req, httplib::Response& res) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{id}" marks a parameter
    RouteHandler handler;
  };
  static bool match(const Route& r, const std::vector<std::string_view>& parts, RouteParams& out);
  std::vector<Route> routes_;
};

}  // namespace shopd
