// auth/login_limiter.h — per-client-address bounds on failed-login work (private to the engine).
//
// Two bounds, both keyed by the client's network address (IPv4 address, IPv6 /64 prefix):
//  * a failed-login budget: a token bucket of `burst` failures that refills `refill_per_minute`
//    per minute on the engine's clock. Only failures (wrong password, unknown username) take a
//    token; a login is checked against the bucket before any KDF work, so an address that has used
//    its budget up is refused at once and costs nothing. Successful logins never take a token, so
//    any number of correct logins from one address (a load test on 127.0.0.1) are never refused.
//  * a share of the KDF gate: one address may hold at most `gate_share` of the gate's slots and
//    waiting places at once, so it can never fill the gate's queue and lock other addresses out.
//
// Memory: at most `max_addresses` entries, plus those with a password check in flight (bounded by
// the callers that can be inside the gate). Entries are kept in least-recently-used order; adding
// one to a full table evicts the least recently used entry that has no check in flight. An entry
// carries state only while its bucket is not full or a check is in flight; idle entries are
// dropped as soon as they are noticed. An attacker who rotates addresses therefore gets one fresh
// budget per address (per /64 for IPv6, where rotating inside a prefix buys nothing), and
// once it uses more than `max_addresses` addresses in a refill period it evicts its own oldest
// entries first; the global KDF gate (503) stays the final bound on the CPU all of them can take.
//
// An empty address means "no network client" (operator tools, embedding programs): not limited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "shop/clock.h"

namespace shop::auth {

struct LoginLimits {
  int burst = 10;             // failures in a row before an address is refused; 0: no budget
  int refill_per_minute = 4;  // tokens regained per minute (>= 1 when burst > 0)
  int gate_share = 2;         // KDF gate places one address may hold; 0: no per-address share
  std::size_t max_addresses = 10'000;  // tracked addresses (>= 1)
};

// The table key for a client address: "4" + 4 bytes for IPv4 (also IPv4-mapped IPv6), "6" + the
// first 8 bytes for IPv6 (the /64), "s" + the text (at most 64 bytes) for anything else. Empty
// for an empty address.
std::string address_key(std::string_view address);

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits);

  // Seconds until the address may try again when its failure budget is used up; nullopt when it
  // may log in now. Takes no token (it only forgets an entry whose bucket has refilled).
  std::optional<std::int64_t> refused_for(const std::string& key, Micros now);
  // Takes one token from the address's budget (a failed login). An empty bucket stays empty (the
  // count never goes below zero, so refusal never lasts longer than refilling a full burst).
  void record_failure(const std::string& key, Micros now);

  // Holds one of the address's gate places for its lifetime, when it got one.
  class GateShare {
   public:
    GateShare(LoginLimiter& limiter, const std::string& key, Micros now);
    ~GateShare();
    GateShare(const GateShare&) = delete;
    GateShare& operator=(const GateShare&) = delete;
    bool held() const { return held_; }

   private:
    LoginLimiter& limiter_;
    std::string key_;
    Micros now_;
    bool held_ = false;     // the caller may go on to the gate
    bool counted_ = false;  // it took one of the address's places (given back on destruction)
  };

  std::size_t tracked_addresses() const;
  const LoginLimits& limits() const { return limits_; }

 private:
  struct Entry {
    // The bucket as a GCRA "theoretical arrival time": the bucket is full when tat <= now, and
    // each failure pushes tat one refill interval later. Tokens left = burst - ceil((tat-now)/T).
    Micros tat = 0;
    int in_gate = 0;  // this address's callers holding or waiting for a KDF slot
    std::list<std::string>::iterator lru;
  };

  bool enter_gate(const std::string& key);
  void leave_gate(const std::string& key, Micros now);
  // The entry for key, created (evicting if needed) and marked most recently used. mu_ held.
  Entry& touch(const std::string& key);
  // Drops the entry when it carries no state any more. mu_ held.
  void drop_if_idle(std::unordered_map<std::string, Entry>::iterator it, Micros now);

  const LoginLimits limits_;
  const Micros refill_interval_;  // one token per this many microseconds

  mutable std::mutex mu_;  // guards entries_ and lru_ (every member below)
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently used first
};

}  // namespace shop::auth
