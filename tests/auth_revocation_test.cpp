// Token revocation (issue 9 B): the per-user token generation (password change, withdrawal,
// revoke_all_tokens_in) and the logout deny list of access tokens, persisted across a reopen.
#include <doctest/doctest.h>

#include "auth/crypto.h"
#include "auth/jwt.h"
#include "auth/users_db.h"
#include "engine_context.h"
#include "shop/auth.h"
#include "store/store.h"
#include "support/test_support.h"

using shop::ErrorCode;
using shop::Result;
using shop::store::Db;

namespace {

constexpr const char* kPassword = "Sh0pping!Mall";
constexpr const char* kSecret = "test-secret";

// An engine that can be closed and reopened on the same file and clock.
struct ReopenableEngine {
  shoptest::TempDir dir;
  shop::ManualClock clock{shoptest::kTestEpoch};
  std::unique_ptr<shop::Engine> engine;
  ReopenableEngine() { open(); }
  void open() {
    engine.reset();
    shop::EngineOptions o;
    o.db_path = dir.file("shop.db");
    o.clock = &clock;
    o.password_iterations = 1000;
    o.order_workers = 0;
    o.jwt_secret = kSecret;
    auto e = shop::Engine::open(o);
    REQUIRE(e.is_ok());
    engine = std::move(*e);
  }
  shop::Auth& auth() { return engine->auth(); }
  std::int64_t count(const std::string& sql) {
    auto r = engine->context().store->read(
        [&](Db& db) -> Result<std::int64_t> { return db.scalar_int(sql); });
    REQUIRE(r.is_ok());
    return *r;
  }
};

std::int64_t add_user(shop::Auth& auth, const std::string& name) {
  shop::NewUser u;
  u.username = name;
  u.email = name + "@example.com";
  u.password = kPassword;
  auto id = auth.create_user(u);
  REQUIRE(id.is_ok());
  return *id;
}

shop::Session login(shop::Auth& auth, const std::string& name, const char* pw = kPassword) {
  auto s = auth.login(name, pw, "");
  REQUIRE(s.is_ok());
  return std::move(*s);
}

std::int64_t generation_of(const std::string& token, shop::jwt::TokenType type,
                           std::int64_t now_seconds) {
  auto claims = shop::jwt::verify(token, kSecret, now_seconds, type);
  REQUIRE(claims.is_ok());
  return claims->generation;
}

}  // namespace

TEST_SUITE("auth revocation") {
  TEST_CASE("change_password revokes every earlier access and refresh token of the user") {
    ReopenableEngine re;
    add_user(re.auth(), "alice");
    const auto bob = add_user(re.auth(), "bobby");
    const auto s1 = login(re.auth(), "alice");
    const auto s2 = login(re.auth(), "alice");
    const auto other = login(re.auth(), "bobby");
    const auto who = re.auth().authenticate(s1.tokens.access);
    REQUIRE(who.is_ok());
    REQUIRE(
        re.auth().change_password(who->user_id, kPassword, "N3w!Passw0rd", "N3w!Passw0rd").is_ok());

    for (const auto* s : {&s1, &s2}) {
      auto access = re.auth().authenticate(s->tokens.access);
      REQUIRE_FALSE(access.is_ok());
      CHECK(access.error().code == ErrorCode::kUnauthenticated);
      CHECK(access.error().reason == "token_not_valid");
      auto refresh = re.auth().refresh(s->tokens.refresh);
      REQUIRE_FALSE(refresh.is_ok());
      CHECK(refresh.error().reason == "token_not_valid");
    }
    // Another user's session is untouched; the new password's session works and carries gen 1.
    CHECK(re.auth().authenticate(other.tokens.access).is_ok());
    const auto fresh = login(re.auth(), "alice", "N3w!Passw0rd");
    CHECK(re.auth().authenticate(fresh.tokens.access).is_ok());
    const std::int64_t now_s = re.clock.now() / shop::kMicrosPerSecond;
    CHECK(generation_of(fresh.tokens.access, shop::jwt::TokenType::kAccess, now_s) == 1);
    CHECK(generation_of(fresh.tokens.refresh, shop::jwt::TokenType::kRefresh, now_s) == 1);
    auto rotated = re.auth().refresh(fresh.tokens.refresh);
    REQUIRE(rotated.is_ok());
    CHECK(generation_of(rotated->access, shop::jwt::TokenType::kAccess, now_s) == 1);
    CHECK(re.count("SELECT count(*) FROM refresh_tokens WHERE user_id = " +
                   std::to_string(who->user_id) + " AND revoked = 0") == 1);
    (void)bob;
  }

  TEST_CASE("revoke_all_tokens_in (for password reset) and withdraw raise the generation") {
    ReopenableEngine re;
    const auto alice = add_user(re.auth(), "alice");
    const auto s = login(re.auth(), "alice");
    auto st = re.engine->context().store->write([&](Db& db) -> shop::Status {
      shop::auth::revoke_all_tokens_in(db, alice);
      return shop::Status::ok();
    });
    REQUIRE(st.is_ok());
    CHECK_FALSE(re.auth().authenticate(s.tokens.access).is_ok());
    CHECK_FALSE(re.auth().refresh(s.tokens.refresh).is_ok());
    const auto next = login(re.auth(), "alice");
    CHECK(re.auth().authenticate(next.tokens.access).is_ok());
    CHECK(re.count("SELECT token_generation FROM users WHERE id = " + std::to_string(alice)) == 1);
    REQUIRE(re.auth().withdraw(alice, kPassword).is_ok());
    CHECK(re.count("SELECT token_generation FROM users WHERE id = " + std::to_string(alice)) == 2);
    CHECK_FALSE(re.auth().refresh(next.tokens.refresh).is_ok());
  }

  TEST_CASE("tokens without a gen claim (issued before generations) count as generation 0") {
    ReopenableEngine re;
    const auto alice = add_user(re.auth(), "alice");
    const std::int64_t now_s = re.clock.now() / shop::kMicrosPerSecond;
    // Exactly what an earlier build (or simplejwt) signed: no gen claim.
    const std::string payload = R"({"token_type":"access","exp":)" + std::to_string(now_s + 600) +
                                R"(,"iat":)" + std::to_string(now_s) +
                                R"(,"jti":"0123456789abcdef0123456789abcdef","user_id":")" +
                                std::to_string(alice) + R"("})";
    std::string legacy = shop::crypto::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                         shop::crypto::base64url_encode(payload);
    legacy += "." + shop::crypto::base64url_encode(shop::crypto::hmac_sha256(kSecret, legacy));
    CHECK(re.auth().authenticate(legacy).is_ok());
    REQUIRE(re.auth().change_password(alice, kPassword, "N3w!Passw0rd", "N3w!Passw0rd").is_ok());
    CHECK_FALSE(re.auth().authenticate(legacy).is_ok());
  }

  TEST_CASE("jwt: the gen claim round-trips, is omitted at 0, and must be a non-negative integer") {
    const std::int64_t now = 1'700'000'000;
    auto claims = shop::jwt::make_claims(shop::jwt::TokenType::kAccess, 5, now, 600, 3);
    auto back = shop::jwt::verify(shop::jwt::sign(claims, kSecret), kSecret, now,
                                  shop::jwt::TokenType::kAccess);
    REQUIRE(back.is_ok());
    CHECK(back->generation == 3);
    claims.generation = 0;
    const std::string zero = shop::jwt::sign(claims, kSecret);
    const auto body = shop::crypto::base64url_decode(
        std::string_view(zero).substr(zero.find('.') + 1, zero.rfind('.') - zero.find('.') - 1));
    REQUIRE(body);
    CHECK(body->find("gen") == std::string::npos);
    for (const char* gen : {"-1", "\"1\"", "1.5", "null"}) {
      CAPTURE(gen);
      std::string token = shop::crypto::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                          shop::crypto::base64url_encode(
                              R"({"token_type":"access","exp":1700000600,"iat":1700000000,)"
                              R"("jti":"abc","user_id":"5","gen":)" +
                              std::string(gen) + "}");
      token += "." + shop::crypto::base64url_encode(shop::crypto::hmac_sha256(kSecret, token));
      CHECK_FALSE(shop::jwt::verify(token, kSecret, now, shop::jwt::TokenType::kAccess).is_ok());
    }
  }

  TEST_CASE("logout denies its access token; the user's other sessions keep working") {
    ReopenableEngine re;
    add_user(re.auth(), "alice");
    const auto s1 = login(re.auth(), "alice");
    const auto s2 = login(re.auth(), "alice");
    const auto caller = re.auth().authenticate(s1.tokens.access);
    REQUIRE(caller.is_ok());
    CHECK_FALSE(caller->token_id.empty());
    REQUIRE(re.auth().logout(*caller, s1.tokens.refresh).is_ok());
    auto denied = re.auth().authenticate(s1.tokens.access);
    REQUIRE_FALSE(denied.is_ok());
    CHECK(denied.error().reason == "token_not_valid");
    CHECK_FALSE(re.auth().refresh(s1.tokens.refresh).is_ok());
    CHECK(re.auth().authenticate(s2.tokens.access).is_ok());
    CHECK(re.auth().refresh(s2.tokens.refresh).is_ok());

    // A failed logout (refresh token already revoked) denies nothing.
    const auto s3 = login(re.auth(), "alice");
    auto third = re.auth().authenticate(s3.tokens.access);
    REQUIRE(third.is_ok());
    CHECK_FALSE(re.auth().logout(*third, s1.tokens.refresh).is_ok());
    CHECK(re.auth().authenticate(s3.tokens.access).is_ok());
  }

  TEST_CASE("the deny list survives a reopen; expired entries are pruned") {
    ReopenableEngine re;
    add_user(re.auth(), "alice");
    const auto s1 = login(re.auth(), "alice");
    const auto s2 = login(re.auth(), "alice");
    auto caller = re.auth().authenticate(s1.tokens.access);
    REQUIRE(caller.is_ok());
    REQUIRE(re.auth().logout(*caller, s1.tokens.refresh).is_ok());
    CHECK(re.count("SELECT count(*) FROM revoked_access_tokens") == 1);

    re.open();  // a restart
    CHECK_FALSE(re.auth().authenticate(s1.tokens.access).is_ok());
    CHECK(re.auth().authenticate(s2.tokens.access).is_ok());

    // Once s1's access token has expired its row is useless and the next logout drops it.
    re.clock.advance(31 * 60 * shop::kMicrosPerSecond);
    const auto s3 = login(re.auth(), "alice");
    caller = re.auth().authenticate(s3.tokens.access);
    REQUIRE(caller.is_ok());
    REQUIRE(re.auth().logout(*caller, s3.tokens.refresh).is_ok());
    CHECK(re.count("SELECT count(*) FROM revoked_access_tokens") == 1);
    CHECK_FALSE(re.auth().authenticate(s3.tokens.access).is_ok());
    re.open();
    CHECK_FALSE(re.auth().authenticate(s3.tokens.access).is_ok());
  }
}
