// shop/timefmt.h — rendering and parsing times the way the contract does
// (ISO-8601 with microseconds and offset, e.g. 2025-11-27T18:00:00.123456+09:00).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shop/clock.h"

namespace shop::timefmt {

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d);

// "2025-11-27T18:00:00.123456+09:00"
std::string format_datetime(Micros t, int offset_minutes);
// "2025-11-27" (the local date at offset)
std::string format_date(Micros t, int offset_minutes);
// "20251127" (local date; used in order numbers)
std::string format_yyyymmdd(Micros t, int offset_minutes);
// "2025-11" (local month)
std::string format_month(Micros t, int offset_minutes);

// Strict "YYYY-MM-DD" -> days since epoch; nullopt for anything else (bad digits, Feb 30, ...).
std::optional<std::int64_t> parse_date(std::string_view s);
// Start of a local day (days since epoch) in UTC micros.
Micros local_day_start(std::int64_t days, int offset_minutes);
// "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]" with optional "Z" or "+HH:MM"/"-HH:MM"
// (no offset: UTC), or "@<unix seconds>". For operator flags such as --now.
std::optional<Micros> parse_datetime(std::string_view s);

}  // namespace shop::timefmt
