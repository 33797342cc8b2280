// auth/login_limiter.cpp — see login_limiter.h.
#include "auth/login_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace shop::auth {

namespace {

constexpr size_t kMaxAddressKeyText = 64;

}  // namespace

std::string address_key(std::string_view address) {
  if (address.empty()) return {};
  // inet_pton needs a NUL-terminated string; anything longer than an address is not one.
  char text[INET6_ADDRSTRLEN + 1] = {};
  if (address.size() < sizeof text) {
    std::memcpy(text, address.data(), address.size());
    unsigned char bytes[16];
    if (inet_pton(AF_INET, text, bytes) == 1) return "4" + std::string(bytes, bytes + 4);
    if (inet_pton(AF_INET6, text, bytes) == 1) {
      static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      if (std::memcmp(bytes, kMappedPrefix, sizeof kMappedPrefix) == 0) {
        return "4" + std::string(bytes + 12, bytes + 16);  // ::ffff:a.b.c.d is an IPv4 client
      }
      // One subscriber usually owns a whole /64: keying by it stops rotation inside the prefix.
      return "6" + std::string(bytes, bytes + 8);
    }
  }
  return "s" + std::string(address.substr(0, kMaxAddressKeyText));
}

LoginLimiter::LoginLimiter(LoginLimits limits)
    : limits_(limits),
      refill_interval_(60 * kMicrosPerSecond / std::max(1, limits.refill_per_minute)) {}

std::optional<std::int64_t> LoginLimiter::refused_for(const std::string& key, Micros now) {
  if (key.empty() || limits_.burst <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  // A token is left while tat - now <= (burst - 1) * T (see Entry).
  const Micros allowed_until = it->second.tat - (limits_.burst - 1) * refill_interval_;
  if (allowed_until <= now) {
    drop_if_idle(it, now);
    return std::nullopt;
  }
  const Micros wait = allowed_until - now;
  return std::max<std::int64_t>(1, (wait + kMicrosPerSecond - 1) / kMicrosPerSecond);
}

void LoginLimiter::record_failure(const std::string& key, Micros now) {
  if (key.empty() || limits_.burst <= 0) return;
  std::lock_guard lock(mu_);
  Entry& e = touch(key);
  e.tat = std::min(std::max(e.tat, now) + refill_interval_, now + limits_.burst * refill_interval_);
}

bool LoginLimiter::enter_gate(const std::string& key) {
  std::lock_guard lock(mu_);
  Entry& e = touch(key);
  if (e.in_gate >= limits_.gate_share) return false;
  ++e.in_gate;
  return true;
}

void LoginLimiter::leave_gate(const std::string& key, Micros now) {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;  // cannot happen: an entry in the gate is never evicted
  --it->second.in_gate;
  drop_if_idle(it, now);
}

LoginLimiter::Entry& LoginLimiter::touch(const std::string& key) {
  if (const auto it = entries_.find(key); it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  if (entries_.size() >= limits_.max_addresses) {
    // Oldest first; entries with a check in flight stay (their count must survive until
    // leave_gate), and there are few of them: the gate bounds how many callers can be inside.
    for (auto victim = lru_.end(); victim != lru_.begin();) {
      --victim;
      const auto found = entries_.find(*victim);
      if (found->second.in_gate == 0) {
        entries_.erase(found);
        lru_.erase(victim);
        break;
      }
    }
  }
  lru_.push_front(key);
  Entry& e = entries_[key];
  e.lru = lru_.begin();
  return e;
}

void LoginLimiter::drop_if_idle(std::unordered_map<std::string, Entry>::iterator it, Micros now) {
  if (it->second.in_gate == 0 && it->second.tat <= now) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
}

std::size_t LoginLimiter::tracked_addresses() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

LoginLimiter::GateShare::GateShare(LoginLimiter& limiter, const std::string& key, Micros now)
    : limiter_(limiter), key_(key), now_(now) {
  counted_ = !key.empty() && limiter.limits_.gate_share > 0;
  held_ = !counted_ || limiter.enter_gate(key);
  counted_ = counted_ && held_;
}

LoginLimiter::GateShare::~GateShare() {
  if (counted_) limiter_.leave_gate(key_, now_);
}

}  // namespace shop::auth
