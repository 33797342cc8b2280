// auth/crypto.h — small wrappers over OpenSSL: secure random, hex/base64 codecs, SHA-256,
// HMAC-SHA256 and a constant-time comparison. Byte strings travel as std::string.
//
// Nothing here throws. Decoders return std::nullopt for malformed input. The random functions use
// OpenSSL's CSPRNG and abort the process if it fails: continuing with predictable bytes would be
// worse than stopping.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace shop::crypto {

// n bytes from the CSPRNG.
std::string random_bytes(size_t n);
// 2 * nbytes lowercase hex characters encoding nbytes random bytes.
std::string random_hex(size_t nbytes);
// nchars characters drawn uniformly from the base64url alphabet (6 bits of entropy each).
std::string random_urlsafe(size_t nchars);
// n characters drawn uniformly from `alphabet` (1..256 distinct bytes), by rejection sampling so
// no character is favoured. Returns "" if the alphabet is empty or longer than 256.
std::string random_string(size_t n, std::string_view alphabet);
// n characters from [a-zA-Z0-9], like Django's get_random_string().
std::string random_alphanumeric(size_t n);

// Lowercase hex of the bytes.
std::string hex(std::string_view bytes);

// Standard base64 (RFC 4648 section 4) with '=' padding.
std::string base64_encode(std::string_view bytes);
// Strict: the length must be a multiple of 4, padding only at the end, no whitespace, no foreign
// characters, and unused trailing bits must be zero (so every byte string has one encoding).
std::optional<std::string> base64_decode(std::string_view text);

// base64url (RFC 4648 section 5) without padding, as JWTs use it.
std::string base64url_encode(std::string_view bytes);
// Strict: only [A-Za-z0-9_-], no padding, no impossible lengths, zero trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

// Raw 32-byte digests.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256(std::string_view data);

// True when the two strings are equal. The time taken depends only on the lengths, never on
// where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace shop::crypto
