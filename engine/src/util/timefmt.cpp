#include "shop/timefmt.h"

#include <charconv>
#include <cstdio>

namespace shop::timefmt {

// Howard Hinnant's civil-date algorithms (public domain).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

namespace {
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct Local {
  int y;
  unsigned mo, d, h, mi, s, us;
};

Local to_local(Micros t, int offset_minutes) {
  Micros local = t + static_cast<Micros>(offset_minutes) * 60 * kMicrosPerSecond;
  std::int64_t days = floor_div(local, kMicrosPerDay);
  Micros in_day = local - days * kMicrosPerDay;
  Local l{};
  civil_from_days(days, l.y, l.mo, l.d);
  std::int64_t secs = in_day / kMicrosPerSecond;
  l.us = static_cast<unsigned>(in_day % kMicrosPerSecond);
  l.h = static_cast<unsigned>(secs / 3600);
  l.mi = static_cast<unsigned>(secs / 60 % 60);
  l.s = static_cast<unsigned>(secs % 60);
  return l;
}

unsigned days_in_month(int y, unsigned m) {
  static const unsigned k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}

bool read_digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}
}  // namespace

std::string format_datetime(Micros t, int offset_minutes) {
  Local l = to_local(t, offset_minutes);
  char buf[48];
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%06u%c%02d:%02d", l.y, l.mo, l.d,
                l.h, l.mi, l.s, l.us, offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::string format_date(Micros t, int offset_minutes) {
  Local l = to_local(t, offset_minutes);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", l.y, l.mo, l.d);
  return buf;
}

std::string format_yyyymmdd(Micros t, int offset_minutes) {
  Local l = to_local(t, offset_minutes);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", l.y, l.mo, l.d);
  return buf;
}

std::string format_month(Micros t, int offset_minutes) {
  Local l = to_local(t, offset_minutes);
  char buf[12];
  std::snprintf(buf, sizeof buf, "%04d-%02u", l.y, l.mo);
  return buf;
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  unsigned y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 5, 2, m) || !read_digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(static_cast<int>(y), m)) {
    return std::nullopt;
  }
  return days_from_civil(static_cast<int>(y), m, d);
}

Micros local_day_start(std::int64_t days, int offset_minutes) {
  return days * kMicrosPerDay - static_cast<Micros>(offset_minutes) * 60 * kMicrosPerSecond;
}

std::optional<Micros> parse_datetime(std::string_view s) {
  if (!s.empty() && s[0] == '@') {
    std::int64_t secs = 0;
    auto [p, ec] = std::from_chars(s.data() + 1, s.data() + s.size(), secs);
    if (ec != std::errc() || p != s.data() + s.size() || s.size() < 2) return std::nullopt;
    if (secs < 0 || secs > 253402300799) return std::nullopt;
    return secs * kMicrosPerSecond;
  }
  auto days = parse_date(s.substr(0, 10));
  if (!days) return std::nullopt;
  Micros t = *days * kMicrosPerDay;
  size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    unsigned h, mi, sec = 0;
    if (!read_digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, mi) || h > 23 || mi > 59) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!read_digits(s, pos + 1, 2, sec) || sec > 59) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t start = pos;
        Micros frac = 0;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 6) frac = frac * 10 + (s[pos] - '0'), ++digits;
          ++pos;
        }
        if (pos == start) return std::nullopt;
        while (digits < 6) frac *= 10, ++digits;
        t += frac;
      }
    }
    t += (static_cast<Micros>(h) * 3600 + mi * 60 + sec) * kMicrosPerSecond;
  }
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) return t;
    if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      unsigned oh, om;
      if (!read_digits(s, pos + 1, 2, oh) || !read_digits(s, pos + 4, 2, om) || oh > 23 ||
          om > 59) {
        return std::nullopt;
      }
      Micros off = (static_cast<Micros>(oh) * 60 + om) * 60 * kMicrosPerSecond;
      return s[pos] == '+' ? t - off : t + off;
    }
    return std::nullopt;
  }
  return t;
}

}  // namespace shop::timefmt
