// notification_routes.cpp — /api/notifications/ (minimal): the list (paginated 10), unread/ (count
// and the latest 5), and {id}/ (detail; marks it read). Records are written by the engine, e.g.
// the point-expiry notices.
#include <charconv>

#include "routes/routes.h"
#include "shop/points.h"
#include "shop/timefmt.h"

namespace shopd {

namespace {

constexpr std::int64_t kPageSize = 10;  // the global DRF default

// "방금 전", "5분 전", "3시간 전", "2일 전", else the date — as the reference renders it.
std::string relative_time(const Api& api, shop::Micros created_at) {
  const std::int64_t seconds = (api.engine.clock().now() - created_at) / shop::kMicrosPerSecond;
  if (seconds < 60) return "방금 전";
  if (seconds < 3600) return std::to_string(seconds / 60) + "분 전";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "시간 전";
  if (seconds < 604800) return std::to_string(seconds / 86400) + "일 전";
  return shop::timefmt::format_date(created_at, api.utc_offset_minutes);
}

json list_item(const Api& api, const shop::Notification& n) {
  return {{"id", n.id},
          {"notification_type", n.type},
          {"notification_type_display", shop::notification_type_display(n.type)},
          {"title", n.title},
          {"link", n.link},
          {"is_read", n.is_read},
          {"created_at", format_time(api, n.created_at)},
          {"created_at_display", relative_time(api, n.created_at)}};
}

void reply_invalid_page(httplib::Response& res) {
  reply_json(res, 404, {{"detail", "Invalid page."}});
}

}  // namespace

void register_notification_routes(Router& router, Api& api) {
  router.add(
      "GET", "/api/notifications/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        // DRF page-number pagination: a non-numeric or out-of-range page is a 404.
        std::int64_t page = 1;
        if (req.has_param("page")) {
          const std::string v = req.get_param_value("page");
          auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), page);
          if (v.empty() || ec != std::errc() || end != v.data() + v.size() || page < 1 ||
              page > shop::kMaxHistoryPage) {
            return reply_invalid_page(res);
          }
        }
        auto r = api.engine.points().notifications(user->user_id, page, kPageSize);
        if (!r) return reply_error(res, r.error(), ErrorShape::kDetail);
        const std::int64_t pages = (r->count + kPageSize - 1) / kPageSize;
        if (page > 1 && page > pages) return reply_invalid_page(res);
        json results = json::array();
        for (const auto& n : r->results) results.push_back(list_item(api, n));
        reply_json(res, 200,
                   {{"count", r->count},
                    {"next", page < pages ? json(page_url(api, req, page + 1)) : json()},
                    {"previous", page > 1 ? json(page_url(api, req, page - 1)) : json()},
                    {"results", std::move(results)}});
      }));

  router.add(
      "GET", "/api/notifications/unread/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto r = api.engine.points().unread_notifications(user->user_id, 5);
        if (!r) return reply_error(res, r.error(), ErrorShape::kDetail);
        json items = json::array();
        for (const auto& n : r->results) items.push_back(list_item(api, n));
        reply_json(res, 200, {{"count", r->count}, {"notifications", std::move(items)}});
      }));

  router.add(
      "GET", "/api/notifications/{id}/",
      guarded([&api](const httplib::Request& req, httplib::Response& res, const RouteParams& p) {
        auto user = require_user(api, req, res);
        if (!user) return;
        auto n = api.engine.points().read_notification(user->user_id, p.id(0));
        if (!n) return reply_error(res, n.error(), ErrorShape::kDetail);
        json body = list_item(api, *n);
        body["message"] = n->message;
        body["read_at"] = time_or_null(api, n->read_at);
        reply_json(res, 200, body);
      }));
}

}  // namespace shopd
