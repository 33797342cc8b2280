// payment_routes.cpp — /api/payments/ (contract §1e) over shop::Payments and the test provider.
#include "idempotency_http.h"
#include "routes/routes.h"
#include "shop/payments.h"

namespace shopd {

namespace {

const char* status_display(const std::string& status) {
  if (status == "ready") return "결제 준비";
  if (status == "in_progress") return "결제 진행중";
  if (status == "waiting_for_deposit") return "입금 대기";
  if (status == "done") return "결제 완료";
  if (status == "canceled") return "결제 취소";
  if (status == "partial_canceled") return "부분 취소";
  if (status == "aborted") return "결제 실패";
  if (status == "expired") return "결제 만료";
  return "";
}

// Amounts are JSON integers here (the reference's payment-request `amount` is an int; the brief
// keeps payment objects consistent with it).
json payment_json(const Api& api, const shop::PaymentInfo& p) {
  return {{"id", p.id},
          {"order", p.order_id},
          {"order_id", p.order_id},
          {"order_number", p.order_number},
          {"amount", p.amount},
          {"status", p.status},
          {"status_display", status_display(p.status)},
          {"method", p.method},
          {"payment_key", p.payment_key ? json(*p.payment_key) : json(nullptr)},
          {"failure_reason", p.failure_reason},
          {"is_paid", p.is_paid()},
          {"is_canceled", p.status == "canceled"},
          {"canceled_amount", p.canceled_amount},
          {"cancel_reason", p.cancel_reason},
          {"used_points", p.used_points},
          {"earned_points", p.earned_points},
          {"approved_at", time_or_null(api, p.approved_at)},
          {"canceled_at", time_or_null(api, p.canceled_at)},
          {"created_at", format_time(api, p.created_at)},
          {"updated_at", format_time(api, p.updated_at)}};
}

// The payment views answer 404 with {"error"}; "detail" is added for DRF-style clients.
void reply_payment_error(httplib::Response& res, const shop::Error& e) {
  if (e.code == shop::ErrorCode::kNotFound) {
    reply_json(res, 404, {{"error", e.message}, {"detail", e.message}});
    return;
  }
  if (e.code == shop::ErrorCode::kInvalidArgument && !e.field.empty()) {
    reply_error(res, e, ErrorShape::kField);
    return;
  }
  reply_error(res, e, ErrorShape::kError);
}

std::string site_base(const Api& api, const httplib::Request& req) {
  if (!api.public_base_url.empty()) return api.public_base_url;
  const std::string host = req.get_header_value("Host");
  return "http://" + (host.empty() ? std::string("127.0.0.1") : host);
}

// An integer given as a JSON integer or as a string of digits: the fail callback sends the
// provider's order id (our order id as text), and the reference's DecimalField `amount` accepts
// "13000" as well as 13000.
std::optional<std::int64_t> int_or_digits(const json& body, Fields& fields, const char* name,
                                          std::int64_t min) {
  if (body.contains(name) && body[name].is_string()) {
    const std::string s = body[name].get<std::string>();
    std::int64_t v = 0;
    bool ok = !s.empty() && s.size() <= 18;  // 18 digits cannot overflow int64
    for (char c : s) {
      if (c < '0' || c > '9') ok = false;
      v = ok ? v * 10 + (c - '0') : 0;
    }
    if (!ok) {
      fields.add_error(name, "A valid integer is required.");
      return std::nullopt;
    }
    if (v < min) {
      fields.add_error(
          name, "Ensure this value is greater than or equal to " + std::to_string(min) + ".");
      return std::nullopt;
    }
    return v;
  }
  return fields.integer(name, true, min, INT64_MAX);
}

void post_request(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields fields(*body);
  auto order_id = fields.integer("order_id", true, 1, INT64_MAX);
  auto method = fields.string("payment_method", false, shop::Payments::kMaxMethod);
  if (fields.reply_if_errors(res)) return;
  auto r = api.engine.payments().request(user->user_id, *order_id, method.value_or("card"));
  if (!r) return reply_payment_error(res, r.error());
  const std::string base = site_base(api, req);
  reply_json(res, 201,
             {{"payment_id", r->payment_id},
              {"order_id", r->order_id},
              {"order_name", r->order_name},
              {"customer_name", r->customer_name},
              {"customer_email", r->customer_email},
              {"amount", r->amount},
              {"client_key", r->client_key},
              {"success_url", base + "/payment/success"},
              {"fail_url", base + "/payment/fail"}});
}

void post_confirm(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields fields(*body);
  auto order_id = fields.integer("order_id", true, 1, INT64_MAX);
  auto payment_key = fields.string("payment_key", true, shop::Payments::kMaxPaymentKey);
  auto amount = int_or_digits(*body, fields, "amount", 0);
  if (fields.reply_if_errors(res)) return;
  auto r = api.engine.payments().confirm(user->user_id, *order_id, *payment_key, *amount);
  if (!r) return reply_payment_error(res, r.error());
  const auto& p = r->payment;
  // 202 as in the reference (its Locust file requires it); the test provider finished the work,
  // so the body already reports the final state.
  reply_json(res, 202,
             {{"status", p.status},
              {"payment_id", p.id},
              {"order_id", p.order_id},
              {"task_id", r->task_id},
              {"message", "결제가 완료되었습니다."},
              {"status_url", "/api/payments/" + std::to_string(p.id) + "/status/"},
              {"order_status", r->order_status},
              {"amount", p.amount},
              {"earned_points", r->earned_points},
              {"payment", payment_json(api, p)}});
}

void get_list(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto page = query_int(req, res, "page", 1, 1, INT64_MAX, ErrorShape::kError);
  if (!page) return;
  auto page_size =
      query_int(req, res, "page_size", 10, 1, shop::Payments::kMaxPageSize, ErrorShape::kError);
  if (!page_size) return;
  const std::string status = query_str(req, "status").value_or("");
  auto r = api.engine.payments().list(user->user_id, status, *page, *page_size);
  if (!r) return reply_error(res, r.error(), ErrorShape::kError);
  json results = json::array();
  for (const auto& p : r->results) results.push_back(payment_json(api, p));
  reply_json(res, 200,
             {{"count", r->count},
              {"page", r->page},
              {"page_size", r->page_size},
              {"results", std::move(results)}});
}

void get_detail(Api& api, const httplib::Request& req, httplib::Response& res,
                const RouteParams& params) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto r = api.engine.payments().get(user->user_id, params.id());
  if (!r) return reply_payment_error(res, r.error());
  reply_json(res, 200, payment_json(api, *r));
}

void get_status(Api& api, const httplib::Request& req, httplib::Response& res,
                const RouteParams& params) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto r = api.engine.payments().status(user->user_id, params.id());
  if (!r) return reply_payment_error(res, r.error());
  reply_json(res, 200,
             {{"payment_id", r->payment_id},
              {"status", r->status},
              {"is_paid", r->is_paid},
              {"order_status", r->order_status},
              {"order_id", r->order_id}});
}

void post_cancel(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields fields(*body);
  auto payment_id = fields.integer("payment_id", true, 1, INT64_MAX);
  auto reason = fields.string("cancel_reason", true, shop::Payments::kMaxCancelReason);
  if (fields.reply_if_errors(res)) return;
  auto r = api.engine.payments().cancel(user->user_id, *payment_id, *reason);
  if (!r) return reply_payment_error(res, r.error());
  reply_json(res, 200,
             {{"message", "결제가 취소되었습니다."},
              {"payment", payment_json(api, r->payment)},
              {"refund_amount", r->refund_amount},
              {"refunded_points", r->refunded_points},
              {"deducted_points", r->deducted_points}});
}

void post_fail(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields fields(*body);
  auto code = fields.string("code", true, shop::Payments::kMaxFailCode);
  auto message = fields.string("message", true, shop::Payments::kMaxFailMessage);
  auto order_id = int_or_digits(*body, fields, "order_id", 1);
  if (fields.reply_if_errors(res)) return;
  auto r = api.engine.payments().fail(user->user_id, *order_id, *code, *message);
  if (!r) return reply_payment_error(res, r.error());
  reply_json(res, 200,
             {{"message", "결제 실패가 처리되었습니다."},
              {"payment_id", r->payment.id},
              {"order_id", r->payment.order_id},
              {"order_number", r->payment.order_number},
              {"status", r->payment.status},
              {"fail_code", r->fail_code},
              {"fail_message", r->fail_message}});
}

}  // namespace

void register_payment_routes(Router& router, Api& api) {
  auto bind = [&api](void (*fn)(Api&, const httplib::Request&, httplib::Response&)) {
    return guarded([&api, fn](const httplib::Request& req, httplib::Response& res,
                              const RouteParams&) { fn(api, req, res); });
  };
  auto bind_id =
      [&api](void (*fn)(Api&, const httplib::Request&, httplib::Response&, const RouteParams&)) {
        return guarded([&api, fn](const httplib::Request& req, httplib::Response& res,
                                  const RouteParams& p) { fn(api, req, res, p); });
      };
  router.add("POST", "/api/payments/request/", bind(post_request));
  router.add(
      "POST", "/api/payments/confirm/",
      guarded(with_idempotency(api, "payments.confirm",
                               [&api](const httplib::Request& req, httplib::Response& res,
                                      const RouteParams&) { post_confirm(api, req, res); })));
  router.add("GET", "/api/payments/", bind(get_list));
  router.add("GET", "/api/payments/{id}/", bind_id(get_detail));
  router.add("GET", "/api/payments/{id}/status/", bind_id(get_status));
  router.add("POST", "/api/payments/cancel/", bind(post_cancel));
  router.add("POST", "/api/payments/fail/", bind(post_fail));
}

}  // namespace shopd
