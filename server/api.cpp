#include "api.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "shop/timefmt.h"

namespace shopd {

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void reply_empty(httplib::Response& res, int status) {
  res.status = status;
  res.body.clear();
}

int http_status_for(const shop::Error& e) {
  switch (e.code) {
    case shop::ErrorCode::kInvalidArgument: return 400;
    case shop::ErrorCode::kNotFound: return 404;
    case shop::ErrorCode::kConflict: return 400;
    case shop::ErrorCode::kUnauthenticated: return 401;
    case shop::ErrorCode::kPermissionDenied: return 403;
    case shop::ErrorCode::kUnavailable: return 503;
    case shop::ErrorCode::kRateLimited: return 429;
    case shop::ErrorCode::kInternal: return 500;
  }
  return 500;
}

void reply_error(httplib::Response& res, const shop::Error& e, ErrorShape shape) {
  const int status = http_status_for(e);
  if (status == 500) std::fprintf(stderr, "shopd: internal error: %s\n", e.message.c_str());
  if (e.code == shop::ErrorCode::kUnavailable || e.code == shop::ErrorCode::kRateLimited) {
    res.set_header("Retry-After", std::to_string(std::max<std::int64_t>(1, e.retry_after_seconds)));
  }
  // 401/404/500 always use the contract's {"detail"} shape.
  if (status == 404 || status == 500 || (status == 401 && shape != ErrorShape::kError)) {
    json body = {{"detail", e.message}};
    if (status == 401 && !e.reason.empty()) body["code"] = e.reason;
    reply_json(res, status, body);
    return;
  }
  switch (shape) {
    case ErrorShape::kDetail: {
      json body = {{"detail", e.message}};
      if (status == 429 && !e.reason.empty()) body["code"] = e.reason;
      reply_json(res, status, body);
      return;
    }
    case ErrorShape::kField:
      reply_json(res, status, {{e.field.empty() ? "non_field_errors" : e.field, {e.message}}});
      return;
    case ErrorShape::kError: {
      json body = {{"error", e.message}};
      if (!e.reason.empty()) body["code"] = e.reason;
      reply_json(res, status, body);
      return;
    }
    case ErrorShape::kSuccessFalse:
      reply_json(res, status,
                 {{"success", false},
                  {"error_code", e.reason.empty() ? "INVALID_REQUEST" : e.reason},
                  {"message", e.message}});
      return;
    case ErrorShape::kBareList:
      reply_json(res, status, json::array({e.message}));
      return;
  }
}

void reply_field_errors(httplib::Response& res, const json& errors) { reply_json(res, 400, errors); }

std::string format_time(const Api& api, shop::Micros t) {
  return shop::timefmt::format_datetime(t, api.utc_offset_minutes);
}

json time_or_null(const Api& api, std::optional<shop::Micros> t) {
  return t ? json(format_time(api, *t)) : json(nullptr);
}

std::optional<json> parse_object(const httplib::Request& req, httplib::Response& res) {
  if (req.body.empty()) return json::object();
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    reply_json(res, 400, {{"detail", "JSON parse error - request body is not valid JSON"}});
    return std::nullopt;
  }
  if (!body.is_object()) {
    reply_json(res, 400,
               {{"non_field_errors",
                 {std::string("Invalid data. Expected a dictionary, but got ") + body.type_name() +
                  "."}}});
    return std::nullopt;
  }
  return body;
}

void Fields::add_error(const std::string& field, const std::string& msg) {
  if (!errors_.contains(field)) errors_[field] = json::array();
  errors_[field].push_back(msg);
}

std::optional<std::string> Fields::string(const char* name, bool required, size_t max_len,
                                          bool allow_blank) {
  if (!body_.contains(name) || body_[name].is_null()) {
    if (required) add_error(name, "This field is required.");
    return std::nullopt;
  }
  const json& v = body_[name];
  if (!v.is_string()) {
    add_error(name, "Not a valid string.");
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  if (!allow_blank && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    add_error(name, "This field may not be blank.");
    return std::nullopt;
  }
  // Length in characters (UTF-8 code points), as Django counts it.
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars > max_len) {
    add_error(name, "Ensure this field has no more than " + std::to_string(max_len) +
                        " characters.");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> Fields::integer(const char* name, bool required, std::int64_t min,
                                            std::int64_t max) {
  if (!body_.contains(name) || body_[name].is_null()) {
    if (required) add_error(name, "This field is required.");
    return std::nullopt;
  }
  const json& v = body_[name];
  if (!v.is_number_integer()) {
    add_error(name, "A valid integer is required.");
    return std::nullopt;
  }
  std::int64_t x;
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      add_error(name, "Ensure this value is less than or equal to " + std::to_string(max) + ".");
      return std::nullopt;
    }
    x = static_cast<std::int64_t>(u);
  } else {
    x = v.get<std::int64_t>();
  }
  if (x < min) {
    add_error(name, "Ensure this value is greater than or equal to " + std::to_string(min) + ".");
    return std::nullopt;
  }
  if (x > max) {
    add_error(name, "Ensure this value is less than or equal to " + std::to_string(max) + ".");
    return std::nullopt;
  }
  return x;
}

std::optional<bool> Fields::boolean(const char* name, bool required) {
  if (!body_.contains(name) || body_[name].is_null()) {
    if (required) add_error(name, "This field is required.");
    return std::nullopt;
  }
  if (!body_[name].is_boolean()) {
    add_error(name, "Must be a valid boolean.");
    return std::nullopt;
  }
  return body_[name].get<bool>();
}

bool Fields::reply_if_errors(httplib::Response& res) const {
  if (errors_.empty()) return false;
  reply_field_errors(res, errors_);
  return true;
}

std::optional<std::int64_t> query_int(const httplib::Request& req, httplib::Response& res,
                                      const char* name, std::int64_t fallback, std::int64_t min,
                                      std::int64_t max, ErrorShape shape) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  std::int64_t x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  std::string msg;
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    msg = std::string("'") + name + "' must be an integer.";
  } else if (x < min || x > max) {
    msg = std::string("'") + name + "' must be between " + std::to_string(min) + " and " +
          std::to_string(max) + ".";
  } else {
    return x;
  }
  if (shape == ErrorShape::kError) {
    reply_json(res, 400, {{"error", msg}});
  } else {
    reply_json(res, 400, {{name, {msg}}});
  }
  return std::nullopt;
}

std::optional<std::string> query_str(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

std::string page_url(const Api& api, const httplib::Request& req, std::int64_t page) {
  std::string base = api.public_base_url;
  if (base.empty()) {
    std::string host = req.get_header_value("Host");
    base = "http://" + (host.empty() ? std::string("127.0.0.1") : host);
  }
  httplib::Params params;
  for (const auto& [k, v] : req.params) {
    if (k != "page") params.emplace(k, v);
  }
  if (page > 1) params.emplace("page", std::to_string(page));
  std::string url = base + req.path;
  if (!params.empty()) url += "?" + httplib::detail::params_to_query_str(params);
  return url;
}

AuthCheck authenticate(const Api& api, const httplib::Request& req, httplib::Response& res) {
  AuthCheck out;
  const std::string& header = req.get_header_value("Authorization");
  // Only the "Bearer" scheme counts; any other scheme is ignored (anonymous), as in DRF.
  if (header.size() < 7 || header.compare(0, 7, "Bearer ") != 0) return out;
  std::string_view token(header);
  token.remove_prefix(7);
  auto principal = api.engine.auth().authenticate(token);
  if (!principal) {
    reply_json(res, 401,
               {{"detail", "Given token not valid for any token type"},
                {"code", "token_not_valid"},
                {"messages",
                 {{{"token_class", "AccessToken"},
                   {"token_type", "access"},
                   {"message", principal.error().message}}}}});
    res.set_header("WWW-Authenticate", "Bearer realm=\"api\"");
    out.replied = true;
    return out;
  }
  out.principal = std::move(*principal);
  return out;
}

std::optional<shop::Principal> require_user(const Api& api, const httplib::Request& req,
                                            httplib::Response& res) {
  auto check = authenticate(api, req, res);
  if (check.replied) return std::nullopt;
  if (!check.principal) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"api\"");
    reply_json(res, 401, {{"detail", "Authentication credentials were not provided."}});
    return std::nullopt;
  }
  return check.principal;
}

std::optional<std::string> cookie(const httplib::Request& req, std::string_view name) {
  const std::string& header = req.get_header_value("Cookie");
  std::string_view rest(header);
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return std::nullopt;
}

RouteHandler guarded(RouteHandler h) {
  return [h = std::move(h)](const httplib::Request& req, httplib::Response& res,
                            const RouteParams& p) {
    try {
      h(req, res, p);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "shopd: unhandled exception in %s %s: %s\n", req.method.c_str(),
                   req.path.c_str(), e.what());
      reply_json(res, 500, {{"detail", "Internal server error."}});
    }
  };
}

}  // namespace shopd
