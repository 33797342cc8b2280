// auth/jwt.h — HS256 JSON Web Tokens compatible with djangorestframework-simplejwt.
//
// Header {"alg":"HS256","typ":"JWT"}; claims token_type ("access" | "refresh"), exp, iat (integer
// seconds since the epoch), jti (32 hex chars) and user_id. user_id is emitted as a string and
// accepted as a JSON integer or a decimal string, so tokens minted by the Django backend (which
// may use either) keep working. One claim of our own: gen, the user's token generation when the
// token was issued (Auth revokes every token of a user by raising it). It is written only when
// non-zero and read as 0 when absent, so generation-0 tokens are byte-for-byte simplejwt's and
// tokens issued before the claim existed keep their meaning.
//
// verify() accepts a token only if: it has three base64url segments (strict, unpadded); header and
// payload are JSON objects; alg is exactly "HS256" (so "none" and RS/ES algorithms are refused);
// the HMAC-SHA256 signature matches (constant-time); exp, iat are integers, jti is a non-empty
// string, user_id a positive id and gen (if present) a non-negative integer; exp > now (simplejwt
// treats exp == now as expired); iat <= now (PyJWT refuses tokens issued in the future); token_type
// is the expected one. Every failure is Error::unauthenticated(<message>, "token_not_valid"); the
// message says which check failed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shop/result.h"

namespace shop::jwt {

enum class TokenType { kAccess, kRefresh };

struct Claims {
  TokenType type = TokenType::kAccess;
  std::int64_t user_id = 0;
  std::int64_t iat = 0;  // seconds since the epoch
  std::int64_t exp = 0;  // seconds since the epoch
  std::string jti;
  std::int64_t generation = 0;  // the gen claim
};

// The reference's lifetimes (SIMPLE_JWT settings): access 30 minutes, refresh 7 days.
inline constexpr std::int64_t kAccessLifetimeSeconds = 30 * 60;
inline constexpr std::int64_t kRefreshLifetimeSeconds = 7 * 24 * 60 * 60;
// Longer tokens are refused before any decoding; ours are about 250 bytes.
inline constexpr size_t kMaxTokenLength = 4096;
inline constexpr std::string_view kInvalidReason = "token_not_valid";

// "access" or "refresh": the token_type claim.
std::string_view token_type_name(TokenType type);

// A fresh token id: 32 lowercase hex characters (128 random bits), like uuid4().hex.
std::string new_jti();

// Claims for a new token issued at now_seconds: iat = now, exp = now + lifetime, a fresh jti.
Claims make_claims(TokenType type, std::int64_t user_id, std::int64_t now_seconds,
                   std::int64_t lifetime_seconds, std::int64_t generation = 0);

// Encodes and signs; the claims are used as given (the caller picks jti, iat and exp).
std::string sign(const Claims& claims, std::string_view secret);

// Checks `token` as described above; now_seconds comes from the engine's clock.
shop::Result<Claims> verify(std::string_view token, std::string_view secret,
                            std::int64_t now_seconds, TokenType expected);

}  // namespace shop::jwt
