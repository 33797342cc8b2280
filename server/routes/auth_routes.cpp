// /api/auth/ and /api/users/ — register, login, logout, token refresh/verify, profile, password
// change, withdrawal (contract §1c).
#include "routes/routes.h"
#include "shop/cart.h"

namespace shopd {

namespace {

constexpr size_t kMaxPasswordChars = 4096;

// Login is served over plain http on loopback by default, so the cookie is not `Secure` (the
// reference adds Secure only outside DEBUG).
void set_refresh_cookie(httplib::Response& res, const std::string& token) {
  res.set_header("Set-Cookie",
                 "refresh_token=" + token + "; HttpOnly; Max-Age=604800; SameSite=Lax; Path=/");
}

void delete_refresh_cookie(httplib::Response& res) {
  res.set_header("Set-Cookie",
                 "refresh_token=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
}

// First X-Forwarded-For entry, else the peer address: what the reference records as
// last_login_ip. Only recorded, never trusted: the per-address login limits use the peer address.
std::string recorded_client_ip(const httplib::Request& req) {
  std::string forwarded = req.get_header_value("X-Forwarded-For");
  if (!forwarded.empty()) {
    forwarded = forwarded.substr(0, forwarded.find(','));
    const size_t b = forwarded.find_first_not_of(' ');
    const size_t e = forwarded.find_last_not_of(' ');
    if (b != std::string::npos) return forwarded.substr(b, e - b + 1);
  }
  return req.remote_addr;
}

// Validation errors as DRF field errors; back-pressure and rate limits as {"detail"} +
// Retry-After.
void reply_auth_error(httplib::Response& res, const shop::Error& e) {
  reply_error(res, e,
              e.code == shop::ErrorCode::kUnavailable || e.code == shop::ErrorCode::kRateLimited ||
                      e.code == shop::ErrorCode::kNotFound
                  ? ErrorShape::kDetail
                  : ErrorShape::kField);
}

json profile_json(const Api& api, const shop::Profile& p) {
  return {{"id", p.id},
          {"username", p.username},
          {"email", p.email},
          {"first_name", p.first_name},
          {"last_name", p.last_name},
          {"phone_number", p.phone_number},
          {"birth_date", p.birth_date ? json(*p.birth_date) : json(nullptr)},
          {"postal_code", p.postal_code},
          {"address", p.address},
          {"address_detail", p.address_detail},
          {"membership_level", p.membership_level},
          {"points", p.points},
          {"is_email_verified", p.is_email_verified},
          {"email_verification_pending", p.email_verification_pending},
          {"is_phone_verified", p.is_phone_verified},
          {"agree_marketing_email", p.agree_marketing_email},
          {"agree_marketing_sms", p.agree_marketing_sms},
          {"date_joined", format_time(api, p.date_joined)},
          {"last_login", time_or_null(api, p.last_login)}};
}

// The superset body every Locust file can read: top-level access/refresh and user.id (D19).
json session_json(const std::string& message, const shop::Session& s) {
  return {{"message", message},
          {"access", s.tokens.access},
          {"refresh", s.tokens.refresh},
          {"user", {{"id", s.user.id}, {"username", s.user.username}, {"email", s.user.email}}},
          {"token", {{"access", s.tokens.access}, {"refresh", s.tokens.refresh}}}};
}

// The refresh token from the `refresh_token` cookie (preferred) or the body's `refresh`. Replies
// 400 {"error"} when neither is there (or the body is malformed).
std::optional<std::string> refresh_token_from(const httplib::Request& req, httplib::Response& res) {
  if (auto c = cookie(req, "refresh_token"); c && !c->empty() && *c != "\"\"") return c;
  auto body = parse_object(req, res);
  if (!body) return std::nullopt;
  if (body->contains("refresh") && (*body)["refresh"].is_string() &&
      !(*body)["refresh"].get<std::string>().empty()) {
    return (*body)["refresh"].get<std::string>();
  }
  reply_json(res, 400, {{"error", "Refresh token이 필요합니다."}});
  return std::nullopt;
}

void register_user(const Api& api, const httplib::Request& req, httplib::Response& res) {
  if (authenticate(api, req, res).replied) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  shop::NewUser u;
  auto username = f.string("username", true, 150);
  auto email = f.string("email", true, 254);
  auto password = f.string("password", true, kMaxPasswordChars);
  auto password2 = f.string("password2", true, kMaxPasswordChars);
  u.first_name = f.string("first_name", false, 150, true).value_or("");
  u.last_name = f.string("last_name", false, 150, true).value_or("");
  u.phone_number = f.string("phone_number", false, 15, true).value_or("");
  u.birth_date = f.string("birth_date", false, 10);
  u.postal_code = f.string("postal_code", false, 10, true).value_or("");
  u.address = f.string("address", false, 255, true).value_or("");
  u.address_detail = f.string("address_detail", false, 255, true).value_or("");
  u.agree_marketing_email = f.boolean("agree_marketing_email", false).value_or(false);
  u.agree_marketing_sms = f.boolean("agree_marketing_sms", false).value_or(false);
  if (f.reply_if_errors(res)) return;
  u.username = *username;
  u.email = *email;
  u.password = *password;
  u.password_confirm = *password2;
  auto session = api.engine.auth().register_user(u);
  if (!session) return reply_auth_error(res, session.error());
  set_refresh_cookie(res, session->tokens.refresh);
  reply_json(res, 201,
             session_json("회원가입이 완료되었습니다. 이메일 인증을 진행해주세요.", *session));
}

void login(const Api& api, const httplib::Request& req, httplib::Response& res) {
  if (authenticate(api, req, res).replied) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  auto username = f.string("username", true, 150);
  auto password = f.string("password", true, kMaxPasswordChars, true);
  if (f.reply_if_errors(res)) return;
  auto session =
      api.engine.auth().login(*username, *password, req.remote_addr, recorded_client_ip(req));
  if (!session) return reply_auth_error(res, session.error());
  // Merge the anonymous session cart into the user's; a failure must not fail the login.
  if (auto session_key = cookie(req, "sessionid"); session_key && !session_key->empty()) {
    (void)api.engine.carts().merge_session_cart(*session_key, session->user.id);
  }
  set_refresh_cookie(res, session->tokens.refresh);
  reply_json(res, 200, session_json("로그인 성공", *session));
}

void logout(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto token = refresh_token_from(req, res);
  if (!token) return;
  auto st = api.engine.auth().logout(*user, *token);
  if (!st) return reply_error(res, st.error(), ErrorShape::kError);
  delete_refresh_cookie(res);
  reply_json(res, 200, {{"message", "로그아웃되었습니다."}});
}

// No authentication classes here (as in the reference): only the refresh token counts.
void refresh(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto token = refresh_token_from(req, res);
  if (!token) return;
  auto pair = api.engine.auth().refresh(*token);
  if (!pair) return reply_error(res, pair.error(), ErrorShape::kDetail);
  set_refresh_cookie(res, pair->refresh);
  reply_json(res, 200,
             {{"access", pair->access},
              {"refresh", pair->refresh},
              {"message", "토큰이 갱신되었습니다."}});
}

void verify(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto profile = api.engine.auth().profile(user->user_id);
  if (!profile) return reply_error(res, profile.error(), ErrorShape::kDetail);
  reply_json(
      res, 200,
      {{"valid", true}, {"user", profile_json(api, *profile)}, {"message", "유효한 토큰입니다."}});
}

void get_profile(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto profile = api.engine.auth().profile(user->user_id);
  if (!profile) return reply_error(res, profile.error(), ErrorShape::kDetail);
  reply_json(res, 200, profile_json(api, *profile));
}

void update_profile(const Api& api, const httplib::Request& req, httplib::Response& res,
                    bool partial) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  shop::ProfileUpdate u;
  u.email = f.string("email", !partial, 254);
  u.first_name = f.string("first_name", false, 150, true);
  u.last_name = f.string("last_name", false, 150, true);
  u.phone_number = f.string("phone_number", false, 15, true);
  if (body->contains("birth_date")) {
    if ((*body)["birth_date"].is_null()) {
      u.birth_date = std::optional<std::string>();
    } else if (auto d = f.string("birth_date", false, 10)) {
      u.birth_date = d;
    }
  }
  u.postal_code = f.string("postal_code", false, 10, true);
  u.address = f.string("address", false, 255, true);
  u.address_detail = f.string("address_detail", false, 255, true);
  u.agree_marketing_email = f.boolean("agree_marketing_email", false);
  u.agree_marketing_sms = f.boolean("agree_marketing_sms", false);
  if (f.reply_if_errors(res)) return;
  auto profile = api.engine.auth().update_profile(user->user_id, u, partial);
  if (!profile) return reply_auth_error(res, profile.error());
  reply_json(res, 200,
             {{"user", profile_json(api, *profile)}, {"message", "프로필이 수정되었습니다."}});
}

void change_password(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  auto old_password = f.string("old_password", true, kMaxPasswordChars, true);
  auto new_password = f.string("new_password", true, kMaxPasswordChars);
  auto new_password2 = f.string("new_password2", true, kMaxPasswordChars);
  if (f.reply_if_errors(res)) return;
  auto st = api.engine.auth().change_password(user->user_id, *old_password, *new_password,
                                              *new_password2);
  if (!st) return reply_auth_error(res, st.error());
  reply_json(res, 200, {{"message", "비밀번호가 변경되었습니다."}});
}

void withdraw(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  const json& pw = body->contains("password") ? (*body)["password"] : json();
  if (!pw.is_string() || pw.get<std::string>().empty()) {
    return reply_json(res, 400, {{"error", "비밀번호를 입력해주세요."}});
  }
  auto st = api.engine.auth().withdraw(user->user_id, pw.get<std::string>());
  if (!st) {
    const bool back_pressure = st.error().code == shop::ErrorCode::kUnavailable ||
                               st.error().code == shop::ErrorCode::kRateLimited;
    return reply_error(res, st.error(), back_pressure ? ErrorShape::kDetail : ErrorShape::kError);
  }
  delete_refresh_cookie(res);
  reply_json(res, 200, {{"message", "회원 탈퇴가 완료되었습니다."}});
}

template <typename F>
RouteHandler handler(const Api* api, F f) {
  return guarded([api, f](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
    f(*api, req, res);
  });
}

}  // namespace

void register_auth_routes(Router& router, Api& api) {
  const Api* a = &api;
  router.add("POST", "/api/auth/register/", handler(a, register_user));
  router.add("POST", "/api/auth/login/", handler(a, login));
  router.add("POST", "/api/auth/logout/", handler(a, logout));
  router.add("POST", "/api/auth/token/refresh/", handler(a, refresh));
  router.add("GET", "/api/auth/token/verify/", handler(a, verify));
  router.add("GET", "/api/users/profile/", handler(a, get_profile));
  router.add("PUT", "/api/users/profile/",
             handler(a, [](const Api& x, const httplib::Request& req, httplib::Response& res) {
               update_profile(x, req, res, false);
             }));
  router.add("PATCH", "/api/users/profile/",
             handler(a, [](const Api& x, const httplib::Request& req, httplib::Response& res) {
               update_profile(x, req, res, true);
             }));
  router.add("POST", "/api/users/password/change/", handler(a, change_password));
  router.add("POST", "/api/users/withdraw/", handler(a, withdraw));
}

}  // namespace shopd
