// auth/jwt.cpp — see jwt.h.
#include "auth/jwt.h"

#include <cstdint>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "auth/crypto.h"

namespace shop::jwt {
namespace {

using nlohmann::json;

// base64url of {"alg":"HS256","typ":"JWT"}, the header PyJWT writes (keys sorted, no spaces).
constexpr std::string_view kEncodedHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
constexpr size_t kSignatureLength = 32;

Error invalid(std::string message) {
  return Error::unauthenticated(std::move(message), std::string(kInvalidReason));
}

// Parses a base64url segment holding a JSON object; nullopt otherwise. No exception escapes.
std::optional<json> decode_object(std::string_view segment) {
  const auto text = crypto::base64url_decode(segment);
  if (!text) return std::nullopt;
  try {
    json value = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!value.is_object()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A JSON integer that fits int64_t.
std::optional<std::int64_t> get_int64(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return std::nullopt;
}

// user_id as a JSON integer or a canonical decimal string; must be positive.
std::optional<std::int64_t> get_user_id(const json& object) {
  const auto it = object.find("user_id");
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > 19 || text[0] == '0') return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      const int digit = c - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return std::nullopt;
      value = value * 10 + digit;
    }
    return value;
  }
  const auto value = get_int64(object, "user_id");
  if (!value || *value <= 0) return std::nullopt;
  return value;
}

// Appends `text` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text) {
  bool plain = true;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7F || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  // Escaping (and replacing invalid UTF-8 rather than throwing) is nlohmann's job.
  out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string_view token_type_name(TokenType type) {
  return type == TokenType::kRefresh ? "refresh" : "access";
}

std::string new_jti() {
  return crypto::random_hex(16);
}

Claims make_claims(TokenType type, std::int64_t user_id, std::int64_t now_seconds,
                   std::int64_t lifetime_seconds, std::int64_t generation) {
  return Claims{type, user_id, now_seconds, now_seconds + lifetime_seconds, new_jti(), generation};
}

std::string sign(const Claims& claims, std::string_view secret) {
  // Same claim order as simplejwt: token_type, exp, iat, jti, user_id.
  std::string payload;
  payload.reserve(128 + claims.jti.size());
  payload += "{\"token_type\":\"";
  payload += token_type_name(claims.type);
  payload += "\",\"exp\":";
  payload += std::to_string(claims.exp);
  payload += ",\"iat\":";
  payload += std::to_string(claims.iat);
  payload += ",\"jti\":";
  append_json_string(payload, claims.jti);
  payload += ",\"user_id\":\"";
  payload += std::to_string(claims.user_id);
  payload += '"';
  if (claims.generation != 0) {
    payload += ",\"gen\":";
    payload += std::to_string(claims.generation);
  }
  payload += '}';

  std::string token;
  token.reserve(kEncodedHeader.size() + payload.size() * 4 / 3 + 48);
  token += kEncodedHeader;
  token += '.';
  token += crypto::base64url_encode(payload);
  const std::string signature = crypto::hmac_sha256(secret, token);
  token += '.';
  token += crypto::base64url_encode(signature);
  return token;
}

shop::Result<Claims> verify(std::string_view token, std::string_view secret,
                            std::int64_t now_seconds, TokenType expected) {
  if (token.empty() || token.size() > kMaxTokenLength) return invalid("Token is invalid");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return invalid("Token is invalid");
  }
  const std::string_view header_segment = token.substr(0, dot1);
  const std::string_view payload_segment = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_segment = token.substr(dot2 + 1);

  // The algorithm is fixed, whatever the header asks for: alg "none" or a public-key algorithm
  // must never change how the signature is checked.
  const auto header = decode_object(header_segment);
  if (!header) return invalid("Token is invalid");
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256") {
    return invalid("Token is invalid");
  }
  const auto signature = crypto::base64url_decode(signature_segment);
  if (!signature || signature->size() != kSignatureLength) return invalid("Token is invalid");
  const std::string expected_signature = crypto::hmac_sha256(secret, token.substr(0, dot2));
  if (!crypto::constant_time_equal(*signature, expected_signature)) {
    return invalid("Token is invalid");
  }

  const auto payload = decode_object(payload_segment);
  if (!payload) return invalid("Token is invalid");
  const auto exp = get_int64(*payload, "exp");
  if (!exp) return invalid("Token has no valid 'exp' claim");
  if (*exp <= now_seconds) return invalid("Token is expired");
  const auto iat = get_int64(*payload, "iat");
  if (!iat) return invalid("Token has no valid 'iat' claim");
  if (*iat > now_seconds) return invalid("Token is not yet valid");
  const auto jti = payload->find("jti");
  if (jti == payload->end() || !jti->is_string() || jti->get_ref<const std::string&>().empty()) {
    return invalid("Token has no id");
  }
  const auto type = payload->find("token_type");
  if (type == payload->end() || !type->is_string()) return invalid("Token has no type");
  if (type->get_ref<const std::string&>() != token_type_name(expected)) {
    return invalid("Token has wrong type");
  }
  const auto user_id = get_user_id(*payload);
  if (!user_id) return invalid("Token contained no recognizable user identification");
  std::int64_t generation = 0;  // absent: a token from before generations (or generation 0)
  if (payload->contains("gen")) {
    const auto gen = get_int64(*payload, "gen");
    if (!gen || *gen < 0) return invalid("Token has no valid 'gen' claim");
    generation = *gen;
  }

  return Claims{expected, *user_id, *iat, *exp, jti->get<std::string>(), generation};
}

}  // namespace shop::jwt
