// HTTP tests for the auth and profile routes against a real shopd, plus the server-wide bad-input
// behaviour (malformed bodies, 401 shapes, 404/405/413).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include "shop/auth.h"
#include "shop/catalog.h"
#include "support/raw_http.h"
#include "support/test_support.h"

using shoptest::http;
using shoptest::http_raw;
using shoptest::json;

namespace {

// A database seeded through the engine (closed again before shopd opens it), and shopd on it.
struct Server {
  shoptest::TempDir dir;
  std::unique_ptr<shoptest::ShopdProcess> srv;
  std::unique_ptr<httplib::Client> c;

  explicit Server(const std::function<void(shop::Engine&)>& seed = {}) {
    {
      shop::EngineOptions o;
      o.db_path = dir.file("shop.db");
      o.password_iterations = 1000;
      o.jwt_secret = "test-secret";
      auto e = shop::Engine::open(o);
      REQUIRE(e.is_ok());
      if (seed) seed(**e);
    }
    srv = std::make_unique<shoptest::ShopdProcess>(dir.file("shop.db"));
    c = srv->client();
  }
};

void add_user(shop::Engine& e, const std::string& name, bool seller = false) {
  shop::NewUser u;
  u.username = name;
  u.email = name + "@example.com";
  u.password = "testpass123";
  u.is_seller = seller;
  auto id = e.auth().create_user(u);
  REQUIRE(id.is_ok());
}

void seed_users(shop::Engine& e) {
  add_user(e, "alice");
  add_user(e, "bobby");
}

std::string set_cookie(const shoptest::HttpResult& r) {
  std::string all;
  for (auto it = r.headers.find("Set-Cookie"); it != r.headers.end() && it->first == "Set-Cookie";
       ++it) {
    all += it->second + "\n";
  }
  return all;
}

json login(httplib::Client& c, const std::string& user, const std::string& pw = "testpass123") {
  auto r = http(c, "POST", "/api/auth/login/", {{"username", user}, {"password", pw}});
  REQUIRE(r.status == 200);
  return r.body;
}

bool is_field_error(const json& body, const std::string& field) {
  return body.is_object() && body.contains(field) && body[field].is_array() &&
         !body[field].empty() && body[field][0].is_string();
}

// One POST over a raw connection from `source_ip` (any 127.0.0.0/8 address works on Linux), so
// the server sees that peer address.
struct RawReply {
  int status = 0;  // 0: transport failure
  shoptest::RawConn::Response response;
  json body;
  std::string header(const std::string& name) const { return response.header(name); }
};

RawReply post_from(const char* source_ip, int port, const std::string& path, const json& body) {
  RawReply reply;
  shoptest::RawConn c(port, source_ip);
  const std::string payload = body.dump();
  if (!c.ok() ||
      !c.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
              "Content-Type: application/json\r\nContent-Length: " +
              std::to_string(payload.size()) + "\r\nConnection: close\r\n\r\n" + payload)) {
    return reply;
  }
  // A bound on a broken exchange only (a hung test would be worse); no assertion depends on it.
  auto r = c.read_response(30'000);
  if (!r) return reply;
  reply.status = r->status;
  reply.body = json::parse(r->body, nullptr, false);
  reply.response = std::move(*r);
  return reply;
}

}  // namespace

TEST_SUITE("auth http") {
  TEST_CASE("login: superset body, refresh cookie, and the access token works") {
    Server s(seed_users);
    auto r = http(*s.c, "POST", "/api/auth/login/",
                  {{"username", "alice"}, {"password", "testpass123"}});
    REQUIRE(r.status == 200);
    const json& b = r.body;
    CHECK(b["message"].is_string());
    CHECK(b["access"].is_string());
    CHECK(b["refresh"].is_string());
    CHECK(b["token"]["access"] == b["access"]);
    CHECK(b["token"]["refresh"] == b["refresh"]);
    CHECK(b["user"]["id"].is_number_integer());
    CHECK(b["user"]["username"] == "alice");
    CHECK(b["user"]["email"] == "alice@example.com");
    const std::string cookie = set_cookie(r);
    CHECK(cookie.find("refresh_token=" + b["refresh"].get<std::string>()) != std::string::npos);
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("Max-Age=604800") != std::string::npos);
    CHECK(cookie.find("SameSite=Lax") != std::string::npos);

    auto p = http(*s.c, "GET", "/api/users/profile/", nullptr, b["access"]);
    REQUIRE(p.status == 200);
    CHECK(p.body["id"] == b["user"]["id"]);
    CHECK(p.body["points"] == 0);
    CHECK(p.body["membership_level"] == "bronze");
    CHECK(p.body["birth_date"].is_null());
    CHECK(p.body["date_joined"].get<std::string>().ends_with("+09:00"));
    CHECK(p.body["last_login"].is_string());

    auto v = http(*s.c, "GET", "/api/auth/token/verify/", nullptr, b["access"]);
    REQUIRE(v.status == 200);
    CHECK(v.body["valid"] == true);
    CHECK(v.body["user"]["username"] == "alice");

    // A session cookie triggers the cart merge; its outcome never fails the login.
    auto with_session =
        http(*s.c, "POST", "/api/auth/login/", {{"username", "alice"}, {"password", "testpass123"}},
             "", {{"Cookie", "sessionid=abc123"}});
    CHECK(with_session.status == 200);
  }

  TEST_CASE("login errors: wrong credentials, missing and mistyped fields") {
    Server s(seed_users);
    auto wrong =
        http(*s.c, "POST", "/api/auth/login/", {{"username", "alice"}, {"password", "nope-nope"}});
    CHECK(wrong.status == 400);
    CHECK(is_field_error(wrong.body, "non_field_errors"));
    auto unknown =
        http(*s.c, "POST", "/api/auth/login/", {{"username", "zed"}, {"password", "testpass123"}});
    CHECK(unknown.status == 400);
    CHECK(unknown.body == wrong.body);
    auto missing = http(*s.c, "POST", "/api/auth/login/", {{"username", "alice"}});
    CHECK(missing.status == 400);
    CHECK(is_field_error(missing.body, "password"));
    auto typed = http(*s.c, "POST", "/api/auth/login/", {{"username", 42}, {"password", true}});
    CHECK(typed.status == 400);
    CHECK(is_field_error(typed.body, "username"));
    CHECK(is_field_error(typed.body, "password"));
  }

  TEST_CASE("register: 201 with tokens; duplicates and validation as DRF field errors") {
    Server s(seed_users);
    json body = {{"username", "newbie"},
                 {"email", "newbie@example.com"},
                 {"password", "Sh0pping!Mall"},
                 {"password2", "Sh0pping!Mall"},
                 {"phone_number", "010-1234-5678"}};
    auto r = http(*s.c, "POST", "/api/auth/register/", body);
    REQUIRE(r.status == 201);
    CHECK(r.body["user"]["username"] == "newbie");
    CHECK(r.body["token"]["access"].is_string());
    CHECK(set_cookie(r).find("refresh_token=") != std::string::npos);
    auto p = http(*s.c, "GET", "/api/users/profile/", nullptr, r.body["access"]);
    REQUIRE(p.status == 200);
    CHECK(p.body["is_email_verified"] == false);
    CHECK(p.body["phone_number"] == "010-1234-5678");

    auto dup = http(*s.c, "POST", "/api/auth/register/", body);
    CHECK(dup.status == 400);
    CHECK(is_field_error(dup.body, "username"));
    body["username"] = "other";
    body["email"] = "NEWBIE@example.com";
    dup = http(*s.c, "POST", "/api/auth/register/", body);
    CHECK(dup.status == 400);
    CHECK(is_field_error(dup.body, "email"));

    body["email"] = "other@example.com";
    body["password2"] = "different1!";
    auto mismatch = http(*s.c, "POST", "/api/auth/register/", body);
    CHECK(mismatch.status == 400);
    CHECK(is_field_error(mismatch.body, "password"));
    body["password"] = body["password2"] = "12345678";
    CHECK(is_field_error(http(*s.c, "POST", "/api/auth/register/", body).body, "password"));
    body["password"] = body["password2"] = "Sh0pping!Mall";
    body["username"] = std::string(151, 'u');
    auto overlong = http(*s.c, "POST", "/api/auth/register/", body);
    CHECK(overlong.status == 400);
    CHECK(is_field_error(overlong.body, "username"));
    body["username"] = "other";
    body["agree_marketing_email"] = "yes";
    body["phone_number"] = 1012345678;
    auto typed = http(*s.c, "POST", "/api/auth/register/", body);
    CHECK(typed.status == 400);
    CHECK(is_field_error(typed.body, "agree_marketing_email"));
    CHECK(is_field_error(typed.body, "phone_number"));
    auto empty = http(*s.c, "POST", "/api/auth/register/", json::object());
    CHECK(empty.status == 400);
    for (const char* f : {"username", "email", "password", "password2"}) {
      CHECK(is_field_error(empty.body, f));
    }
  }

  TEST_CASE("token refresh rotates; a rotated token is refused with token_not_valid") {
    Server s(seed_users);
    const json b = login(*s.c, "alice");
    const std::string refresh = b["refresh"];
    auto r = http(*s.c, "POST", "/api/auth/token/refresh/", nullptr, "",
                  {{"Cookie", "refresh_token=" + refresh}});
    REQUIRE(r.status == 200);
    CHECK(r.body["access"].is_string());
    CHECK(r.body["message"].is_string());
    const std::string next = r.body["refresh"];
    CHECK(next != refresh);
    CHECK(set_cookie(r).find("refresh_token=" + next) != std::string::npos);
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, r.body["access"]).status == 200);

    auto reuse = http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", refresh}});
    CHECK(reuse.status == 401);
    CHECK(reuse.body["code"] == "token_not_valid");
    CHECK(reuse.body["detail"].is_string());
    // No authentication classes on this endpoint: a bad Authorization header does not matter.
    auto body_ok =
        http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", next}}, "garbage.token.x");
    CHECK(body_ok.status == 200);
    auto missing = http(*s.c, "POST", "/api/auth/token/refresh/", json::object());
    CHECK(missing.status == 400);
    CHECK(missing.body["error"].is_string());
    auto junk = http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", "not-a-jwt"}});
    CHECK(junk.status == 401);
    CHECK(junk.body["code"] == "token_not_valid");
  }

  TEST_CASE("logout revokes the caller's refresh token only") {
    Server s(seed_users);
    const json a = login(*s.c, "alice");
    const json b = login(*s.c, "bobby");
    CHECK(http(*s.c, "POST", "/api/auth/logout/", {{"refresh", a["refresh"]}}).status == 401);
    auto foreign =
        http(*s.c, "POST", "/api/auth/logout/", {{"refresh", b["refresh"]}}, a["access"]);
    CHECK(foreign.status == 400);
    CHECK(foreign.body["error"].is_string());
    auto missing = http(*s.c, "POST", "/api/auth/logout/", json::object(), a["access"]);
    CHECK(missing.status == 400);
    CHECK(missing.body["error"].is_string());
    auto out = http(*s.c, "POST", "/api/auth/logout/", {{"refresh", a["refresh"]}}, a["access"]);
    REQUIRE(out.status == 200);
    CHECK(out.body["message"].is_string());
    CHECK(set_cookie(out).find("Max-Age=0") != std::string::npos);
    CHECK(http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", a["refresh"]}}).status ==
          401);
    CHECK(http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", b["refresh"]}}).status ==
          200);
  }

  TEST_CASE("401 shapes: missing token on protected, invalid token even on public endpoints") {
    Server s(seed_users);
    auto none = http(*s.c, "GET", "/api/users/profile/");
    CHECK(none.status == 401);
    CHECK(none.body["detail"].is_string());
    CHECK(none.headers.find("WWW-Authenticate") != none.headers.end());
    for (const char* token : {"None", "abc.def.ghi", "eyJhbGciOiJub25lIn0.e30."}) {
      CAPTURE(token);
      auto bad = http(*s.c, "GET", "/api/products/", nullptr, token);
      CHECK(bad.status == 401);
      CHECK(bad.body["code"] == "token_not_valid");
      CHECK(bad.body["messages"].is_array());
    }
    // Another scheme is ignored: anonymous.
    auto other = http(*s.c, "GET", "/api/products/", nullptr, "", {{"Authorization", "Token x"}});
    CHECK(other.status == 200);
    // A refresh token is not an access token.
    const json a = login(*s.c, "alice");
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, a["refresh"]).status == 401);
  }

  TEST_CASE("profile PUT/PATCH, password change and withdrawal") {
    Server s(seed_users);
    const json a = login(*s.c, "alice");
    const std::string t = a["access"];
    auto patch =
        http(*s.c, "PATCH", "/api/users/profile/",
             {{"first_name", "Alice"}, {"birth_date", "1999-12-31"}, {"points", 999999}}, t);
    REQUIRE(patch.status == 200);
    CHECK(patch.body["user"]["first_name"] == "Alice");
    CHECK(patch.body["user"]["birth_date"] == "1999-12-31");
    CHECK(patch.body["user"]["points"] == 0);  // read-only fields are ignored
    CHECK(patch.body["message"].is_string());
    auto put = http(*s.c, "PUT", "/api/users/profile/", {{"first_name", "A"}}, t);
    CHECK(put.status == 400);
    CHECK(is_field_error(put.body, "email"));
    auto dup = http(*s.c, "PATCH", "/api/users/profile/", {{"email", "bobby@example.com"}}, t);
    CHECK(dup.status == 400);
    CHECK(is_field_error(dup.body, "email"));
    auto bad_date = http(*s.c, "PATCH", "/api/users/profile/", {{"birth_date", "31/12/1999"}}, t);
    CHECK(bad_date.status == 400);
    CHECK(is_field_error(bad_date.body, "birth_date"));

    auto wrong_old = http(*s.c, "POST", "/api/users/password/change/",
                          {{"old_password", "x"},
                           {"new_password", "N3w!Passw0rd"},
                           {"new_password2", "N3w!Passw0rd"}},
                          t);
    CHECK(wrong_old.status == 400);
    CHECK(is_field_error(wrong_old.body, "old_password"));
    auto changed = http(*s.c, "POST", "/api/users/password/change/",
                        {{"old_password", "testpass123"},
                         {"new_password", "N3w!Passw0rd"},
                         {"new_password2", "N3w!Passw0rd"}},
                        t);
    CHECK(changed.status == 200);
    // The change revoked the old token: log in again with the new password.
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, t).status == 401);
    const std::string t2 = login(*s.c, "alice", "N3w!Passw0rd")["access"];

    auto no_pw = http(*s.c, "POST", "/api/users/withdraw/", json::object(), t2);
    CHECK(no_pw.status == 400);
    CHECK(no_pw.body["error"].is_string());
    auto bad_pw = http(*s.c, "POST", "/api/users/withdraw/", {{"password", "testpass123"}}, t2);
    CHECK(bad_pw.status == 400);
    CHECK(bad_pw.body["error"].is_string());
    auto gone = http(*s.c, "POST", "/api/users/withdraw/", {{"password", "N3w!Passw0rd"}}, t2);
    CHECK(gone.status == 200);
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, t2).status == 401);
    auto relogin = http(*s.c, "POST", "/api/auth/login/",
                        {{"username", "alice"}, {"password", "N3w!Passw0rd"}});
    CHECK(relogin.status == 400);
    CHECK(is_field_error(relogin.body, "non_field_errors"));
  }

  TEST_CASE("bad input never gives a 500: bodies, paths, methods, sizes") {
    Server s(seed_users);
    auto malformed = http_raw(*s.c, "POST", "/api/auth/login/", "{\"username\": ");
    CHECK(malformed.status == 400);
    CHECK(malformed.body["detail"].is_string());
    auto array = http_raw(*s.c, "POST", "/api/auth/login/", "[1, 2]");
    CHECK(array.status == 400);
    CHECK(is_field_error(array.body, "non_field_errors"));
    auto scalar = http_raw(*s.c, "POST", "/api/auth/register/", "\"hello\"");
    CHECK(scalar.status == 400);
    auto binary = http_raw(*s.c, "POST", "/api/auth/login/", std::string("\xff\xfe\x00{", 4));
    CHECK(binary.status == 400);
    auto huge_number = http_raw(*s.c, "POST", "/api/auth/login/",
                                "{\"username\": 1e999999, \"password\": 99999999999999999999999}");
    CHECK(huge_number.status == 400);

    auto unknown = http(*s.c, "GET", "/api/nothing/here/");
    CHECK(unknown.status == 404);
    CHECK(unknown.body["detail"].is_string());
    CHECK(http(*s.c, "GET", "/api/products/abc/").status == 404);
    CHECK(http(*s.c, "GET", "/api/products/-1/").status == 404);
    CHECK(http(*s.c, "GET", "/api/products/99999999999999999999999/").status == 404);
    auto method = http(*s.c, "DELETE", "/api/auth/login/");
    CHECK(method.status == 405);
    CHECK(method.body["detail"].is_string());
    CHECK(http(*s.c, "GET", "/api/auth/login/").status == 405);
    CHECK(http(*s.c, "GET", "/api/products").status == 301);

    const std::string big(2 * 1024 * 1024, 'x');
    auto too_big = http_raw(*s.c, "POST", "/api/auth/login/", "{\"username\": \"" + big + "\"}");
    CHECK(too_big.status == 413);
    // The server is still fine afterwards.
    auto c2 = s.srv->client();
    CHECK(
        http(*c2, "POST", "/api/auth/login/", {{"username", "alice"}, {"password", "testpass123"}})
            .status == 200);
  }
  TEST_CASE("password change: earlier access and refresh tokens get 401 afterwards") {
    Server s(seed_users);
    const json a1 = login(*s.c, "alice");
    const json a2 = login(*s.c, "alice");
    const json b = login(*s.c, "bobby");
    auto changed = http(*s.c, "POST", "/api/users/password/change/",
                        {{"old_password", "testpass123"},
                         {"new_password", "N3w!Passw0rd"},
                         {"new_password2", "N3w!Passw0rd"}},
                        a1["access"]);
    REQUIRE(changed.status == 200);
    for (const json* session : {&a1, &a2}) {
      auto old_access = http(*s.c, "GET", "/api/users/profile/", nullptr, (*session)["access"]);
      CHECK(old_access.status == 401);
      CHECK(old_access.body["code"] == "token_not_valid");
      auto old_refresh =
          http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", (*session)["refresh"]}});
      CHECK(old_refresh.status == 401);
      CHECK(old_refresh.body["code"] == "token_not_valid");
    }
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, b["access"]).status == 200);
    const json fresh = login(*s.c, "alice", "N3w!Passw0rd");
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, fresh["access"]).status == 200);
    CHECK(http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", fresh["refresh"]}}).status ==
          200);
  }

  TEST_CASE("logout: the access token it was called with gets 401; other sessions keep working") {
    Server s(seed_users);
    const json first = login(*s.c, "alice");
    const json second = login(*s.c, "alice");
    auto out =
        http(*s.c, "POST", "/api/auth/logout/", {{"refresh", first["refresh"]}}, first["access"]);
    REQUIRE(out.status == 200);
    auto after = http(*s.c, "GET", "/api/users/profile/", nullptr, first["access"]);
    CHECK(after.status == 401);
    CHECK(after.body["code"] == "token_not_valid");
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, second["access"]).status == 200);
    CHECK(http(*s.c, "POST", "/api/auth/token/refresh/", {{"refresh", second["refresh"]}}).status ==
          200);
    // A restart keeps the deny list.
    s.srv.reset();
    s.srv = std::make_unique<shoptest::ShopdProcess>(s.dir.file("shop.db"));
    s.c = s.srv->client();
    CHECK(http(*s.c, "GET", "/api/users/profile/", nullptr, first["access"]).status == 401);
  }

  TEST_CASE("login storm from one address: it gets 429 + Retry-After, another address logs in") {
    // The server's dummy verify for unknown usernames costs 1000 iterations (test_support), so the
    // storm is fast; the per-address budget (10 failures by default) is what stops it.
    Server s([](shop::Engine& e) {
      shop::NewUser u;
      u.username = "realuser";
      u.email = "real@example.com";
      u.password = "testpass123";
      u.password_iterations = 1000;
      REQUIRE(e.auth().create_user(u).is_ok());
    });
    const int port = s.srv->port();
    const auto storm_start = std::chrono::steady_clock::now();
    constexpr int kAttackers = 4;
    constexpr int kMaxAttempts = 200;  // per attacker thread, in case the real login never ends
    std::atomic<int> bad_credentials{0}, limited{0}, other{0};
    std::atomic<bool> limited_reply_ok{true};
    std::atomic<bool> real_done{false};
    std::vector<std::thread> attackers;
    for (int t = 0; t < kAttackers; ++t) {
      attackers.emplace_back([&, t] {
        for (int i = 0; i < kMaxAttempts && !real_done; ++i) {
          auto r = post_from("127.0.0.2", port, "/api/auth/login/",
                             {{"username", "ghost" + std::to_string(t) + "_" + std::to_string(i)},
                              {"password", "whatever123"}});
          if (r.status == 400) {
            ++bad_credentials;
          } else if (r.status == 429) {
            const std::string retry = r.header("Retry-After");
            if (retry.empty() || std::atoi(retry.c_str()) < 1 || !r.body.is_object() ||
                !r.body["detail"].is_string() || r.body["code"] != "RATE_LIMITED") {
              limited_reply_ok = false;
            }
            ++limited;
          } else {
            ++other;
          }
        }
      });
    }
    // The real user logs in from 127.0.0.3 once the attacker is being refused, storm still on.
    while (limited.load() == 0 && other.load() == 0 &&
           bad_credentials.load() < kAttackers * kMaxAttempts) {
      std::this_thread::yield();
    }
    auto real = post_from("127.0.0.3", port, "/api/auth/login/",
                          {{"username", "realuser"}, {"password", "testpass123"}});
    real_done = true;
    for (auto& t : attackers) t.join();
    CHECK(real.status == 200);
    CHECK(real.body["access"].is_string());
    CHECK(other.load() == 0);
    CHECK(limited.load() > 0);
    CHECK(limited_reply_ok.load());
    // The budget is 10; attempts already past the check when the 10th failure lands may add
    // one each per attacker thread, and shopd's real clock gives one token back per 15 s.
    const auto storm_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::steady_clock::now() - storm_start)
                                   .count();
    CHECK(bad_credentials.load() <= 10 + kAttackers + storm_seconds / 15);
    // The attacker's address is refused even with the right password; 127.0.0.3 is not.
    CHECK(post_from("127.0.0.2", port, "/api/auth/login/",
                    {{"username", "realuser"}, {"password", "testpass123"}})
              .status == 429);
    CHECK(post_from("127.0.0.3", port, "/api/auth/login/",
                    {{"username", "realuser"}, {"password", "testpass123"}})
              .status == 200);
  }
}
