// auth/validators.cpp — see validators.h.
#include "auth/validators.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <vector>

namespace shop::auth {
namespace {

bool is_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Code points of a UTF-8 string, ASCII letters lower-cased. Invalid bytes map to themselves.
std::vector<std::uint32_t> lower_code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra && i + static_cast<size_t>(extra) >= s.size()) extra = 0;  // truncated sequence
    std::uint32_t cp = extra == 0 ? c : (c & (0x3F >> extra));
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return out;
}

// difflib.SequenceMatcher(a, b).quick_ratio(): 2 * |multiset intersection| / (|a| + |b|).
double quick_ratio(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  if (a.empty() && b.empty()) return 1.0;
  std::map<std::uint32_t, int> avail;
  for (auto c : b) ++avail[c];
  int matches = 0;
  for (auto c : a) {
    auto it = avail.find(c);
    if (it != avail.end() && it->second > 0) {
      --it->second;
      ++matches;
    }
  }
  return 2.0 * matches / static_cast<double>(a.size() + b.size());
}

// A small sample of the most common passwords (Django ships 20,000; these are the top of it).
constexpr std::array<std::string_view, 96> kCommonPasswords = {
    "password",  "password1",     "password12", "password123", "passw0rd",   "p@ssw0rd",
    "12345678",  "123456789",     "1234567890", "11111111",    "00000000",   "87654321",
    "qwerty123", "qwertyuiop",    "qwerty12",   "1q2w3e4r",    "1qaz2wsx",   "qazwsxedc",
    "zaq12wsx",  "asdfghjkl",     "asdf1234",   "abcd1234",    "abc12345",   "abcdefgh",
    "iloveyou",  "sunshine",      "princess",   "football",    "baseball",   "basketball",
    "superman",  "batman123",     "starwars",   "welcome1",    "welcome123", "letmein1",
    "trustno1",  "whatever",      "michelle",   "jennifer",    "computer",   "internet",
    "charlie1",  "mustang1",      "shadow12",   "master12",    "dragon12",   "monkey12",
    "admin123",  "administrator", "changeme",   "secret12",    "passport",   "access14",
    "123123123", "12341234",      "1234qwer",   "qwer1234",    "q1w2e3r4",   "1q2w3e4r5t",
    "a1b2c3d4",  "aa123456",      "123qweasd",  "qweasdzxc",   "zxcvbnm1",   "zxcvbnmm",
    "11223344",  "12344321",      "696969696",  "88888888",    "99999999",   "55555555",
    "66666666",  "77777777",      "22222222",   "33333333",    "44444444",   "12121212",
    "cheese12",  "freedom1",      "football1",  "jordan23",    "hello123",   "killer12",
    "loveme12",  "ninja123",      "pokemon1",   "samsung1",    "soccer12",   "summer12",
    "testtest",  "test1234",      "user1234",   "qwertyui",    "asdfasdf",   "letmein123",
};

bool is_common(std::string_view password) {
  std::string lower(password);
  for (auto& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lower) !=
         kCommonPasswords.end();
}

// Splits on runs of non-word characters, like re.split(r"\W+", value).
std::vector<std::vector<std::uint32_t>> word_parts(const std::vector<std::uint32_t>& value) {
  std::vector<std::vector<std::uint32_t>> parts(1);
  for (auto c : value) {
    const bool word = c >= 0x80 || c == '_' || is_ascii_alnum(static_cast<unsigned char>(c));
    if (word) {
      parts.back().push_back(c);
    } else if (!parts.back().empty()) {
      parts.emplace_back();
    }
  }
  return parts;
}

}  // namespace

size_t char_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool valid_username(std::string_view s) {
  if (s.empty() || char_length(s) > 150) return false;
  for (unsigned char c : s) {
    if (c >= 0x80) continue;  // part of a non-ASCII (Unicode word) character
    if (is_ascii_alnum(c) || c == '_' || c == '.' || c == '@' || c == '+' || c == '-') continue;
    return false;
  }
  return true;
}

bool valid_email(std::string_view s) {
  if (s.empty() || s.size() > 254) return false;
  const size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  const std::string_view user = s.substr(0, at), domain = s.substr(at + 1);
  // dot-atom: atoms of [-!#$%&'*+/=?^_`{}|~0-9A-Za-z] separated by single dots.
  static constexpr std::string_view kAtomSpecials = "-!#$%&'*+/=?^_`{}|~";
  bool prev_dot = true;
  for (unsigned char c : user) {
    if (c == '.') {
      if (prev_dot) return false;
      prev_dot = true;
    } else if (is_ascii_alnum(c) ||
               kAtomSpecials.find(static_cast<char>(c)) != std::string_view::npos) {
      prev_dot = false;
    } else {
      return false;
    }
  }
  if (prev_dot) return false;
  if (domain == "localhost") return true;
  // Labels [A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])? and a TLD of 2..63 that is not all digits.
  std::vector<std::string_view> labels;
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    labels.push_back(domain.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels.size() < 2) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto label = labels[i];
    if (label.empty() || label.size() > 63) return false;
    for (unsigned char c : label) {
      if (!is_ascii_alnum(c) && c != '-') return false;
    }
    const bool last = i + 1 == labels.size();
    if (!last && (label.front() == '-' || label.back() == '-')) return false;
    if (last) {
      if (label.size() < 2) return false;
      if (std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
      }
    }
  }
  return true;
}

std::string normalize_email(std::string_view s) {
  std::string out(s);
  const size_t at = out.rfind('@');
  if (at == std::string::npos) return out;
  for (size_t i = at + 1; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

bool valid_phone(std::string_view s) {
  // Three dash-separated digit groups of 2-3, 3-4 and 4 digits.
  const size_t d1 = s.find('-');
  if (d1 == std::string_view::npos) return false;
  const size_t d2 = s.find('-', d1 + 1);
  if (d2 == std::string_view::npos) return false;
  const std::string_view groups[3] = {s.substr(0, d1), s.substr(d1 + 1, d2 - d1 - 1),
                                      s.substr(d2 + 1)};
  const size_t lo[3] = {2, 3, 4}, hi[3] = {3, 4, 4};
  for (int i = 0; i < 3; ++i) {
    if (groups[i].size() < lo[i] || groups[i].size() > hi[i]) return false;
    for (char c : groups[i]) {
      if (c < '0' || c > '9') return false;
    }
  }
  return true;
}

std::optional<std::string> password_problem(std::string_view password, const UserAttributes& user) {
  // UserAttributeSimilarityValidator (max_similarity 0.7).
  constexpr double kMaxSimilarity = 0.7;
  const auto pw = lower_code_points(password);
  const std::pair<std::string_view, const char*> attributes[] = {{user.username, "사용자 이름"},
                                                                 {user.first_name, "이름"},
                                                                 {user.last_name, "성"},
                                                                 {user.email, "이메일 주소"}};
  for (const auto& [value, label] : attributes) {
    if (value.empty()) continue;
    const auto whole = lower_code_points(value);
    auto parts = word_parts(whole);
    parts.push_back(whole);
    for (const auto& part : parts) {
      // Django skips parts much shorter than the password (exceeds_maximum_length_ratio).
      const double pwd_len = static_cast<double>(pw.size());
      const double part_len = static_cast<double>(part.size());
      if (pwd_len >= 10 * part_len && part_len < kMaxSimilarity / 2 * pwd_len) continue;
      if (quick_ratio(pw, part) >= kMaxSimilarity) {
        return std::string("비밀번호가 ") + label + "와(과) 너무 유사합니다.";
      }
    }
  }
  // MinimumLengthValidator (8).
  if (pw.size() < 8) return "비밀번호가 너무 짧습니다. 최소 8 문자를 포함해야 합니다.";
  // CommonPasswordValidator.
  if (is_common(password)) return "비밀번호가 너무 일상적인 단어입니다.";
  // NumericPasswordValidator.
  if (std::all_of(password.begin(), password.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "비밀번호가 전부 숫자로 되어 있습니다.";
  }
  return std::nullopt;
}

}  // namespace shop::auth
