#include "router.h"

#include <charconv>

#include "api.h"

namespace shopd {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}
}  // namespace

void Router::add(std::string method, std::string pattern, RouteHandler handler) {
  Route r;
  r.method = std::move(method);
  for (auto part : split_path(pattern)) r.segments.emplace_back(part);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& r, const std::vector<std::string_view>& parts, RouteParams& out) {
  if (r.segments.size() != parts.size()) return false;
  out.ids.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (r.segments[i] == "{id}") {
      std::string_view p = parts[i];
      if (p.empty() || p.size() > 18 || p[0] == '0') return false;
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
      if (ec != std::errc() || end != p.data() + p.size() || v <= 0) return false;
      out.ids.push_back(v);
    } else if (r.segments[i] != parts[i]) {
      return false;
    }
  }
  return true;
}

void Router::dispatch(const httplib::Request& req, httplib::Response& res) const {
  const std::string_view path = req.path;
  const auto parts = split_path(path);
  const bool trailing_slash = !path.empty() && path.back() == '/';
  const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;

  RouteParams params;
  std::string allow;
  bool path_known = false;
  for (const auto& r : routes_) {
    if (!match(r, parts, params)) continue;
    path_known = true;
    if (r.method == method) {
      if (!trailing_slash) break;  // handled below as a missing slash
      r.handler(req, res, params);
      return;
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (path_known && !trailing_slash) {
    if (method == "GET") {
      std::string location = std::string(path) + "/";
      if (!req.params.empty()) {
        location += "?" + httplib::detail::params_to_query_str(req.params);
      }
      res.set_header("Location", location);
      reply_json(res, 301, {{"detail", "Moved permanently; URLs end with a slash."}});
    } else {
      reply_json(res, 404, {{"detail", "Not found. URLs end with a slash: " + std::string(path) + "/"}});
    }
    return;
  }
  if (path_known) {
    res.set_header("Allow", allow + (allow.empty() ? "" : ", ") + "OPTIONS");
    reply_json(res, 405, {{"detail", "Method \"" + req.method + "\" not allowed."}});
    return;
  }
  reply_json(res, 404, {{"detail", "Not found."}});
}

}  // namespace shopd
