// shop/clock.h — injectable time. Everything that depends on "now" (token expiry, point expiry,
// "expiring within N days", order numbers) asks a Clock, so tests move time instead of sleeping.
//
// Times are int64 microseconds since the Unix epoch, UTC, everywhere in the engine and the store.
#pragma once

#include <atomic>
#include <cstdint>

namespace shop {

using Micros = std::int64_t;  // microseconds since 1970-01-01T00:00:00Z

constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerDay = 86'400 * kMicrosPerSecond;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros now() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  Micros now() const override;
  static const SystemClock& instance();
};

// A clock tests set and advance. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Micros start) : now_(start) {}
  Micros now() const override { return now_.load(std::memory_order_relaxed); }
  void set(Micros t) { now_.store(t, std::memory_order_relaxed); }
  void advance(Micros d) { now_.fetch_add(d, std::memory_order_relaxed); }

 private:
  std::atomic<Micros> now_;
};

}  // namespace shop
