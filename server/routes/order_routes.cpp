// order_routes.cpp — /api/orders/ (contract §1a, §1d). Authenticated only. Orders are created
// (202, asynchronous), listed, read and canceled; they are never edited or deleted through the
// API (no PUT/PATCH/DELETE routes: 405, fixing D13).
#include <algorithm>
#include <charconv>
#include <limits>

#include "idempotency_http.h"
#include "routes/cart_render.h"
#include "routes/routes.h"
#include "shop/orders.h"

namespace shopd {

namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();

shop::OrderViewer viewer_of(const shop::Principal& p) {
  return {p.user_id, p.is_staff};
}

void reply_forbidden_unverified(httplib::Response& res, const shop::Error& e) {
  reply_json(res, 403,
             {{"error", e.message},
              {"message", "주문하려면 이메일 인증을 완료해주세요."},
              {"detail", e.message},
              {"verification_required", true},
              {"verification_url", "/api/auth/email/send/"}});
}

// Maps intake errors to the reference's bodies (contract §1a, checks 3-8).
void reply_intake_error(httplib::Response& res, const shop::Error& e) {
  using shop::ErrorCode;
  if (e.code == ErrorCode::kPermissionDenied) return reply_forbidden_unverified(res, e);
  if (e.code == ErrorCode::kUnavailable) {
    res.set_header("Retry-After", "1");
    reply_json(res, 503, {{"detail", e.message}, {"code", e.reason}});
    return;
  }
  if (e.code == ErrorCode::kInvalidArgument) {
    if (e.reason == shop::kCartItemsUnavailable) {
      json msgs = json::array();
      std::size_t start = 0;
      while (start <= e.message.size()) {
        std::size_t nl = e.message.find('\n', start);
        if (nl == std::string::npos) nl = e.message.size();
        msgs.push_back(e.message.substr(start, nl - start));
        start = nl + 1;
      }
      reply_json(res, 400, {{"cart_items", msgs}});
      return;
    }
    if (shop::is_points_rule_reason(e.reason)) return reply_error(res, e, ErrorShape::kBareList);
  }
  reply_error(res, e, ErrorShape::kField);
}

void create_order(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto& orders = api.engine.orders();
  // 403 before field errors, as the reference checks permissions first.
  if (auto eligible = orders.check_eligible(user->user_id); !eligible) {
    return reply_intake_error(res, eligible.error());
  }
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  shop::OrderRequest r;
  r.shipping_name = f.string("shipping_name", true, 100).value_or("");
  r.shipping_phone = f.string("shipping_phone", true, 20).value_or("");
  r.shipping_postal_code = f.string("shipping_postal_code", true, 10).value_or("");
  r.shipping_address = f.string("shipping_address", true, 200).value_or("");
  r.shipping_address_detail = f.string("shipping_address_detail", false, 255, true).value_or("");
  r.order_memo = f.string("order_memo", false, 1000, true).value_or("");
  r.use_points = f.integer("use_points", false, 0, kIntMax).value_or(0);
  if (f.reply_if_errors(res)) return;

  auto accepted = orders.intake(user->user_id, r);
  if (!accepted) return reply_intake_error(res, accepted.error());
  const std::string id = std::to_string(accepted->order_id);
  reply_json(res, 202,
             {{"order_id", accepted->order_id},
              {"order_number", accepted->order_number},
              {"status", "pending"},
              {"task_id", accepted->task_id},
              {"message", "주문이 접수되었습니다. 처리 중입니다."},
              {"status_url", "/api/orders/" + id + "/"},
              {"total_amount", money(accepted->total_amount)},
              {"final_amount", money(accepted->final_amount)}});
}

json render_list_item(const Api& api, const shop::Order& o) {
  return {{"id", o.id},
          {"order_number", o.order_number},
          {"user_username", o.user_username},
          {"status", o.status},
          {"status_display", shop::order_status_display(o.status)},
          {"total_amount", money(o.total_amount)},
          {"shipping_fee", money(o.shipping_fee)},
          {"total_shipping_fee", money(o.total_shipping_fee())},
          {"used_points", o.used_points},
          {"final_amount", money(o.final_amount)},
          {"item_count", o.item_count},
          {"failure_reason", o.failure_reason},
          {"created_at", format_time(api, o.created_at)}};
}

json render_detail(const Api& api, const shop::Order& o) {
  json items = json::array();
  for (const auto& it : o.items) {
    items.push_back(
        {{"id", it.id},
         {"product", it.product_id ? json(*it.product_id) : json(nullptr)},
         {"product_info", it.product ? render_product_brief(api, *it.product) : json(nullptr)},
         {"product_name", it.product_name},
         {"quantity", it.quantity},
         {"price", money(it.price)},
         {"subtotal", money(it.subtotal())}});
  }
  return {{"id", o.id},
          {"order_number", o.order_number},
          {"user", o.user_id},
          {"user_username", o.user_username},
          {"status", o.status},
          {"status_display", shop::order_status_display(o.status)},
          {"failure_reason", o.failure_reason},
          {"order_items", items},
          {"total_amount", money(o.total_amount)},
          {"shipping_fee", money(o.shipping_fee)},
          {"additional_shipping_fee", money(o.additional_shipping_fee)},
          {"is_free_shipping", o.is_free_shipping},
          {"total_shipping_fee", money(o.total_shipping_fee())},
          {"used_points", o.used_points},
          {"final_amount", money(o.final_amount)},
          {"earned_points", o.earned_points},
          {"shipping_name", o.shipping_name},
          {"shipping_phone", o.shipping_phone},
          {"shipping_postal_code", o.shipping_postal_code},
          {"shipping_address", o.shipping_address},
          {"shipping_address_detail", o.shipping_address_detail},
          {"order_memo", o.order_memo},
          {"payment_method", o.payment_method},
          {"can_cancel", o.can_cancel()},
          {"created_at", format_time(api, o.created_at)},
          {"updated_at", format_time(api, o.updated_at)},
          {"processed_at", time_or_null(api, o.processed_at)},
          {"canceled_at", time_or_null(api, o.canceled_at)}};
}

// DRF page-number pagination: a non-numeric or out-of-range `page` is 404.
std::optional<std::int64_t> read_page(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("page")) return 1;
  const std::string v = req.get_param_value("page");
  std::int64_t page = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), page);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || page < 1) {
    reply_json(res, 404, {{"detail", "Invalid page."}});
    return std::nullopt;
  }
  return page;
}

// DRF page_size: invalid or non-positive falls back to the default; large values are clamped.
std::int64_t read_page_size(const httplib::Request& req) {
  constexpr std::int64_t kDefault = 10, kMax = 100;
  if (!req.has_param("page_size")) return kDefault;
  const std::string v = req.get_param_value("page_size");
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc::result_out_of_range && !v.empty() && v[0] != '-') return kMax;
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 1) return kDefault;
  return std::min(n, kMax);
}

void list_orders(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  shop::OrderListQuery q;
  auto page = read_page(req, res);
  if (!page) return;
  q.page = *page;
  q.page_size = read_page_size(req);
  if (auto status = query_str(req, "status"); status && !status->empty()) q.status = *status;
  if (auto ordering = query_str(req, "ordering")) q.oldest_first = *ordering == "created_at";
  auto result = api.engine.orders().list(viewer_of(*user), q);
  if (!result) return reply_error(res, result.error(), ErrorShape::kField);
  json results = json::array();
  for (const auto& o : result->results) results.push_back(render_list_item(api, o));
  const std::int64_t pages = (result->count + q.page_size - 1) / q.page_size;
  reply_json(res, 200,
             {{"count", result->count},
              {"next", q.page < pages ? json(page_url(api, req, q.page + 1)) : json(nullptr)},
              {"previous", q.page > 1 ? json(page_url(api, req, q.page - 1)) : json(nullptr)},
              {"results", results}});
}

void get_order(Api& api, const httplib::Request& req, httplib::Response& res, std::int64_t id) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto order = api.engine.orders().get(viewer_of(*user), id);
  if (!order) return reply_error(res, order.error(), ErrorShape::kDetail);
  reply_json(res, 200, render_detail(api, *order));
}

void cancel_order(Api& api, const httplib::Request& req, httplib::Response& res, std::int64_t id) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto st = api.engine.orders().cancel(viewer_of(*user), id);
  if (!st) return reply_error(res, st.error(), ErrorShape::kError);
  reply_json(res, 200, {{"message", "주문이 취소되었습니다."}});
}

}  // namespace

void register_order_routes(Router& router, Api& api) {
  Api* a = &api;
  // An Idempotency-Key makes a retried POST return the first response (no second order).
  router.add("POST", "/api/orders/",
             guarded(with_idempotency(api, "orders.create",
                                      [a](const auto& req, auto& res, const RouteParams&) {
                                        create_order(*a, req, res);
                                      })));
  router.add("GET", "/api/orders/", guarded([a](const auto& req, auto& res, const RouteParams&) {
               list_orders(*a, req, res);
             }));
  router.add("GET", "/api/orders/{id}/",
             guarded([a](const auto& req, auto& res, const RouteParams& p) {
               get_order(*a, req, res, p.id());
             }));
  router.add("POST", "/api/orders/{id}/cancel/",
             guarded([a](const auto& req, auto& res, const RouteParams& p) {
               cancel_order(*a, req, res, p.id());
             }));
}

}  // namespace shopd
