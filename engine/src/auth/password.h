// auth/password.h — Django-compatible password hashes (PBKDF2-HMAC-SHA256).
//
// Encoded form, exactly Django's PBKDF2PasswordHasher:
//   "pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte derived key>"
// so hashes move between the Django backend and shopd in both directions. The password is hashed
// as its UTF-8 bytes, the salt as its ASCII bytes.
//
// Cost: Django 5.2 (the reference) defaults to 1,000,000 iterations (4.2: 600,000; 5.0: 720,000;
// 5.1: 870,000). We default to 600,000 (~0.2 s of one core here). The cost is stored in each hash,
// so load-test accounts may be created with a low cost such as 1000 -- test-only, never for real
// accounts -- and verify() keeps working for hashes made at any supported cost.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace shop::password {

inline constexpr std::string_view kAlgorithm = "pbkdf2_sha256";
inline constexpr int kDefaultIterations = 600000;
// Bounds accepted by hash() and verify(); anything outside is treated as malformed, which also
// caps the CPU a forged hash in the database can make one login burn.
inline constexpr int kMinIterations = 1;
inline constexpr int kMaxIterations = 10'000'000;
// Django's salt: 22 characters of [a-zA-Z0-9], about 128 bits.
inline constexpr size_t kSaltLength = 22;

// Hashes with a fresh random salt. Returns "" if iterations is outside
// [kMinIterations, kMaxIterations]; verify() rejects "" so such an account cannot log in.
std::string hash(std::string_view password, int iterations = kDefaultIterations);

// Deterministic variant for tests and fixtures. Returns "" if the salt is empty or contains '$',
// or iterations is out of range.
std::string hash_with_salt(std::string_view password, std::string_view salt, int iterations);

// True only if `encoded` is a well-formed pbkdf2_sha256 hash of `password`. Any malformed
// encoding, unknown algorithm or out-of-range iteration count gives false; never throws.
bool verify(std::string_view password, std::string_view encoded);

// The iteration count of a well-formed encoded hash (to decide whether to re-hash at the current
// cost after a successful login), or nullopt if it is malformed.
std::optional<int> iterations_of(std::string_view encoded);

}  // namespace shop::password
