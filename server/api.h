// api.h — shared plumbing for the route files: JSON replies, the contract's error shapes, request
// body/field/query parsing with DRF-style validation, authentication, session cookies.
// No business rules here: those live in the engine.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "router.h"
#include "shop/auth.h"
#include "shop/engine.h"
#include "shop/result.h"

namespace shopd {
namespace net {
struct ServerCounters;
}

using json = nlohmann::json;

// Everything a route handler needs. One per server; handlers run on many threads at once, so
// anything here is read-only after start-up (the engine is thread-safe).
struct Api {
  shop::Engine& engine;
  int utc_offset_minutes = 9 * 60;
  std::string public_base_url;  // for absolute next/previous links; empty: from the Host header
  const net::ServerCounters* http = nullptr;  // the front end's counters, for /metrics/ (or none)
};

// --- replies ---------------------------------------------------------------------------------
void reply_json(httplib::Response& res, int status, const json& body);
void reply_empty(httplib::Response& res, int status);  // e.g. 204

// The contract uses several error body shapes; each route picks the one the reference uses.
enum class ErrorShape {
  kDetail,        // {"detail": msg}
  kField,         // {"<field>": [msg]} or {"non_field_errors": [msg]}
  kError,         // {"error": msg} (+ "code": reason when there is one)
  kSuccessFalse,  // {"success": false, "error_code": reason, "message": msg}
  kBareList,      // ["msg"] (order point-rule errors, contract 1a step 7)
};
int http_status_for(const shop::Error& e);
void reply_error(httplib::Response& res, const shop::Error& e, ErrorShape shape);
// DRF-style 400 with several field errors: {"field": ["msg", ...], ...}
void reply_field_errors(httplib::Response& res, const json& errors);

// Money renders as a JSON string of an integer ("13000"); points as integers.
inline json money(std::int64_t won) { return std::to_string(won); }
std::string format_time(const Api& api, shop::Micros t);
json time_or_null(const Api& api, std::optional<shop::Micros> t);

// --- request bodies --------------------------------------------------------------------------
// Parses the body as a JSON object (empty body -> {}). On failure replies 400 and returns nullopt:
// malformed JSON -> {"detail": "JSON parse error - ..."}; non-object -> {"non_field_errors": [...]}.
std::optional<json> parse_object(const httplib::Request& req, httplib::Response& res);

// Collects DRF-style field errors while reading typed fields from a JSON object. Strict types:
// an integer field takes a JSON integer only (no strings, floats or booleans), in [min, max].
class Fields {
 public:
  explicit Fields(const json& body) : body_(body) {}
  std::optional<std::string> string(const char* name, bool required, size_t max_len,
                                    bool allow_blank = false);
  std::optional<std::int64_t> integer(const char* name, bool required, std::int64_t min,
                                      std::int64_t max);
  std::optional<bool> boolean(const char* name, bool required);
  bool has(const char* name) const { return body_.contains(name) && !body_[name].is_null(); }
  void add_error(const std::string& field, const std::string& msg);
  bool ok() const { return errors_.empty(); }
  const json& errors() const { return errors_; }
  // Replies 400 with the collected errors if any; returns true when it did.
  bool reply_if_errors(httplib::Response& res) const;

 private:
  const json& body_;
  json errors_ = json::object();
};

// --- query strings ---------------------------------------------------------------------------
// An integer query parameter: absent -> fallback; present but not an integer in [min, max] ->
// replies 400 {"<name>": ["..."]} (or {"error": ...} with ErrorShape::kError) and returns nullopt.
std::optional<std::int64_t> query_int(const httplib::Request& req, httplib::Response& res,
                                      const char* name, std::int64_t fallback, std::int64_t min,
                                      std::int64_t max, ErrorShape shape = ErrorShape::kField);
std::optional<std::string> query_str(const httplib::Request& req, const char* name);
// Builds an absolute URL for this request's path with `page` replaced (for next/previous).
std::string page_url(const Api& api, const httplib::Request& req, std::int64_t page);

// --- authentication --------------------------------------------------------------------------
// Result of looking at the Authorization header. A present but invalid token is an error on every
// endpoint, including anonymous ones (the contract: authentication runs before permissions).
struct AuthCheck {
  bool replied = false;                    // a 401 was written: the handler must return
  std::optional<shop::Principal> principal;  // set when a valid Bearer token was given
};
AuthCheck authenticate(const Api& api, const httplib::Request& req, httplib::Response& res);
// As authenticate(), and 401 {"detail": "Authentication credentials were not provided."} when
// there is no token. Returns nullopt when it replied.
std::optional<shop::Principal> require_user(const Api& api, const httplib::Request& req,
                                            httplib::Response& res);

// --- cookies -----------------------------------------------------------------------------------
std::optional<std::string> cookie(const httplib::Request& req, std::string_view name);

// Wraps a handler so an escaped exception becomes a logged 500 instead of a dropped connection.
RouteHandler guarded(RouteHandler h);

}  // namespace shopd
