// auth/password.cpp — see password.h.
#include "auth/password.h"

#include <openssl/evp.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "auth/crypto.h"

namespace shop::password {
namespace {

constexpr size_t kKeyLength = 32;  // SHA-256 output, as Django's PBKDF2PasswordHasher uses

struct Decoded {
  int iterations = 0;
  std::string_view salt;
  std::string key;  // raw derived key
};

bool iterations_in_range(int iterations) {
  return iterations >= kMinIterations && iterations <= kMaxIterations;
}

// Canonical decimal only (no sign, spaces or leading zeros): Django compares the whole re-encoded
// string, so "0600000" would never verify there either.
std::optional<int> parse_iterations(std::string_view text) {
  if (text.empty() || text.size() > 8 || text[0] == '0') return std::nullopt;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (!iterations_in_range(value)) return std::nullopt;
  return value;
}

std::optional<Decoded> decode(std::string_view encoded) {
  std::string_view parts[4];
  size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    const size_t end = encoded.find('$', start);
    if (end == std::string_view::npos) return std::nullopt;
    parts[i] = encoded.substr(start, end - start);
    start = end + 1;
  }
  parts[3] = encoded.substr(start);
  if (parts[0] != kAlgorithm || parts[2].empty()) return std::nullopt;
  const auto iterations = parse_iterations(parts[1]);
  if (!iterations) return std::nullopt;
  auto key = crypto::base64_decode(parts[3]);  // also rejects a fifth '$' field
  if (!key || key->size() != kKeyLength) return std::nullopt;
  return Decoded{*iterations, parts[2], std::move(*key)};
}

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations) {
  // PBKDF2's PRF is HMAC keyed by the password, and HMAC replaces an over-long key by its digest,
  // so pre-hashing a password too long for OpenSSL's int length gives the same result.
  std::string hashed_password;
  if (password.size() > static_cast<size_t>(INT_MAX)) {
    hashed_password = crypto::sha256(password);
    password = hashed_password;
  }
  unsigned char key[kKeyLength];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), kKeyLength,
                        key) != 1) {
    std::fputs("shop::password: OpenSSL PKCS5_PBKDF2_HMAC failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(key), kKeyLength);
}

}  // namespace

std::string hash(std::string_view password, int iterations) {
  return hash_with_salt(password, crypto::random_alphanumeric(kSaltLength), iterations);
}

std::string hash_with_salt(std::string_view password, std::string_view salt, int iterations) {
  if (!iterations_in_range(iterations) || salt.empty() ||
      salt.find('$') != std::string_view::npos || salt.size() > static_cast<size_t>(INT_MAX)) {
    return {};
  }
  std::string out;
  out.reserve(kAlgorithm.size() + salt.size() + 64);
  out += kAlgorithm;
  out += '$';
  out += std::to_string(iterations);
  out += '$';
  out += salt;
  out += '$';
  out += crypto::base64_encode(pbkdf2_sha256(password, salt, iterations));
  return out;
}

bool verify(std::string_view password, std::string_view encoded) {
  // Validate the format first: a malformed hash costs nothing.
  const auto decoded = decode(encoded);
  if (!decoded || decoded->salt.size() > static_cast<size_t>(INT_MAX)) return false;
  return crypto::constant_time_equal(pbkdf2_sha256(password, decoded->salt, decoded->iterations),
                                     decoded->key);
}

std::optional<int> iterations_of(std::string_view encoded) {
  const auto decoded = decode(encoded);
  if (!decoded) return std::nullopt;
  return decoded->iterations;
}

}  // namespace shop::password
