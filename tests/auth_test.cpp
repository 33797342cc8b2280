// Engine tests for shop::Auth: accounts, validators, login, token rotation, profile, withdrawal,
// and the KDF admission gate.
#include "shop/auth.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "auth/kdf_gate.h"
#include "auth/password.h"
#include "auth/validators.h"
#include "engine_context.h"
#include "store/store.h"
#include "support/test_support.h"

using shop::ErrorCode;
using shop::NewUser;
using shop::Result;
using shop::store::Db;

namespace {

NewUser user_named(const std::string& name) {
  NewUser u;
  u.username = name;
  u.email = name + "@example.com";
  u.password = "Sh0pping!Mall";
  return u;
}

std::int64_t make_user(shoptest::TestEngine& te, const std::string& name) {
  auto id = te->auth().create_user(user_named(name));
  REQUIRE_MESSAGE(id.is_ok(), (id.is_ok() ? "" : id.error().message));
  return *id;
}

std::string field_of(const shop::Status& st) {
  return st.is_ok() ? "" : st.error().field;
}
template <typename T>
std::string field_of(const Result<T>& r) {
  return r.is_ok() ? "" : r.error().field;
}

std::string column_text(shoptest::TestEngine& te, const std::string& sql) {
  auto r = te->context().store->read([&](Db& db) -> Result<std::string> {
    auto& q = db.stmt(sql);
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::string("<null>");
    return q.getColumn(0).getString();
  });
  REQUIRE(r.is_ok());
  return *r;
}

// Flips one character in the signature part of a JWT.
std::string tampered(std::string token) {
  char& c = token[token.size() - 5];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

}  // namespace

TEST_SUITE("auth") {
  TEST_CASE("create_user validates like Django and refuses duplicates") {
    shoptest::TestEngine te;
    auto& auth = te->auth();
    CHECK(auth.create_user(user_named("alice")).is_ok());

    auto u = user_named("bob");
    u.username = "bad name!";
    CHECK(field_of(auth.create_user(u)) == "username");
    u.username = std::string(151, 'a');
    CHECK(field_of(auth.create_user(u)) == "username");
    u.username = "b.o@b+-_";  // every allowed symbol
    CHECK(auth.create_user(u).is_ok());

    u = user_named("carol");
    u.email = "not-an-email";
    CHECK(field_of(auth.create_user(u)) == "email");
    u.email = "ALICE@Example.COM";  // same address as alice's, other case
    auto dup = auth.create_user(u);
    REQUIRE_FALSE(dup.is_ok());
    CHECK(dup.error().field == "email");
    CHECK(dup.error().reason == "DUPLICATE");

    u = user_named("alice");
    u.email = "alice2@example.com";
    dup = auth.create_user(u);
    REQUIRE_FALSE(dup.is_ok());
    CHECK(dup.error().field == "username");

    u = user_named("dave");
    for (const char* weak : {"short1!", "12345678901", "password123", "Dave@example"}) {
      u.password = weak;
      CAPTURE(weak);
      CHECK(field_of(auth.create_user(u)) == "password");
    }
    u.password = "Sh0pping!Mall";
    u.password_confirm = "Sh0pping!Mall2";
    CHECK(field_of(auth.create_user(u)) == "password");
    u.password_confirm.reset();
    u.phone_number = "01012345678";
    CHECK(field_of(auth.create_user(u)) == "phone_number");
    u.phone_number = "010-1234-5678";
    u.birth_date = "1990-02-30";
    CHECK(field_of(auth.create_user(u)) == "birth_date");
    u.birth_date = "1990-02-28";
    u.membership_level = "platinum";
    CHECK(field_of(auth.create_user(u)) == "membership_level");
    u.membership_level = "gold";
    auto id = auth.create_user(u);
    REQUIRE(id.is_ok());
    auto p = auth.profile(*id);
    REQUIRE(p.is_ok());
    CHECK(p->membership_level == "gold");
    CHECK(p->phone_number == "010-1234-5678");
    CHECK(p->birth_date == "1990-02-28");
    CHECK_FALSE(p->is_email_verified);
  }

  TEST_CASE("password validators individually") {
    using shop::auth::password_problem;
    shop::auth::UserAttributes who{"minsu", "minsu@example.com", "", ""};
    CHECK(password_problem("Sh0pping!Mall", who) == std::nullopt);
    CHECK(password_problem("testpass123", who) == std::nullopt);  // the load tests' password
    CHECK(password_problem("abc", who).has_value());              // too short
    CHECK(password_problem("qwerty123", who).has_value());        // common
    CHECK(password_problem("938475610293", who).has_value());     // all numeric
    CHECK(password_problem("minsu1234", who).has_value());        // similar to the username
    CHECK(password_problem("Minsu@example", who).has_value());    // similar to the e-mail
  }

  TEST_CASE("email and username syntax") {
    using shop::auth::valid_email;
    using shop::auth::valid_username;
    CHECK(valid_email("a.b+c@sub.example.co.kr"));
    CHECK(valid_email("user@localhost"));
    for (const char* bad : {"", "a@", "@b.com", "a b@c.com", "a..b@c.com", "a@b", "a@b.1",
                            "a@-b.com", "a@b..com", ".a@b.com"}) {
      CAPTURE(bad);
      CHECK_FALSE(valid_email(bad));
    }
    CHECK(valid_username("홍길동_01"));
    CHECK_FALSE(valid_username(""));
    CHECK_FALSE(valid_username("a/b"));
    CHECK(shop::auth::normalize_email("Kim@EXAMPLE.Com") == "Kim@example.com");
  }

  TEST_CASE("login issues tokens, records last login, and authenticate accepts the access token") {
    shoptest::TestEngine te;
    const auto id = make_user(te, "alice");
    auto s = te->auth().login("alice", "Sh0pping!Mall", "10.0.0.7");
    REQUIRE(s.is_ok());
    CHECK(s->user.id == id);
    CHECK(s->user.username == "alice");
    CHECK(s->user.email == "alice@example.com");
    auto who = te->auth().authenticate(s->tokens.access);
    REQUIRE(who.is_ok());
    CHECK(who->user_id == id);
    CHECK(who->username == "alice");
    CHECK_FALSE(who->is_seller);
    auto p = te->auth().profile(id);
    REQUIRE(p.is_ok());
    CHECK(p->last_login == te.clock.now());
    CHECK(column_text(te, "SELECT last_login_ip FROM users WHERE id = " + std::to_string(id)) ==
          "10.0.0.7");
    // The refresh token is not an access token, and vice versa.
    CHECK_FALSE(te->auth().authenticate(s->tokens.refresh).is_ok());
    CHECK_FALSE(te->auth().refresh(s->tokens.access).is_ok());
  }

  TEST_CASE("wrong passwords and unknown users get the same 400 without a field") {
    shoptest::TestEngine te;
    make_user(te, "alice");
    auto wrong = te->auth().login("alice", "nope-nope-nope", "");
    auto unknown = te->auth().login("nobody", "Sh0pping!Mall", "");
    REQUIRE_FALSE(wrong.is_ok());
    REQUIRE_FALSE(unknown.is_ok());
    CHECK(wrong.error().code == ErrorCode::kInvalidArgument);
    CHECK(wrong.error().field.empty());
    CHECK(wrong.error().message == unknown.error().message);
    CHECK_FALSE(te->auth().login("alice", "", "").is_ok());
    CHECK_FALSE(te->auth().login("Alice", "Sh0pping!Mall", "").is_ok());  // usernames are exact
  }

  TEST_CASE("a Django-made pbkdf2_sha256 hash verifies at login") {
    shoptest::TestEngine te;
    const auto id = make_user(te, "legacy");
    // From Python: pbkdf2_hmac('sha256', b'testpass123', b'somesalt', 1000), as Django stores it.
    auto st = te->context().store->write([&](Db& db) -> shop::Status {
      auto& q = db.stmt("UPDATE users SET password_hash = ? WHERE id = ?");
      q.bind(1, "pbkdf2_sha256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=");
      q.bind(2, id);
      q.exec();
      return shop::Status::ok();
    });
    REQUIRE(st.is_ok());
    CHECK(te->auth().login("legacy", "testpass123", "").is_ok());
    CHECK_FALSE(te->auth().login("legacy", "Sh0pping!Mall", "").is_ok());
  }

  TEST_CASE("the iteration override makes cheap test accounts; the default cost is the option") {
    shoptest::TestEngine te;
    auto u = user_named("loadtest1");
    u.password_iterations = 2000;
    u.origin = "loadtest";
    auto id = te->auth().create_user(u);
    REQUIRE(id.is_ok());
    const auto sid = std::to_string(*id);
    CHECK(shop::password::iterations_of(
              column_text(te, "SELECT password_hash FROM users WHERE id = " + sid)) == 2000);
    CHECK(column_text(te, "SELECT origin FROM users WHERE id = " + sid) == "loadtest");
    const auto other = make_user(te, "regular");
    CHECK(shop::password::iterations_of(column_text(
              te, "SELECT password_hash FROM users WHERE id = " + std::to_string(other))) ==
          1000);  // TestEngine's password_iterations
    u = user_named("toocostly");
    u.password_iterations = shop::password::kMaxIterations + 1;
    CHECK(field_of(te->auth().create_user(u)) == "password_iterations");
  }

  TEST_CASE("Engine::open refuses a password cost above the supported maximum") {
    shoptest::TempDir dir;
    shop::EngineOptions o;
    o.db_path = dir.file("x.db");
    o.jwt_secret = "s";
    o.password_iterations = shop::password::kMaxIterations + 1;
    CHECK_FALSE(shop::Engine::open(o).is_ok());
    o.password_iterations = shop::password::kMaxIterations;
    CHECK(shop::Engine::open(o).is_ok());
  }

  TEST_CASE("refresh rotates: the old token is refused afterwards, the new one works once") {
    shoptest::TestEngine te;
    make_user(te, "alice");
    auto s = te->auth().login("alice", "Sh0pping!Mall", "");
    REQUIRE(s.is_ok());
    te.clock.advance(5 * shop::kMicrosPerSecond);
    auto first = te->auth().refresh(s->tokens.refresh);
    REQUIRE(first.is_ok());
    CHECK(first->refresh != s->tokens.refresh);
    CHECK(te->auth().authenticate(first->access).is_ok());
    auto reuse = te->auth().refresh(s->tokens.refresh);
    REQUIRE_FALSE(reuse.is_ok());
    CHECK(reuse.error().code == ErrorCode::kUnauthenticated);
    CHECK(reuse.error().reason == "token_not_valid");
    auto second = te->auth().refresh(first->refresh);
    REQUIRE(second.is_ok());
    CHECK_FALSE(te->auth().refresh(first->refresh).is_ok());
    CHECK(te->auth().refresh(second->refresh).is_ok());
  }

  TEST_CASE("tokens expire on the engine clock; tampered tokens are refused") {
    shoptest::TestEngine te;
    make_user(te, "alice");
    auto s = te->auth().login("alice", "Sh0pping!Mall", "");
    REQUIRE(s.is_ok());
    CHECK_FALSE(te->auth().authenticate(tampered(s->tokens.access)).is_ok());
    CHECK_FALSE(te->auth().refresh(tampered(s->tokens.refresh)).is_ok());
    CHECK_FALSE(te->auth().authenticate("").is_ok());
    CHECK_FALSE(te->auth().authenticate("a.b.c").is_ok());

    te.clock.advance(29 * 60 * shop::kMicrosPerSecond);
    CHECK(te->auth().authenticate(s->tokens.access).is_ok());
    te.clock.advance(60 * shop::kMicrosPerSecond);  // 30 minutes after issue
    auto expired = te->auth().authenticate(s->tokens.access);
    REQUIRE_FALSE(expired.is_ok());
    CHECK(expired.error().reason == "token_not_valid");
    // The refresh token lives 7 days.
    auto renewed = te->auth().refresh(s->tokens.refresh);
    REQUIRE(renewed.is_ok());
    te.clock.advance(7 * shop::kMicrosPerDay);
    CHECK_FALSE(te->auth().refresh(renewed->refresh).is_ok());
  }

  TEST_CASE("logout revokes only the caller's own refresh token (D15)") {
    shoptest::TestEngine te;
    const auto alice = make_user(te, "alice");
    const auto bob = make_user(te, "bobby");
    auto a = te->auth().login("alice", "Sh0pping!Mall", "");
    auto b = te->auth().login("bobby", "Sh0pping!Mall", "");
    REQUIRE(a.is_ok());
    REQUIRE(b.is_ok());
    shop::Principal caller;  // no access token: only the refresh token is revoked
    caller.user_id = alice;
    auto foreign = te->auth().logout(caller, b->tokens.refresh);
    REQUIRE_FALSE(foreign.is_ok());
    CHECK(foreign.error().code == ErrorCode::kInvalidArgument);
    CHECK(te->auth().logout(caller, "garbage").error().code == ErrorCode::kInvalidArgument);
    REQUIRE(te->auth().logout(caller, a->tokens.refresh).is_ok());
    CHECK_FALSE(te->auth().logout(caller, a->tokens.refresh).is_ok());  // already revoked
    CHECK_FALSE(te->auth().refresh(a->tokens.refresh).is_ok());
    CHECK(te->auth().refresh(b->tokens.refresh).is_ok());  // bob's session untouched
    (void)bob;
  }

  TEST_CASE("change_password checks the old password and the validators") {
    shoptest::TestEngine te;
    const auto id = make_user(te, "alice");
    auto& auth = te->auth();
    CHECK(field_of(auth.change_password(id, "wrong-old-pw", "N3w!Passw0rd", "N3w!Passw0rd")) ==
          "old_password");
    CHECK(field_of(auth.change_password(id, "Sh0pping!Mall", "N3w!Passw0rd", "N3w!Passw0rX")) ==
          "new_password");
    CHECK(field_of(auth.change_password(id, "Sh0pping!Mall", "123", "123")) == "new_password");
    REQUIRE(auth.change_password(id, "Sh0pping!Mall", "N3w!Passw0rd", "N3w!Passw0rd").is_ok());
    CHECK_FALSE(auth.login("alice", "Sh0pping!Mall", "").is_ok());
    CHECK(auth.login("alice", "N3w!Passw0rd", "").is_ok());
  }

  TEST_CASE("withdraw deactivates the account, its tokens and its logins") {
    shoptest::TestEngine te;
    const auto id = make_user(te, "alice");
    auto s = te->auth().login("alice", "Sh0pping!Mall", "");
    REQUIRE(s.is_ok());
    CHECK(field_of(te->auth().withdraw(id, "wrong-password")) == "password");
    CHECK(te->auth().authenticate(s->tokens.access).is_ok());
    REQUIRE(te->auth().withdraw(id, "Sh0pping!Mall").is_ok());
    CHECK_FALSE(te->auth().authenticate(s->tokens.access).is_ok());
    CHECK_FALSE(te->auth().refresh(s->tokens.refresh).is_ok());
    auto again = te->auth().login("alice", "Sh0pping!Mall", "");
    REQUIRE_FALSE(again.is_ok());
    CHECK(again.error().code == ErrorCode::kInvalidArgument);
    CHECK(again.error().message.find("탈퇴") != std::string::npos);
    CHECK(column_text(te, "SELECT is_withdrawn || is_active FROM users WHERE id = " +
                              std::to_string(id)) == "10");
  }

  TEST_CASE("update_profile: email change resets verification, uniqueness, PUT needs email") {
    shoptest::TestEngine te;
    auto u = user_named("alice");
    u.is_email_verified = true;
    auto id = te->auth().create_user(u);
    REQUIRE(id.is_ok());
    make_user(te, "bobby");
    auto& auth = te->auth();

    shop::ProfileUpdate upd;
    upd.first_name = "Alice";
    upd.address = "Seoul";
    auto p = auth.update_profile(*id, upd, true);
    REQUIRE(p.is_ok());
    CHECK(p->first_name == "Alice");
    CHECK(p->is_email_verified);  // unchanged e-mail keeps its verification

    CHECK(field_of(auth.update_profile(*id, upd, false)) == "email");  // PUT without email
    upd = {};
    upd.email = "BOBBY@example.com";
    CHECK(field_of(auth.update_profile(*id, upd, true)) == "email");
    upd.email = "alice.new@example.com";
    upd.birth_date = std::optional<std::string>("2000-01-01");
    p = auth.update_profile(*id, upd, true);
    REQUIRE(p.is_ok());
    CHECK(p->email == "alice.new@example.com");
    CHECK_FALSE(p->is_email_verified);
    CHECK(p->birth_date == "2000-01-01");
    CHECK(p->first_name == "Alice");  // untouched fields stay

    upd = {};
    upd.birth_date = std::optional<std::string>();  // clear it
    upd.phone_number = "02-123-4567";
    p = auth.update_profile(*id, upd, true);
    REQUIRE(p.is_ok());
    CHECK_FALSE(p->birth_date.has_value());
    upd = {};
    upd.phone_number = "call me";
    CHECK(field_of(auth.update_profile(*id, upd, true)) == "phone_number");
    CHECK(auth.update_profile(999, upd, true).error().code == ErrorCode::kInvalidArgument);
    upd = {};
    CHECK(auth.update_profile(999, upd, true).error().code == ErrorCode::kNotFound);
  }

  TEST_CASE("KDF gate: slots, bounded wait, release") {
    shop::auth::KdfGate gate(1, 4);
    CHECK(gate.acquire(std::chrono::milliseconds(0)));
    CHECK_FALSE(gate.acquire(std::chrono::milliseconds(0)));
    gate.release();
    {
      shop::auth::KdfSlot slot(&gate, std::chrono::milliseconds(0));
      CHECK(slot.held());
      CHECK(gate.free_slots() == 0);
      shop::auth::KdfSlot second(&gate, std::chrono::milliseconds(0));
      CHECK_FALSE(second.held());
    }
    CHECK(gate.free_slots() == 1);
  }
}

TEST_SUITE("auth concurrency") {
  TEST_CASE("KDF gate: a full wait queue refuses at once; a release hands the slot to a waiter") {
    shop::auth::KdfGate gate(1, 1);
    REQUIRE(gate.acquire(std::chrono::milliseconds(0)));
    std::atomic<bool> waiter_got{false};
    std::thread waiter([&] { waiter_got = gate.acquire(std::chrono::minutes(5)); });
    while (gate.waiting() == 0) std::this_thread::yield();
    // One caller already waits: the next one is refused without waiting (a 5-minute wait would
    // hang the test if it were not).
    CHECK_FALSE(gate.acquire(std::chrono::minutes(5)));
    gate.release();
    waiter.join();
    CHECK(waiter_got.load());
    CHECK(gate.free_slots() == 0);
    gate.release();
  }

  TEST_CASE("many cheap logins at once all succeed; one refresh token rotates exactly once") {
    shoptest::TestEngine te;
    constexpr int kUsers = 40;
    for (int i = 0; i < kUsers; ++i) {
      auto u = user_named("load" + std::to_string(i));
      u.password = "testpass123";
      u.password_iterations = 1000;
      REQUIRE(te->auth().create_user(u).is_ok());
    }
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kUsers * 5; i += 8) {
          auto s = te->auth().login("load" + std::to_string(i % kUsers), "testpass123", "");
          if (s.is_ok() && te->auth().authenticate(s->tokens.access).is_ok()) ++ok;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok.load() == kUsers * 5);

    auto s = te->auth().login("load0", "testpass123", "");
    REQUIRE(s.is_ok());
    std::atomic<int> rotated{0};
    threads.clear();
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        if (te->auth().refresh(s->tokens.refresh).is_ok()) ++rotated;
      });
    }
    for (auto& t : threads) t.join();
    CHECK(rotated.load() == 1);
  }
}
