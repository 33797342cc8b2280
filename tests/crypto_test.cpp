// Tests for auth/crypto, auth/password and auth/jwt. Expected values that are not round trips come
// from independent implementations: RFC 4231/4648 vectors, and Python's hashlib/hmac (the same
// code Django and PyJWT run).
#include "auth/crypto.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "auth/jwt.h"
#include "auth/password.h"

TEST_SUITE_BEGIN("crypto");

namespace crypto = shop::crypto;
namespace password = shop::password;
namespace jwt = shop::jwt;

TEST_CASE("hex and sha256") {
  CHECK(crypto::hex(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(crypto::hex(crypto::sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("HMAC-SHA256 RFC 4231 test cases 1 and 2") {
  CHECK(crypto::hex(crypto::hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(crypto::hex(crypto::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Empty key and data (value from Python's hmac).
  CHECK(crypto::hex(crypto::hmac_sha256("", "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("base64 RFC 4648 vectors and strict decoding") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(crypto::base64_encode(plain) == encoded);
    const auto decoded = crypto::base64_decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == plain);
  }
  CHECK(crypto::base64_encode("\xfb\xff") == "+/8=");
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "Zm9v\n", "Zm 9v",
                          "Zm9v====", "Zh==", "=Zm9", "Zm=v", "-_8="}) {
    CAPTURE(bad);
    CHECK_FALSE(crypto::base64_decode(bad));
  }
}

TEST_CASE("base64url round trip and rejection") {
  CHECK(crypto::base64url_encode("\xfb\xff") == "-_8");
  CHECK(crypto::base64url_encode("f") == "Zg");
  for (size_t len = 0; len < 70; ++len) {
    const std::string bytes = crypto::random_bytes(len);
    const std::string encoded = crypto::base64url_encode(bytes);
    CHECK(encoded.find_first_of("+/=") == std::string::npos);
    const auto decoded = crypto::base64url_decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }
  // Padding, standard-alphabet characters, whitespace, dots, impossible lengths, and non-zero
  // trailing bits (a second spelling of the same bytes) are all refused.
  for (const char* bad : {"Zg==", "+/8", "Zm9v ", "Zm.9", "Z", "Zm9vY", "Zh", "Zm9=", "\xc3\xa9"}) {
    CAPTURE(bad);
    CHECK_FALSE(crypto::base64url_decode(bad));
  }
  CHECK(crypto::base64url_decode("")->empty());
}

TEST_CASE("random helpers") {
  CHECK(crypto::random_bytes(0).empty());
  CHECK(crypto::random_bytes(33).size() == 33);
  const std::string h = crypto::random_hex(16);
  CHECK(h.size() == 32);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(crypto::random_hex(16) != h);
  const std::string u = crypto::random_urlsafe(43);
  CHECK(u.size() == 43);
  CHECK(u.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  const std::string a = crypto::random_alphanumeric(2000);
  CHECK(a.size() == 2000);
  CHECK(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        std::string::npos);
  CHECK(std::set<char>(a.begin(), a.end()).size() == 62);  // all 62 appear (fails w.p. ~1e-12)
  CHECK(crypto::random_string(6, "AB").find_first_not_of("AB") == std::string::npos);
  CHECK(crypto::random_string(6, "").empty());
}

TEST_CASE("constant_time_equal") {
  CHECK(crypto::constant_time_equal("", ""));
  CHECK(crypto::constant_time_equal("abc", "abc"));
  CHECK_FALSE(crypto::constant_time_equal("abc", "abd"));
  CHECK_FALSE(crypto::constant_time_equal("abc", "ab"));
  CHECK_FALSE(crypto::constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// Django-format hashes computed with Python:
//   base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'testpass123', b'somesalt', N)).decode()
constexpr const char* kDjango1000 =
    "pbkdf2_sha256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=";
constexpr const char* kDjango870000 =  // Django 5.1's default cost
    "pbkdf2_sha256$870000$somesalt$obHaoWDIutOOAg+mRw2jaa+DxVutvgb/sbW47yQEF8M=";

TEST_CASE("password hashes verify against Python-computed Django vectors") {
  CHECK(password::hash_with_salt("testpass123", "somesalt", 1000) == kDjango1000);
  CHECK(password::verify("testpass123", kDjango1000));
  CHECK_FALSE(password::verify("testpass124", kDjango1000));
  CHECK_FALSE(password::verify("", kDjango1000));
  CHECK(password::verify("testpass123", kDjango870000));
  CHECK(password::iterations_of(kDjango870000) == 870000);
  // Non-ASCII password hashed as UTF-8, 22-character salt.
  CHECK(password::verify("p\xc3\xa4sswörd\xed\x95\x9c\xea\xb8\x80",
                         "pbkdf2_sha256$1000$AbCdEfGhIjKlMnOpQrStUv$"
                         "W+J6vVqLBf/aoATb+F9ZTcP4VA/w7QS7ZYTZxyppJDY="));
}

TEST_CASE("password hash/verify round trip") {
  const std::string encoded = password::hash("correct horse", 1000);
  CAPTURE(encoded);
  CHECK(encoded.rfind("pbkdf2_sha256$1000$", 0) == 0);
  const std::string salt = encoded.substr(19, encoded.find('$', 19) - 19);
  CHECK(salt.size() == password::kSaltLength);
  CHECK(salt.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        std::string::npos);
  CHECK(password::verify("correct horse", encoded));
  CHECK_FALSE(password::verify("correct horsE", encoded));
  CHECK(password::hash("correct horse", 1000) != encoded);  // fresh salt each time
  CHECK(password::iterations_of(encoded) == 1000);
  // An embedded NUL is part of the password, not its end.
  const std::string with_nul("ab\0cd", 5);
  const std::string nul_hash = password::hash(with_nul, 1000);
  CHECK(password::verify(with_nul, nul_hash));
  CHECK_FALSE(password::verify("ab", nul_hash));
}

TEST_CASE("password arguments out of range give an unusable empty hash") {
  CHECK(password::hash("x", 0).empty());
  CHECK(password::hash("x", -5).empty());
  CHECK(password::hash("x", password::kMaxIterations + 1).empty());
  CHECK(password::hash_with_salt("x", "", 1000).empty());
  CHECK(password::hash_with_salt("x", "a$b", 1000).empty());
  CHECK_FALSE(password::verify("x", ""));
}

TEST_CASE("malformed password encodings are rejected without throwing") {
  const char* bad[] = {
      "",
      "pbkdf2_sha256",
      "pbkdf2_sha256$1000$somesalt",
      "pbkdf2_sha1$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$abc",
      "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuv",
      "!unusablepassword",
      "pbkdf2_sha256$0$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$-1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$01000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$+1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$1e3$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$10000001$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$99999999999999999999$s$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$1000$$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
      "pbkdf2_sha256$1000$somesalt$",
      "pbkdf2_sha256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo",
      "pbkdf2_sha256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynz==",
      "pbkdf2_sha256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=$x",
      "pbkdf2_sha256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo= ",
      "pbkdf2_sha256$1000$somesalt$Zm9v",
      "PBKDF2_SHA256$1000$somesalt$y25i8LPk4pDmXiu8ZX5zK4+sHeDu2HUuZ9T+sb5Ynzo=",
  };
  for (const char* encoded : bad) {
    CAPTURE(encoded);
    CHECK_FALSE(password::verify("testpass123", encoded));
    CHECK_FALSE(password::iterations_of(encoded));
  }
  CHECK(password::iterations_of(kDjango1000) == 1000);
}

namespace {

constexpr std::string_view kSecret = "django-insecure-test-secret";
constexpr std::int64_t kNow = 1'700'000'100;

// A token with arbitrary header and payload JSON, correctly signed, so each test below breaks
// exactly one thing.
std::string make_token(std::string_view header_json, std::string_view payload_json,
                       std::string_view secret = kSecret) {
  std::string token =
      crypto::base64url_encode(header_json) + "." + crypto::base64url_encode(payload_json);
  return token + "." + crypto::base64url_encode(crypto::hmac_sha256(secret, token));
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

jwt::Claims sample_claims() {
  return jwt::Claims{jwt::TokenType::kAccess, 42, 1'700'000'000, 1'700'001'800,
                     "0123456789abcdef0123456789abcdef"};
}

void check_rejected(const shop::Result<jwt::Claims>& result) {
  REQUIRE_FALSE(result.is_ok());
  CHECK(result.error().code == shop::ErrorCode::kUnauthenticated);
  CHECK(result.error().reason == "token_not_valid");
  CHECK_FALSE(result.error().message.empty());
}

}  // namespace

TEST_CASE("jwt sign/verify round trip") {
  const jwt::Claims claims = sample_claims();
  const std::string token = jwt::sign(claims, kSecret);
  CHECK(token.rfind("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 0) == 0);
  const auto result = jwt::verify(token, kSecret, kNow, jwt::TokenType::kAccess);
  REQUIRE(result.is_ok());
  CHECK(result->type == jwt::TokenType::kAccess);
  CHECK(result->user_id == 42);
  CHECK(result->iat == claims.iat);
  CHECK(result->exp == claims.exp);
  CHECK(result->jti == claims.jti);

  // user_id travels as a string.
  const std::string_view payload_segment(token.data() + token.find('.') + 1,
                                         token.rfind('.') - token.find('.') - 1);
  const auto payload = crypto::base64url_decode(payload_segment);
  REQUIRE(payload);
  CHECK(payload->find(R"("user_id":"42")") != std::string::npos);
  CHECK(payload->find(R"("token_type":"access")") != std::string::npos);
}

TEST_CASE("jwt make_claims and new_jti") {
  const jwt::Claims claims =
      jwt::make_claims(jwt::TokenType::kRefresh, 9, kNow, jwt::kRefreshLifetimeSeconds);
  CHECK(claims.iat == kNow);
  CHECK(claims.exp == kNow + 7 * 86400);
  CHECK(claims.jti.size() == 32);
  CHECK(claims.jti.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(jwt::new_jti() != claims.jti);
  const auto result =
      jwt::verify(jwt::sign(claims, kSecret), kSecret, kNow, jwt::TokenType::kRefresh);
  REQUIRE(result.is_ok());
  CHECK(result->type == jwt::TokenType::kRefresh);
  CHECK(result->user_id == 9);
}

// Tokens made by PyJWT's algorithm in Python (hmac + urlsafe_b64encode, compact JSON).
TEST_CASE("jwt interoperates with Python-made tokens") {
  // user_id as a JSON integer, as older simplejwt versions write it.
  const char* access_int_user =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzAwMDAxODAwLCJp"
      "YXQiOjE3MDAwMDAwMDAsImp0aSI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIiwidXNlcl9pZCI6NDJ9"
      "."
      "6M9xElxNDSREiIC1HMfVuyTI5g124Aw5PKCjgiBImfk";
  const auto access = jwt::verify(access_int_user, kSecret, kNow, jwt::TokenType::kAccess);
  REQUIRE(access.is_ok());
  CHECK(access->user_id == 42);
  CHECK(access->jti == "0123456789abcdef0123456789abcdef");

  // user_id as a string: our sign() must produce the very same bytes.
  const std::string refresh_string_user =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTcwMDYwNDgwMCwi"
      "aWF0IjoxNzAwMDAwMDAwLCJqdGkiOiJmZWRjYmE5ODc2NTQzMjEwZmVkY2JhOTg3NjU0MzIxMCIsInVzZXJfaWQiOiI3"
      "In"
      "0.8Xp5yvO62c3ANmbO-FAUo7erLxdTdf-mZQHJlXNAmEQ";
  const jwt::Claims claims{jwt::TokenType::kRefresh, 7, 1'700'000'000, 1'700'604'800,
                           "fedcba9876543210fedcba9876543210"};
  CHECK(jwt::sign(claims, kSecret) == refresh_string_user);
  const auto refresh = jwt::verify(refresh_string_user, kSecret, kNow, jwt::TokenType::kRefresh);
  REQUIRE(refresh.is_ok());
  CHECK(refresh->user_id == 7);
}

TEST_CASE("jwt accepts user_id as an integer") {
  const auto result =
      jwt::verify(make_token(kHeader, R"({"token_type":"access","exp":1700001800,"iat":1700000000,)"
                                      R"("jti":"abc","user_id":12345678901})"),
                  kSecret, kNow, jwt::TokenType::kAccess);
  REQUIRE(result.is_ok());
  CHECK(result->user_id == 12345678901);
}

TEST_CASE("jwt rejects a tampered payload or signature, or the wrong secret") {
  const std::string token = jwt::sign(sample_claims(), kSecret);
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.rfind('.');

  // Payload swapped for one naming another user, signature kept.
  jwt::Claims other = sample_claims();
  other.user_id = 1;
  const std::string other_token = jwt::sign(other, kSecret);
  const std::string forged = token.substr(0, dot1) +
                             other_token.substr(dot1, other_token.rfind('.') - dot1) +
                             token.substr(dot2);
  check_rejected(jwt::verify(forged, kSecret, kNow, jwt::TokenType::kAccess));

  // One character of the payload changed.
  std::string tampered = token;
  tampered[dot1 + 5] = tampered[dot1 + 5] == 'A' ? 'B' : 'A';
  check_rejected(jwt::verify(tampered, kSecret, kNow, jwt::TokenType::kAccess));

  // Each signature character changed in turn, including the last one (whose low bits are unused
  // padding: a lax decoder would accept some of these).
  for (size_t i = dot2 + 1; i < token.size(); ++i) {
    for (const char c : {'A', 'B', 'Q', 'g', 'w', '-'}) {
      if (token[i] == c) continue;
      std::string bad_signature = token;
      bad_signature[i] = c;
      CAPTURE(bad_signature);
      check_rejected(jwt::verify(bad_signature, kSecret, kNow, jwt::TokenType::kAccess));
    }
  }
  check_rejected(jwt::verify(token.substr(0, dot2 + 1), kSecret, kNow, jwt::TokenType::kAccess));
  check_rejected(jwt::verify(token, "another-secret", kNow, jwt::TokenType::kAccess));
  check_rejected(jwt::verify(token, "", kNow, jwt::TokenType::kAccess));
}

TEST_CASE("jwt rejects alg none and other algorithms") {
  const std::string payload =
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":"1"})";
  // Unsigned, as an attacker would send it.
  check_rejected(jwt::verify(crypto::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                                 crypto::base64url_encode(payload) + ".",
                             kSecret, kNow, jwt::TokenType::kAccess));
  // Even correctly HMAC-signed, any alg but HS256 is refused.
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512","typ":"JWT"})",
                             R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"hs256"})",
                             R"({"alg":["HS256"]})", R"({"typ":"JWT"})", R"({"alg":null})"}) {
    CAPTURE(header);
    check_rejected(
        jwt::verify(make_token(header, payload), kSecret, kNow, jwt::TokenType::kAccess));
  }
  // Without typ, HS256 is fine (PyJWT does not require it).
  CHECK(
      jwt::verify(make_token(R"({"alg":"HS256"})", payload), kSecret, kNow, jwt::TokenType::kAccess)
          .is_ok());
}

TEST_CASE("jwt expiry and issue time") {
  jwt::Claims claims = sample_claims();
  const std::string token = jwt::sign(claims, kSecret);
  CHECK(jwt::verify(token, kSecret, claims.exp - 1, jwt::TokenType::kAccess).is_ok());
  check_rejected(jwt::verify(token, kSecret, claims.exp, jwt::TokenType::kAccess));
  check_rejected(jwt::verify(token, kSecret, claims.exp + 1000, jwt::TokenType::kAccess));
  CHECK(jwt::verify(token, kSecret, claims.iat, jwt::TokenType::kAccess).is_ok());
  check_rejected(jwt::verify(token, kSecret, claims.iat - 1, jwt::TokenType::kAccess));
}

TEST_CASE("jwt rejects the wrong token type") {
  jwt::Claims claims = sample_claims();
  check_rejected(jwt::verify(jwt::sign(claims, kSecret), kSecret, kNow, jwt::TokenType::kRefresh));
  claims.type = jwt::TokenType::kRefresh;
  check_rejected(jwt::verify(jwt::sign(claims, kSecret), kSecret, kNow, jwt::TokenType::kAccess));
  for (const char* type : {R"("sliding")", R"("")", "1", "null", R"("ACCESS")"}) {
    CAPTURE(type);
    check_rejected(jwt::verify(
        make_token(kHeader, std::string(R"({"token_type":)") + type +
                                R"(,"exp":1700001800,"iat":1700000000,"jti":"a","user_id":"1"})"),
        kSecret, kNow, jwt::TokenType::kAccess));
  }
}

TEST_CASE("jwt rejects missing or ill-typed claims") {
  const char* payloads[] = {
      R"({"exp":1700001800,"iat":1700000000,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","iat":1700000000,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","exp":"1700001800","iat":1700000000,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","exp":1700001800.5,"iat":1700000000,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","exp":18446744073709551615,"iat":1700000000,"jti":"a","user_id":1})",
      R"({"token_type":"access","exp":1e30,"iat":1700000000,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","exp":1700001800,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","exp":1700001800,"iat":null,"jti":"a","user_id":"1"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"user_id":"1"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"","user_id":"1"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":5,"user_id":"1"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":"abc"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":""})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":"-1"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":"01"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":" 1"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":0})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":-3})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":1.5})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":true})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":[1]})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a",)"
      R"("user_id":"99999999999999999999"})",
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a",)"
      R"("user_id":99999999999999999999})",
  };
  for (const char* payload : payloads) {
    CAPTURE(payload);
    check_rejected(
        jwt::verify(make_token(kHeader, payload), kSecret, kNow, jwt::TokenType::kAccess));
  }
}

TEST_CASE("jwt rejects garbage") {
  const std::string good = jwt::sign(sample_claims(), kSecret);
  const std::string garbage[] = {
      "",
      ".",
      "..",
      "...",
      "abc",
      "a.b",
      "a.b.c",
      "a.b.c.d",
      good + ".",
      "." + good,
      good + "." + good,
      good.substr(0, good.size() / 2),
      "Bearer " + good,
      good + " ",
      good + "=",
      std::string(10000, 'A') + "." + std::string(10000, 'A') + "." + std::string(10000, 'A'),
      std::string("\0\0.\0.\0", 6),
      "\xff\xfe.\xff.\xff",
  };
  for (const std::string& token : garbage) {
    CAPTURE(token);
    check_rejected(jwt::verify(token, kSecret, kNow, jwt::TokenType::kAccess));
  }
  // Correctly signed, but header or payload is not a JSON object.
  const std::string payload =
      R"({"token_type":"access","exp":1700001800,"iat":1700000000,"jti":"a","user_id":"1"})";
  for (const char* json : {"", "null", "[]", R"(["alg","HS256"])", R"("HS256")", "42", "{",
                           R"({"alg":"HS256"} x)", "{\"alg\":\"HS256\xff\"}", "not json"}) {
    CAPTURE(json);
    check_rejected(jwt::verify(make_token(json, payload), kSecret, kNow, jwt::TokenType::kAccess));
    check_rejected(jwt::verify(make_token(kHeader, json), kSecret, kNow, jwt::TokenType::kAccess));
  }
  // Deeply nested JSON is refused without crashing.
  const std::string deep = std::string(1500, '[') + std::string(1500, ']');
  check_rejected(jwt::verify(make_token(kHeader, deep), kSecret, kNow, jwt::TokenType::kAccess));
}

TEST_CASE("jwt escapes an unusual jti instead of emitting broken JSON") {
  jwt::Claims claims = sample_claims();
  claims.jti = "quote\" back\\slash \n\x01 \xff";
  const auto result =
      jwt::verify(jwt::sign(claims, kSecret), kSecret, kNow, jwt::TokenType::kAccess);
  REQUIRE(result.is_ok());
  CHECK(result->jti.rfind("quote\" back\\slash \n\x01 ", 0) == 0);  // \xff became U+FFFD
}

TEST_SUITE_END();
