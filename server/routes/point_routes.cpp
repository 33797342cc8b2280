// point_routes.cpp — /api/points/: my, history, expiring, check, use, cancel, statistics.
// Parses and renders only; every rule is in shop::Points (engine/src/points/).
#include <cctype>
#include <limits>

#include "routes/routes.h"
#include "shop/points.h"
#include "shop/timefmt.h"

namespace shopd {

namespace {

// The contract's PointHistory object.
json entry_json(const Api& api, const shop::PointEntry& e) {
  json metadata = json::parse(e.metadata, nullptr, false);
  if (metadata.is_discarded() || !metadata.is_object()) metadata = json::object();
  if (e.is_lot) {  // the reference keeps lot state in the lot's metadata
    metadata["used_amount"] = e.lot_used;
    metadata["expired"] = e.lot_expired;
    metadata["expired_amount"] = e.lot_expired_amount;
    metadata["expiry_notified"] = e.expiry_notified;
  }
  return {{"id", e.id},
          {"points", e.points},
          {"balance", e.balance},
          {"type", e.type},
          {"type_display", shop::point_type_display(e.type)},
          {"order", e.order_id ? json(*e.order_id) : json(nullptr)},
          {"order_number", e.order_number ? json(*e.order_number) : json(nullptr)},
          {"description", e.description},
          {"expires_at", time_or_null(api, e.expires_at)},
          {"metadata", std::move(metadata)},
          {"created_at", format_time(api, e.created_at)}};
}

json entries_json(const Api& api, const std::vector<shop::PointEntry>& entries) {
  json arr = json::array();
  for (const auto& e : entries) arr.push_back(entry_json(api, e));
  return arr;
}

// {"success": false, "error_code", "message", "errors"?} (errors only for an input field).
void reply_failure(httplib::Response& res, const std::string& code, const std::string& message,
                   const std::string& field = {}) {
  json body = {{"success", false}, {"error_code", code}, {"message", message}};
  if (!field.empty()) body["errors"] = {{field, {message}}};
  reply_json(res, 400, body);
}

// Engine errors of /points/use/ and /points/cancel/: the code is the engine's reason (never
// guessed from the message text, fixing D17).
void reply_engine_failure(httplib::Response& res, const shop::Error& e, const char* fallback) {
  if (e.code != shop::ErrorCode::kInvalidArgument && e.code != shop::ErrorCode::kConflict) {
    reply_error(res, e, ErrorShape::kDetail);
    return;
  }
  reply_failure(res, e.reason.empty() ? fallback : e.reason, e.message, e.field);
}

// A strict JSON integer that fits in int64. Returns nullopt with `error` set otherwise.
std::optional<std::int64_t> json_int64(const json& v, std::string& error) {
  if (!v.is_number_integer()) {
    error = "A valid integer is required.";
    return std::nullopt;
  }
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    error = "Ensure this value is less than or equal to " +
            std::to_string(std::numeric_limits<std::int64_t>::max()) + ".";
    return std::nullopt;
  }
  return v.get<std::int64_t>();
}

// DRF DecimalField(max_digits=10, decimal_places=0), as the reference's order_amount: a JSON
// number or a numeric string; no fraction digits, at most 10 digits; negative refused here.
std::optional<std::int64_t> parse_order_amount(const json& v, std::string& error) {
  std::string text;
  if (v.is_number_integer()) {
    text = v.dump();
  } else if (v.is_number_float()) {
    text = v.dump();  // as str(float): "50000.0" has a decimal place, like DRF rejects it
  } else if (v.is_string()) {
    text = v.get<std::string>();
  } else {
    error = "A valid number is required.";
    return std::nullopt;
  }
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string_view s(text.data() + b, e - b);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string_view whole = s.substr(0, s.find('.'));
  std::string_view fraction =
      s.find('.') == std::string_view::npos ? std::string_view() : s.substr(s.find('.') + 1);
  auto all_digits = [](std::string_view d) {
    for (char c : d) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if ((whole.empty() && fraction.empty()) || !all_digits(whole) || !all_digits(fraction)) {
    error = "A valid number is required.";
    return std::nullopt;
  }
  if (!fraction.empty()) {
    error = "Ensure that there are no more than 0 decimal places.";
    return std::nullopt;
  }
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  if (whole.size() > 10) {
    error = "Ensure that there are no more than 10 digits in total.";
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  if (negative && value != 0) {
    error = "Ensure this value is greater than or equal to 0.";
    return std::nullopt;
  }
  return value;
}

// A required/optional string field for the success-false endpoints.
bool read_description(const json& body, std::string& out, std::string& error) {
  if (!body.contains("description") || body["description"].is_null()) return true;
  if (!body["description"].is_string()) {
    error = "Not a valid string.";
    return false;
  }
  out = body["description"].get<std::string>();
  size_t chars = 0;
  for (unsigned char c : out) chars += (c & 0xC0) != 0x80;
  if (chars > 255) {
    error = "Ensure this field has no more than 255 characters.";
    return false;
  }
  return true;
}

// "YYYY-MM-DD" query parameter -> local-day number; empty/absent -> nullopt, bad -> 400 {"error"}.
bool query_date(const httplib::Request& req, httplib::Response& res, const char* name,
                std::optional<std::int64_t>& out) {
  auto v = query_str(req, name);
  if (!v || v->empty()) return true;
  out = shop::timefmt::parse_date(*v);
  if (!out) {
    reply_json(
        res, 400,
        {{"error", std::string("'") + name + "'의 날짜 형식이 올바르지 않습니다. (YYYY-MM-DD)"}});
    return false;
  }
  return true;
}

}  // namespace

void register_point_routes(Router& router, Api& api) {
  router.add(
      "GET", "/api/points/my/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto my = api.engine.points().my(user->user_id);
        if (!my) return reply_error(res, my.error(), ErrorShape::kDetail);
        const auto& i = my->info;
        reply_json(res, 200,
                   {{"point_info",
                     {{"id", i.user_id},
                      {"username", i.username},
                      {"points", i.points},
                      {"total_earned", i.total_earned},
                      {"total_used", i.total_used},
                      {"expiring_soon", i.expiring_soon}}},
                    {"recent_histories", entries_json(api, my->recent)}});
      }));

  router.add(
      "GET", "/api/points/history/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        shop::HistoryQuery q;
        q.type = query_str(req, "type").value_or("");
        std::optional<std::int64_t> start_day, end_day;
        if (!query_date(req, res, "start_date", start_day)) return;
        if (!query_date(req, res, "end_date", end_day)) return;
        if (start_day) q.from = shop::timefmt::local_day_start(*start_day, api.utc_offset_minutes);
        if (end_day) {
          q.until = shop::timefmt::local_day_start(*end_day + 1, api.utc_offset_minutes);
        }
        auto page = query_int(req, res, "page", 1, 1, shop::kMaxHistoryPage, ErrorShape::kError);
        if (!page) return;
        auto page_size =
            query_int(req, res, "page_size", 20, 1, shop::kMaxHistoryPageSize, ErrorShape::kError);
        if (!page_size) return;
        q.page = *page;
        q.page_size = *page_size;
        auto h = api.engine.points().history(user->user_id, q);
        if (!h) return reply_error(res, h.error(), ErrorShape::kError);
        reply_json(res, 200,
                   {{"count", h->count},
                    {"page", h->page},
                    {"page_size", h->page_size},
                    {"summary",
                     {{"current_points", h->summary.current_points},
                      {"total_earned", h->summary.total_earned},
                      {"total_used", h->summary.total_used}}},
                    {"results", entries_json(api, h->results)}});
      }));

  router.add(
      "GET", "/api/points/expiring/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto days = query_int(req, res, "days", 30, 1, shop::kMaxExpiringDays, ErrorShape::kError);
        if (!days) return;
        auto r = api.engine.points().expiring(user->user_id, *days);
        if (!r) return reply_error(res, r.error(), ErrorShape::kError);
        json monthly = json::array();
        for (const auto& m : r->monthly_summary) {
          monthly.push_back({{"month", m.month}, {"points", m.points}, {"count", m.count}});
        }
        reply_json(res, 200,
                   {{"total_expiring", r->total_expiring},
                    {"days", r->days},
                    {"monthly_summary", std::move(monthly)},
                    {"histories", entries_json(api, r->histories)}});
      }));

  router.add(
      "POST", "/api/points/check/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto body = parse_object(req, res);
        if (!body) return;
        Fields f(*body);
        std::optional<std::int64_t> order_amount;
        if (!f.has("order_amount")) {
          f.add_error("order_amount", "This field is required.");
        } else {
          std::string error;
          order_amount = parse_order_amount((*body)["order_amount"], error);
          if (!order_amount) f.add_error("order_amount", error);
        }
        auto use_points =
            f.integer("use_points", true, 0, std::numeric_limits<std::int64_t>::max());
        if (f.reply_if_errors(res)) return;
        auto r = api.engine.points().check(user->user_id, *order_amount, *use_points);
        if (!r) return reply_error(res, r.error(), ErrorShape::kField);
        reply_json(res, 200,
                   {{"available_points", r->available_points},
                    {"can_use", r->can_use},
                    {"max_usable", r->max_usable},
                    {"message", r->message}});
      }));

  router.add(
      "POST", "/api/points/use/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto body = parse_object(req, res);
        if (!body) return;
        std::string error;
        if (!body->contains("amount") || (*body)["amount"].is_null()) {
          return reply_failure(res, "INVALID_REQUEST", "This field is required.", "amount");
        }
        auto amount = json_int64((*body)["amount"], error);
        if (!amount) return reply_failure(res, "INVALID_AMOUNT", error, "amount");
        std::optional<std::int64_t> order_id;
        if (body->contains("order_id") && !(*body)["order_id"].is_null()) {
          order_id = json_int64((*body)["order_id"], error);
          if (!order_id) return reply_failure(res, "INVALID_ORDER", error, "order_id");
        }
        std::string description;
        if (!read_description(*body, description, error)) {
          return reply_failure(res, "INVALID_REQUEST", error, "description");
        }
        auto r = api.engine.points().use(user->user_id, *amount, order_id, description);
        if (!r) return reply_engine_failure(res, r.error(), "POINT_USE_FAILED");
        json details = json::array();
        for (const auto& d : r->used_details) {
          details.push_back({{"history_id", d.history_id},
                             {"amount", d.amount},
                             {"expires_at", time_or_null(api, d.expires_at)}});
        }
        reply_json(res, 200,
                   {{"success", true},
                    {"message", shop::format_points(r->used_amount) + " 포인트를 사용했습니다."},
                    {"data",
                     {{"used_amount", r->used_amount},
                      {"remaining_points", r->remaining_points},
                      {"used_details", std::move(details)}}}});
      }));

  router.add(
      "POST", "/api/points/cancel/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto body = parse_object(req, res);
        if (!body) return;
        std::string error;
        const json& b = *body;
        if (!b.contains("amount") || b["amount"].is_null()) {
          return reply_failure(res, "INVALID_REQUEST", "This field is required.", "amount");
        }
        auto amount = json_int64(b["amount"], error);
        if (!amount) return reply_failure(res, "INVALID_AMOUNT", error, "amount");
        if (!b.contains("order_id") || b["order_id"].is_null()) {
          return reply_failure(res, "INVALID_REQUEST", "This field is required.", "order_id");
        }
        auto order_id = json_int64(b["order_id"], error);
        if (!order_id) return reply_failure(res, "INVALID_ORDER", error, "order_id");
        if (!b.contains("type") || b["type"].is_null()) {
          return reply_failure(res, "INVALID_REQUEST", "This field is required.", "type");
        }
        if (!b["type"].is_string()) {
          return reply_failure(res, "INVALID_TYPE", "Not a valid string.", "type");
        }
        std::string description;
        if (!read_description(b, description, error)) {
          return reply_failure(res, "INVALID_REQUEST", error, "description");
        }
        const std::string type = b["type"].get<std::string>();
        auto r = api.engine.points().cancel(user->user_id, *order_id, type, *amount, description);
        if (!r) {
          return reply_engine_failure(
              res, r.error(),
              type == "cancel_deduct" ? "CANCEL_DEDUCT_FAILED" : "CANCEL_REFUND_FAILED");
        }
        reply_json(res, 200,
                   {{"success", true},
                    {"message", shop::format_points(r->processed_amount) + " 포인트가 " +
                                    (r->type == "cancel_deduct" ? "회수" : "환불") + "되었습니다."},
                    {"data",
                     {{"processed_amount", r->processed_amount},
                      {"remaining_points", r->remaining_points},
                      {"type", r->type},
                      {"order_id", r->order_id}}}});
      }));

  router.add(
      "GET", "/api/points/statistics/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto s = api.engine.points().statistics(user->user_id);
        if (!s) return reply_error(res, s.error(), ErrorShape::kDetail);
        json by_type = json::array();
        for (const auto& t : s->by_type) {
          by_type.push_back({{"type", t.type}, {"count", t.count}, {"total", t.total}});
        }
        reply_json(
            res, 200,
            {{"current_points", s->current_points},
             {"this_month", {{"earned", s->this_month_earned}, {"used", s->this_month_used}}},
             {"all_time", {{"earned", s->all_time_earned}, {"used", s->all_time_used}}},
             {"by_type", std::move(by_type)}});
      }));
}

}  // namespace shopd
