// points_http_test.cpp — /api/points/ and /api/notifications/ against a real shopd: shapes, error
// bodies, and bad input that must be a 4xx and change nothing.
#include <doctest/doctest.h>

#include "auth/jwt.h"
#include "points_fixtures.h"

using namespace pointstest;
using shoptest::http;
using shoptest::http_raw;
using shoptest::json;

namespace {

// A database with one user holding lots, prepared by an engine on the real clock (shopd runs on
// it), and a shopd serving it. Tokens are minted with the secret ShopdProcess passes.
struct Server {
  shoptest::TestEngine te;
  std::int64_t user = 0;
  std::int64_t other = 0;
  std::string token, other_token;
  std::unique_ptr<shoptest::ShopdProcess> srv;
  std::unique_ptr<httplib::Client> client;

  Server() {
    te.clock.set(shop::SystemClock::instance().now());
    user = make_user(te, "pointer", "gold");
    other = make_user(te, "someone");
    token = mint(user);
    other_token = mint(other);
  }
  static std::string mint(std::int64_t id) {
    const auto now = shop::SystemClock::instance().now() / shop::kMicrosPerSecond;
    return shop::jwt::sign(shop::jwt::make_claims(shop::jwt::TokenType::kAccess, id, now, 1800),
                           "test-secret");
  }
  void start() {
    srv = std::make_unique<shoptest::ShopdProcess>(
        te.dir.file("shop.db"), std::vector<std::string>{"--no-scheduler", "--workers", "0"});
    client = srv->client();
  }
  shoptest::HttpResult get(const std::string& path, const std::string& tok = "") {
    return http(*client, "GET", path, nullptr, tok.empty() ? token : tok);
  }
  shoptest::HttpResult post(const std::string& path, const json& body) {
    return http(*client, "POST", path, body, token);
  }
  std::int64_t points() {
    auto r = get("/api/points/my/");
    REQUIRE(r.status == 200);
    return r.body["point_info"]["points"].get<std::int64_t>();
  }
};

void check_history_object(const json& h) {
  for (const char* k : {"id", "points", "balance", "type", "type_display", "order", "order_number",
                        "description", "expires_at", "metadata", "created_at"}) {
    CHECK_MESSAGE(h.contains(k), k);
  }
  CHECK(h["metadata"].is_object());
  CHECK(h["created_at"].get<std::string>().ends_with("+09:00"));
}

void check_failure(const shoptest::HttpResult& r, const std::string& code) {
  CHECK(r.status == 400);
  CHECK(r.body["success"] == false);
  CHECK(r.body["error_code"] == code);
  CHECK(r.body["message"].is_string());
}

}  // namespace

TEST_SUITE("points http") {
  TEST_CASE("reads: my, history, expiring, statistics shapes and validation") {
    Server s;
    auto lot = grant(s.te, s.user, 1000, 10);
    grant(s.te, s.user, 2000, 100);
    grant(s.te, s.user, 500, -1, "admin_add");
    s.start();

    for (const char* path : {"/api/points/my/", "/api/points/history/", "/api/points/expiring/",
                             "/api/points/statistics/"}) {
      CHECK(http(*s.client, "GET", path).status == 401);
      CHECK(http(*s.client, "GET", path, nullptr, "garbage").status == 401);
    }

    auto my = s.get("/api/points/my/");
    REQUIRE(my.status == 200);
    const auto& info = my.body["point_info"];
    CHECK(info["id"] == s.user);
    CHECK(info["username"] == "pointer");
    CHECK(info["points"] == 3500);
    CHECK(info["total_earned"] == 3500);
    CHECK(info["total_used"] == 0);
    CHECK(info["expiring_soon"] == 1000);
    REQUIRE(my.body["recent_histories"].size() == 3);
    check_history_object(my.body["recent_histories"][0]);
    CHECK(my.body["recent_histories"][0]["type_display"] == "관리자 지급");
    CHECK(my.body["recent_histories"][0]["expires_at"].is_null());
    CHECK(my.body["recent_histories"][2]["id"] == lot);
    CHECK(my.body["recent_histories"][2]["type_display"] == "이벤트");
    CHECK(my.body["recent_histories"][2]["expires_at"].is_string());

    auto h = s.get("/api/points/history/?page_size=2");
    REQUIRE(h.status == 200);
    CHECK(h.body["count"] == 3);
    CHECK(h.body["page"] == 1);
    CHECK(h.body["page_size"] == 2);
    CHECK(h.body["results"].size() == 2);
    CHECK(h.body["summary"] ==
          json({{"current_points", 3500}, {"total_earned", 3500}, {"total_used", 0}}));
    CHECK(s.get("/api/points/history/?page=2&page_size=2").body["results"].size() == 1);
    CHECK(s.get("/api/points/history/?page=9").body["results"].empty());
    CHECK(s.get("/api/points/history/?type=earned").body["count"] == 3);
    CHECK(s.get("/api/points/history/?type=used").body["count"] == 0);
    CHECK(s.get("/api/points/history/?type=admin_add").body["count"] == 1);
    CHECK(s.get("/api/points/history/?type=whatever").body["count"] == 0);
    CHECK(s.get("/api/points/history/?start_date=2000-01-01&end_date=2099-12-31").body["count"] ==
          3);
    CHECK(s.get("/api/points/history/?end_date=2000-01-01").body["count"] == 0);
    for (const char* bad :
         {"page=0", "page=-1", "page=x", "page=1.5", "page_size=0", "page_size=101",
          "page_size=abc", "page_size=99999999999999999999999", "start_date=2025-13-01",
          "end_date=20250101", "start_date=2025-02-30", "end_date=yesterday"}) {
      auto r = s.get(std::string("/api/points/history/?") + bad);
      CHECK_MESSAGE(r.status == 400, bad);
      CHECK_MESSAGE(r.body.contains("error"), bad);
    }

    auto e = s.get("/api/points/expiring/");
    REQUIRE(e.status == 200);
    CHECK(e.body["days"] == 30);
    CHECK(e.body["total_expiring"] == 1000);
    REQUIRE(e.body["histories"].size() == 1);
    check_history_object(e.body["histories"][0]);
    REQUIRE(e.body["monthly_summary"].size() == 1);
    CHECK(e.body["monthly_summary"][0]["points"] == 1000);
    CHECK(e.body["monthly_summary"][0]["count"] == 1);
    CHECK(e.body["monthly_summary"][0]["month"].get<std::string>().size() == 7);
    CHECK(s.get("/api/points/expiring/?days=365").body["total_expiring"] == 3000);
    for (const char* bad : {"days=x", "days=0", "days=-5", "days=3651", "days=1e3", "days="}) {
      auto r = s.get(std::string("/api/points/expiring/?") + bad);
      CHECK_MESSAGE(r.status == 400, bad);
      CHECK_MESSAGE(r.body.contains("error"), bad);
    }

    auto st = s.get("/api/points/statistics/");
    REQUIRE(st.status == 200);
    CHECK(st.body["current_points"] == 3500);
    CHECK(st.body["this_month"] == json({{"earned", 3500}, {"used", 0}}));
    CHECK(st.body["all_time"] == json({{"earned", 3500}, {"used", 0}}));
    REQUIRE(st.body["by_type"].size() == 2);
    CHECK(st.body["by_type"][0] == json({{"type", "admin_add"}, {"count", 1}, {"total", 500}}));
  }

  TEST_CASE("check: always 200 on valid input, DRF-style field errors otherwise") {
    Server s;
    grant(s.te, s.user, 3000, 30);
    s.start();
    auto r = s.post("/api/points/check/", {{"order_amount", 50000}, {"use_points", 5000}});
    REQUIRE(r.status == 200);
    CHECK(r.body["available_points"] == 3000);
    CHECK(r.body["can_use"] == false);
    CHECK(r.body["max_usable"] == 3000);
    CHECK(r.body["message"].is_string());
    auto ok = s.post("/api/points/check/", {{"order_amount", "50000"}, {"use_points", 1000}});
    REQUIRE(ok.status == 200);
    CHECK(ok.body["can_use"] == true);
    CHECK(s.post("/api/points/check/", {{"order_amount", " 1000 "}, {"use_points", 0}}).status ==
          200);
    const json bad_bodies[] = {
        {{"use_points", 100}},
        {{"order_amount", 1000}},
        {{"order_amount", "50000.5"}, {"use_points", 100}},
        {{"order_amount", 50000.0}, {"use_points", 100}},
        {{"order_amount", 12345678901LL}, {"use_points", 100}},
        {{"order_amount", "abc"}, {"use_points", 100}},
        {{"order_amount", -1}, {"use_points", 100}},
        {{"order_amount", true}, {"use_points", 100}},
        {{"order_amount", 1000}, {"use_points", "100"}},
        {{"order_amount", 1000}, {"use_points", -1}},
        {{"order_amount", 1000}, {"use_points", 1.5}},
        {{"order_amount", 1000}, {"use_points", 18446744073709551615ULL}},
    };
    for (const auto& body : bad_bodies) {
      auto b = s.post("/api/points/check/", body);
      CHECK_MESSAGE(b.status == 400, body.dump());
      CHECK_MESSAGE(b.body.is_object(), body.dump());
      CHECK_MESSAGE((b.body.contains("order_amount") || b.body.contains("use_points")), b.raw);
    }
    CHECK(http_raw(*s.client, "POST", "/api/points/check/", "{nope", "application/json", s.token)
              .status == 400);
    CHECK(http_raw(*s.client, "POST", "/api/points/check/", "[1,2]", "application/json", s.token)
              .status == 400);
  }

  TEST_CASE("use: FIFO burn, and every bad amount is a 400 that changes nothing") {
    Server s;
    auto soon = grant(s.te, s.user, 300, 5);
    grant(s.te, s.user, 100000, 200);
    auto foreign = make_order(s.te, s.other, 1000, 1000);
    s.start();

    struct Bad {
      json body;
      const char* code;
    };
    const Bad bad[] = {
        {json::object(), "INVALID_REQUEST"},
        {{{"amount", "500"}}, "INVALID_AMOUNT"},
        {{{"amount", 500.5}}, "INVALID_AMOUNT"},
        {{{"amount", true}}, "INVALID_AMOUNT"},
        {{{"amount", -100}}, "INVALID_AMOUNT"},
        {{{"amount", 0}}, "INVALID_AMOUNT"},
        {{{"amount", 50}}, "MINIMUM_AMOUNT_NOT_MET"},
        {{{"amount", 100301}}, "INSUFFICIENT_POINTS"},
        {{{"amount", 9223372036854775807LL}}, "INSUFFICIENT_POINTS"},
        {{{"amount", 18446744073709551615ULL}}, "INVALID_AMOUNT"},
        {{{"amount", 200}, {"order_id", foreign}}, "INVALID_ORDER"},
        {{{"amount", 200}, {"order_id", "x"}}, "INVALID_ORDER"},
        {{{"amount", 200}, {"description", std::string(256, 'd')}}, "INVALID_REQUEST"},
    };
    for (const auto& b : bad) {
      auto r = s.post("/api/points/use/", b.body);
      check_failure(r, b.code);
      CHECK_MESSAGE(r.body.contains("errors"), r.raw);
    }
    // The insufficient-balance message shows "100,300" but is not mistaken for a minimum (D17).
    auto insufficient = s.post("/api/points/use/", {{"amount", 100301}});
    CHECK(insufficient.body["message"].get<std::string>().find("100,300") != std::string::npos);
    CHECK(
        http_raw(*s.client, "POST", "/api/points/use/", "{", "application/json", s.token).status ==
        400);
    CHECK(http_raw(*s.client, "POST", "/api/points/use/", "\"500\"", "application/json", s.token)
              .status == 400);
    CHECK(s.points() == 100300);

    auto ok = s.post("/api/points/use/", {{"amount", 500}, {"description", "gift card"}});
    REQUIRE(ok.status == 200);
    CHECK(ok.body["success"] == true);
    CHECK(ok.body["data"]["used_amount"] == 500);
    CHECK(ok.body["data"]["remaining_points"] == 99800);
    REQUIRE(ok.body["data"]["used_details"].size() == 2);
    CHECK(ok.body["data"]["used_details"][0]["history_id"] == soon);
    CHECK(ok.body["data"]["used_details"][0]["amount"] == 300);
    CHECK(ok.body["data"]["used_details"][0]["expires_at"].get<std::string>().ends_with("+09:00"));
    CHECK(s.points() == 99800);
    CHECK(http(*s.client, "POST", "/api/points/use/", {{"amount", 500}}).status == 401);
    CHECK(violations(s.te).empty());
  }

  TEST_CASE("cancel: only what a canceled order of the caller used, once (D14)") {
    Server s;
    grant(s.te, s.user, 5000, 100);
    auto order = store(s.te).write([&](Db& db) -> Result<std::int64_t> {
      auto id = insert_order(db, s.user, 20000, 19000, "pending", s.te.clock.now());
      auto spent = shop::ledger::spend_fifo(db, s.user, 1000, id, "", s.te.clock.now());
      if (!spent) return spent.error();
      return id;
    });
    REQUIRE(order.is_ok());
    auto open_order = make_order(s.te, s.user, 1000, 1000, "confirmed");
    auto foreign = make_order(s.te, s.other, 1000, 1000, "canceled");
    set_order_status(s.te, *order, "canceled");
    s.start();
    CHECK(s.points() == 4000);

    auto body = [](std::int64_t order_id, json amount, json type = "cancel_refund") {
      return json{{"order_id", order_id}, {"amount", amount}, {"type", type}};
    };
    check_failure(s.post("/api/points/cancel/", body(*order, 1000000)), "INVALID_AMOUNT");
    check_failure(s.post("/api/points/cancel/", body(*order, 999)), "INVALID_AMOUNT");
    check_failure(s.post("/api/points/cancel/", body(*order, "1000")), "INVALID_AMOUNT");
    check_failure(s.post("/api/points/cancel/", body(*order, -1000)), "INVALID_AMOUNT");
    check_failure(s.post("/api/points/cancel/", body(*order, 1000, "refund")), "INVALID_TYPE");
    check_failure(s.post("/api/points/cancel/", body(*order, 1000, 7)), "INVALID_TYPE");
    check_failure(s.post("/api/points/cancel/", body(open_order, 1000)), "ORDER_NOT_CANCELED");
    check_failure(s.post("/api/points/cancel/", body(foreign, 1000)), "INVALID_ORDER");
    check_failure(s.post("/api/points/cancel/", body(99999999, 1000)), "INVALID_ORDER");
    check_failure(s.post("/api/points/cancel/", body(*order, 100, "cancel_deduct")),
                  "CANCEL_DEDUCT_FAILED");
    check_failure(s.post("/api/points/cancel/", {{"amount", 1000}, {"type", "cancel_refund"}}),
                  "INVALID_REQUEST");
    CHECK(s.points() == 4000);

    auto ok = s.post("/api/points/cancel/", body(*order, 1000));
    REQUIRE(ok.status == 200);
    CHECK(ok.body["success"] == true);
    CHECK(ok.body["data"] == json({{"processed_amount", 1000},
                                   {"remaining_points", 5000},
                                   {"type", "cancel_refund"},
                                   {"order_id", *order}}));
    check_failure(s.post("/api/points/cancel/", body(*order, 1000)), "CANCEL_REFUND_FAILED");
    CHECK(s.points() == 5000);
    auto refund_row = s.get("/api/points/history/?type=cancel_refund");
    REQUIRE(refund_row.body["results"].size() == 1);
    CHECK(refund_row.body["results"][0]["order"] == *order);
    CHECK(refund_row.body["results"][0]["order_number"].is_string());
    CHECK(refund_row.body["results"][0]["type_display"] == "취소 환불");
    CHECK(violations(s.te).empty());
  }

  TEST_CASE("notifications: expiry notices are listed, counted unread and marked read") {
    Server s;
    grant(s.te, s.user, 700, 3);
    REQUIRE(s.te->points().notify_expiring(s.te.clock.now()).is_ok());
    s.start();
    CHECK(http(*s.client, "GET", "/api/notifications/").status == 401);
    auto list = s.get("/api/notifications/");
    REQUIRE(list.status == 200);
    CHECK(list.body["count"] == 1);
    CHECK(list.body["next"].is_null());
    CHECK(list.body["previous"].is_null());
    REQUIRE(list.body["results"].size() == 1);
    const auto& n = list.body["results"][0];
    CHECK(n["notification_type"] == "point_expiring");
    CHECK(n["notification_type_display"] == "포인트 만료 예정");
    CHECK(n["is_read"] == false);
    CHECK(n["created_at_display"].is_string());
    CHECK(s.get("/api/notifications/", s.other_token).body["count"] == 0);
    auto unread = s.get("/api/notifications/unread/");
    CHECK(unread.body["count"] == 1);
    const auto id = n["id"].get<std::int64_t>();
    CHECK(s.get("/api/notifications/" + std::to_string(id) + "/", s.other_token).status == 404);
    auto detail = s.get("/api/notifications/" + std::to_string(id) + "/");
    REQUIRE(detail.status == 200);
    CHECK(detail.body["is_read"] == true);
    CHECK(detail.body["message"].get<std::string>().find("700") != std::string::npos);
    CHECK(s.get("/api/notifications/unread/").body["count"] == 0);
    CHECK(s.get("/api/notifications/?page=2").status == 404);
    CHECK(s.get("/api/notifications/?page=x").status == 404);
  }
}
