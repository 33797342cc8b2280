// Per-client-address login limits (issue 9 A): the failed-login budget, the per-address share of
// the KDF gate, the bounded address table, and how Auth::login applies them. Time moves on the
// manual clock; nothing sleeps.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "auth/login_limiter.h"
#include "shop/auth.h"
#include "support/test_support.h"

using shop::ErrorCode;
using shop::auth::address_key;
using shop::auth::LoginLimiter;
using shop::auth::LoginLimits;

namespace {

constexpr shop::Micros kSecond = shop::kMicrosPerSecond;
constexpr const char* kPassword = "Sh0pping!Mall";

// An engine on a manual clock with cheap hashes and the given limits (defaults unless changed).
struct LimitedEngine {
  shoptest::TempDir dir;
  shop::ManualClock clock{shoptest::kTestEpoch};
  std::unique_ptr<shop::Engine> engine;
  explicit LimitedEngine(const std::function<void(shop::EngineOptions&)>& tune = {}) {
    shop::EngineOptions o;
    o.db_path = dir.file("shop.db");
    o.clock = &clock;
    o.password_iterations = 1000;
    o.order_workers = 0;
    o.jwt_secret = "test-secret";
    if (tune) tune(o);
    auto e = shop::Engine::open(o);
    REQUIRE(e.is_ok());
    engine = std::move(*e);
  }
  shop::Auth& auth() { return engine->auth(); }
};

void add_user(shop::Auth& auth, const std::string& name) {
  shop::NewUser u;
  u.username = name;
  u.email = name + "@example.com";
  u.password = kPassword;
  u.password_iterations = 1000;
  REQUIRE(auth.create_user(u).is_ok());
}

// n failed logins from `address`, alternating unknown usernames and wrong passwords; each must
// be an ordinary 400 (not yet limited).
void fail_logins(shop::Auth& auth, const std::string& address, int n) {
  for (int i = 0; i < n; ++i) {
    auto r = i % 2 == 0 ? auth.login("nobody" + std::to_string(i), kPassword, address)
                        : auth.login("alice", "wrong-password", address);
    CAPTURE(i);
    REQUIRE_FALSE(r.is_ok());
    REQUIRE(r.error().code == ErrorCode::kInvalidArgument);
  }
}

}  // namespace

TEST_SUITE("auth limits") {
  TEST_CASE("address keys: IPv4, IPv4-mapped IPv6 as IPv4, IPv6 by /64, other text as text") {
    CHECK(address_key("") == "");
    CHECK(address_key("10.0.0.1") == address_key("::ffff:10.0.0.1"));
    CHECK(address_key("10.0.0.1") != address_key("10.0.0.2"));
    CHECK(address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    CHECK(address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1"));
    CHECK(address_key("::1") != address_key("0.0.0.1"));
    CHECK(address_key("unix-socket") == "sunix-socket");
    CHECK(address_key(std::string(200, 'x')).size() == 65);  // bounded
  }

  TEST_CASE("limiter: the budget runs out after `burst` failures and refills on the clock") {
    LoginLimiter limiter(LoginLimits{10, 4, 2, 100});  // one token per 15 s
    const std::string a = address_key("10.0.0.1");
    shop::Micros now = shoptest::kTestEpoch;
    for (int i = 0; i < 10; ++i) {
      REQUIRE_FALSE(limiter.refused_for(a, now).has_value());
      limiter.record_failure(a, now);
    }
    CHECK(limiter.refused_for(a, now) == 15);
    CHECK_FALSE(limiter.refused_for(address_key("10.0.0.2"), now).has_value());
    now += 14 * kSecond;
    CHECK(limiter.refused_for(a, now) == 1);
    now += kSecond;
    REQUIRE_FALSE(limiter.refused_for(a, now).has_value());  // one token back
    limiter.record_failure(a, now);
    CHECK(limiter.refused_for(a, now) == 15);
    // Failures while refused do not push the refusal further out than one full burst.
    for (int i = 0; i < 100; ++i) limiter.record_failure(a, now);
    CHECK(limiter.refused_for(a, now) == 15);
    now += 150 * kSecond;  // a whole burst refilled: the entry carries no state any more
    CHECK_FALSE(limiter.refused_for(a, now).has_value());
    CHECK(limiter.tracked_addresses() == 0);
  }

  TEST_CASE("limiter: one address holds at most its share of the gate") {
    LoginLimiter limiter(LoginLimits{10, 4, 2, 100});
    const std::string a = address_key("10.0.0.1");
    const std::string b = address_key("10.0.0.2");
    const shop::Micros now = shoptest::kTestEpoch;
    {
      LoginLimiter::GateShare first(limiter, a, now);
      LoginLimiter::GateShare second(limiter, a, now);
      CHECK(first.held());
      CHECK(second.held());
      {
        LoginLimiter::GateShare third(limiter, a, now);
        CHECK_FALSE(third.held());
        LoginLimiter::GateShare other(limiter, b, now);
        CHECK(other.held());
      }
      // A refused share gave nothing back, so a is still at its share.
      CHECK_FALSE(LoginLimiter::GateShare(limiter, a, now).held());
    }
    CHECK(LoginLimiter::GateShare(limiter, a, now).held());  // both places returned
    CHECK(limiter.tracked_addresses() == 0);                 // and the entries dropped
    // No address: never limited.
    LoginLimiter::GateShare n1(limiter, "", now), n2(limiter, "", now), n3(limiter, "", now);
    CHECK((n1.held() && n2.held() && n3.held()));
  }

  TEST_CASE("limiter: the table is bounded; the least recently used idle entry goes first") {
    LoginLimiter limiter(LoginLimits{2, 1, 2, 3});
    const shop::Micros now = shoptest::kTestEpoch;
    const std::string a = address_key("10.0.0.1"), b = address_key("10.0.0.2"),
                      c = address_key("10.0.0.3"), d = address_key("10.0.0.4");
    for (const auto* key : {&a, &b, &c}) {
      limiter.record_failure(*key, now);
      limiter.record_failure(*key, now);
      REQUIRE(limiter.refused_for(*key, now).has_value());
    }
    CHECK(limiter.tracked_addresses() == 3);
    limiter.record_failure(a, now);  // a is now the most recently used
    limiter.record_failure(d, now);  // evicts b, the least recently used
    CHECK(limiter.tracked_addresses() == 3);
    CHECK_FALSE(limiter.refused_for(b, now).has_value());  // forgotten: a fresh budget
    CHECK(limiter.refused_for(a, now).has_value());
    CHECK(limiter.refused_for(c, now).has_value());

    // An address with a check in flight is never evicted (its share must be given back).
    {
      LoginLimiter::GateShare in_flight(limiter, c, now);
      REQUIRE(in_flight.held());
      for (int i = 0; i < 20; ++i)
        limiter.record_failure(address_key("10.1.0." + std::to_string(i)), now);
      CHECK(limiter.tracked_addresses() == 3);
      CHECK(limiter.refused_for(c, now).has_value());
      LoginLimiter::GateShare second(limiter, c, now);
      CHECK(second.held());
      CHECK_FALSE(LoginLimiter::GateShare(limiter, c, now).held());
    }
  }

  TEST_CASE("login: an exhausted address gets kRateLimited at once, without KDF work") {
    LimitedEngine le;
    add_user(le.auth(), "alice");
    fail_logins(le.auth(), "10.0.0.1", 10);
    const auto kdf_before = le.auth().password_hash_computations();
    for (const auto* name : {"alice", "nobody"}) {
      auto r = le.auth().login(name, kPassword, "10.0.0.1");  // even the right password
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.error().code == ErrorCode::kRateLimited);
      CHECK(r.error().reason == "RATE_LIMITED");
      CHECK(r.error().retry_after_seconds == 15);  // default: 4 tokens a minute
    }
    CHECK(le.auth().password_hash_computations() == kdf_before);
    // Other addresses are not affected, and the limited one recovers on the clock.
    CHECK(le.auth().login("alice", kPassword, "10.0.0.2").is_ok());
    CHECK(le.auth().password_hash_computations() == kdf_before + 1);
    le.clock.advance(15 * kSecond);
    CHECK(le.auth().login("alice", kPassword, "10.0.0.1").is_ok());
    CHECK(le.auth().login("alice", kPassword, "10.0.0.1").is_ok());  // success takes no token
    auto again = le.auth().login("alice", "wrong-password", "10.0.0.1");
    CHECK(again.error().code == ErrorCode::kInvalidArgument);  // the token that came back
    CHECK(le.auth().login("alice", kPassword, "10.0.0.1").error().code == ErrorCode::kRateLimited);
  }

  TEST_CASE("login: successes never consume the budget; IPv6 clients share one per /64") {
    LimitedEngine le;
    add_user(le.auth(), "alice");
    for (int i = 0; i < 50; ++i) REQUIRE(le.auth().login("alice", kPassword, "127.0.0.1").is_ok());
    fail_logins(le.auth(), "127.0.0.1", 10);  // the whole burst is still there
    CHECK(le.auth().login("alice", kPassword, "127.0.0.1").error().code == ErrorCode::kRateLimited);

    for (int i = 0; i < 10; ++i) {
      auto r = le.auth().login("nobody", kPassword, "2001:db8:1:2::" + std::to_string(i + 1));
      REQUIRE(r.error().code == ErrorCode::kInvalidArgument);
    }
    CHECK(le.auth().login("alice", kPassword, "2001:db8:1:2::abcd").error().code ==
          ErrorCode::kRateLimited);
    CHECK(le.auth().login("alice", kPassword, "2001:db8:1:3::1").is_ok());
  }

  TEST_CASE("login: no client address is not limited per address; the options are honoured") {
    LimitedEngine le;
    add_user(le.auth(), "alice");
    fail_logins(le.auth(), "", 30);
    CHECK(le.auth().login("alice", kPassword, "").is_ok());

    LimitedEngine strict([](shop::EngineOptions& o) {
      o.failed_login_burst = 2;
      o.failed_login_refill_per_minute = 1;
    });
    add_user(strict.auth(), "alice");
    fail_logins(strict.auth(), "10.0.0.9", 2);
    auto r = strict.auth().login("alice", kPassword, "10.0.0.9");
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.error().retry_after_seconds == 60);

    LimitedEngine off([](shop::EngineOptions& o) { o.failed_login_burst = 0; });
    add_user(off.auth(), "alice");
    fail_logins(off.auth(), "10.0.0.9", 30);
    CHECK(off.auth().login("alice", kPassword, "10.0.0.9").is_ok());

    shoptest::TempDir dir;
    shop::EngineOptions bad;
    bad.db_path = dir.file("x.db");
    bad.jwt_secret = "s";
    bad.failed_login_burst = -1;
    CHECK_FALSE(shop::Engine::open(bad).is_ok());
    bad.failed_login_burst = 5;
    bad.failed_login_refill_per_minute = 0;
    CHECK_FALSE(shop::Engine::open(bad).is_ok());
    bad.failed_login_refill_per_minute = 1;
    bad.login_limiter_addresses = 0;
    CHECK_FALSE(shop::Engine::open(bad).is_ok());
  }

  TEST_CASE("load-test logins: many users at once from one address are never refused") {
    LimitedEngine le;
    constexpr int kUsers = 60;
    for (int i = 0; i < kUsers; ++i) {
      shop::NewUser u;
      u.username = "load_user_" + std::to_string(i);
      u.email = u.username + "@example.com";
      u.password = "testpass123";
      u.password_iterations = 1000;
      REQUIRE(le.auth().create_user(u).is_ok());
    }
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kUsers * 4; i += 8) {
          if (le.auth().login("load_user_" + std::to_string(i % kUsers), "testpass123",
                              "127.0.0.1")) {
            ++ok;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok.load() == kUsers * 4);
  }
}
