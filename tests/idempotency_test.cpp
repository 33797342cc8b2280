// Engine tests of shop::Idempotency (reserve, store, replay, conflicts, expiry).
#include "shop/idempotency.h"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

using shop::ErrorCode;
using shop::Idempotency;

namespace {
constexpr const char* kScope = "payments.confirm";
constexpr const char* kRequest = "POST /api/payments/confirm/\n{\"order_id\":1}";

bool reserved(const shop::Result<std::optional<shop::StoredResponse>>& r) {
  return r.is_ok() && !r->has_value();
}
}  // namespace

TEST_SUITE("idempotency") {
  TEST_CASE("a key is reserved, its response stored and replayed") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "key-1", kRequest)));

    auto running = idem.begin(1, kScope, "key-1", kRequest);
    REQUIRE_FALSE(running.is_ok());
    CHECK(running.error().code == ErrorCode::kConflict);
    CHECK(running.error().reason == Idempotency::kInProgress);
    CHECK(running.error().message == "A request with this Idempotency-Key is in progress.");

    REQUIRE(idem.finish(1, kScope, "key-1", 202, R"({"status":"done"})").is_ok());
    for (int i = 0; i < 2; ++i) {
      auto replay = idem.begin(1, kScope, "key-1", kRequest);
      REQUIRE(replay.is_ok());
      REQUIRE(replay->has_value());
      CHECK((*replay)->status_code == 202);
      CHECK((*replay)->body == R"({"status":"done"})");
    }
  }

  TEST_CASE("keys are per user and per scope") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    CHECK(reserved(idem.begin(2, kScope, "k", kRequest)));
    CHECK(reserved(idem.begin(1, "orders.create", "k", kRequest)));
  }

  TEST_CASE("the same key for a different request is refused") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    REQUIRE(idem.finish(1, kScope, "k", 201, "{}").is_ok());
    auto other = idem.begin(1, kScope, "k", "POST /api/payments/confirm/\n{\"order_id\":2}");
    REQUIRE_FALSE(other.is_ok());
    CHECK(other.error().reason == Idempotency::kKeyReused);
    // The stored response is untouched.
    CHECK((*idem.begin(1, kScope, "k", kRequest))->status_code == 201);
  }

  TEST_CASE("server errors and try-again answers release the key; 4xx answers are stored") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    for (int status : {500, 503, 409, 429}) {
      CAPTURE(status);
      REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
      REQUIRE(idem.finish(1, kScope, "k", status, "{}").is_ok());
    }
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    REQUIRE(idem.finish(1, kScope, "k", 400, R"({"error":"declined"})").is_ok());
    auto replay = idem.begin(1, kScope, "k", kRequest);
    REQUIRE(replay.is_ok());
    REQUIRE(replay->has_value());
    CHECK((*replay)->status_code == 400);

    CHECK(Idempotency::should_store(200));
    CHECK(Idempotency::should_store(201));
    CHECK(Idempotency::should_store(404));
    CHECK_FALSE(Idempotency::should_store(408));
    CHECK_FALSE(Idempotency::should_store(302));
    CHECK_FALSE(Idempotency::should_store(0));
  }

  TEST_CASE("release drops a reservation but never a stored response") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    REQUIRE(idem.release(1, kScope, "k").is_ok());
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    REQUIRE(idem.finish(1, kScope, "k", 202, "{}").is_ok());
    REQUIRE(idem.release(1, kScope, "k").is_ok());
    CHECK((*idem.begin(1, kScope, "k", kRequest))->status_code == 202);
  }

  TEST_CASE("malformed keys are refused") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    for (const std::string& key :
         {std::string(), std::string(256, 'a'), std::string("a\nb"), std::string("tab\t"),
          std::string("caf\xc3\xa9"), std::string("nul\0x", 5), std::string("del\x7f")}) {
      CAPTURE(key);
      auto r = idem.begin(1, kScope, key, kRequest);
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.error().code == ErrorCode::kInvalidArgument);
      CHECK(r.error().reason == Idempotency::kKeyInvalid);
    }
    CHECK(reserved(idem.begin(1, kScope, std::string(255, '~'), kRequest)));
    CHECK(reserved(idem.begin(1, kScope, "a key with spaces and !\"#$%", kRequest)));
    CHECK(reserved(idem.begin(1, kScope, "550e8400-e29b-41d4-a716-446655440000", kRequest)));
  }

  TEST_CASE("an abandoned reservation is taken over once it is stale") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    te.clock.advance(Idempotency::kStaleReservation - 1);
    CHECK(idem.begin(1, kScope, "k", kRequest).error().reason == Idempotency::kInProgress);
    te.clock.advance(1);
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    // The new owner's reservation is fresh: a third request waits again.
    CHECK(idem.begin(1, kScope, "k", kRequest).error().reason == Idempotency::kInProgress);
  }

  TEST_CASE("a stored response replays for the retention period, then the key is free") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "k", kRequest)));
    REQUIRE(idem.finish(1, kScope, "k", 202, "{}").is_ok());
    te.clock.advance(Idempotency::kRetention - 1);
    CHECK((*idem.begin(1, kScope, "k", kRequest))->status_code == 202);
    te.clock.advance(1);
    CHECK(reserved(idem.begin(1, kScope, "k", "a different request is fine now")));
  }

  TEST_CASE("purge_expired deletes old responses and stale reservations only") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    REQUIRE(reserved(idem.begin(1, kScope, "old-done", kRequest)));
    REQUIRE(idem.finish(1, kScope, "old-done", 201, "{}").is_ok());
    REQUIRE(reserved(idem.begin(1, kScope, "old-running", kRequest)));
    te.clock.advance(Idempotency::kRetention);
    REQUIRE(reserved(idem.begin(1, kScope, "new-running", kRequest)));
    REQUIRE(reserved(idem.begin(1, kScope, "new-done", kRequest)));
    REQUIRE(idem.finish(1, kScope, "new-done", 201, "{}").is_ok());
    auto purged = idem.purge_expired();
    REQUIRE(purged.is_ok());
    CHECK(*purged == 2);
    CHECK(idem.begin(1, kScope, "new-running", kRequest).error().reason ==
          Idempotency::kInProgress);
    CHECK((*idem.begin(1, kScope, "new-done", kRequest))->status_code == 201);
    CHECK(reserved(idem.begin(1, kScope, "old-done", kRequest)));
  }
}

TEST_SUITE("idempotency concurrency") {
  TEST_CASE("racing requests with one key: exactly one runs") {
    shoptest::TestEngine te;
    Idempotency idem(*te);
    std::atomic<int> ran{0}, waited{0}, replayed{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 25; ++i) {
          auto r = idem.begin(7, kScope, "shared", kRequest);
          if (!r.is_ok()) {
            (r.error().reason == Idempotency::kInProgress ? waited : errors)++;
          } else if (r->has_value()) {
            ++replayed;
          } else {
            ++ran;
            if (!idem.finish(7, kScope, "shared", 202, "{}").is_ok()) ++errors;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(ran == 1);
    CHECK(errors == 0);
    CHECK(ran + waited + replayed == 200);
  }
}
