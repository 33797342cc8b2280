// shop/auth.h — users, passwords, JWT access/refresh tokens, profiles.
//
// Tokens: HS256 JWTs (access 30 min, refresh 7 days). Refresh tokens rotate: each refresh revokes
// the presented token and issues a new one; a revoked or unknown refresh token is refused (401).
// Access tokens are stateless: they stay valid until expiry (30 min) after logout or a password
// change; withdrawing or deactivating the account makes them fail at once (authenticate() checks
// the user row).
//
// Passwords: Django-format PBKDF2 hashes. Hashing and verifying at a real cost (more than
// kUngatedPasswordIterations) pass a KDF admission gate of EngineOptions::
// max_concurrent_password_checks slots, so a login storm cannot take every core from the other
// requests; a caller waits for a slot at most kPasswordGateWait, and only kPasswordWaitersPerSlot
// callers per slot may wait, so waiting logins cannot hold every HTTP thread either. Otherwise
// the caller gets kUnavailable (503 + Retry-After).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}
namespace auth {
class KdfGate;
}

// Hashes at or below this cost (test and load-test accounts only) skip the KDF gate.
inline constexpr int kUngatedPasswordIterations = 10'000;
// A caller waits at most this long for a gate slot, and at most this many callers per slot wait
// at once (each waiter holds an HTTP thread); beyond either bound: kUnavailable (503).
inline constexpr std::chrono::milliseconds kPasswordGateWait{10'000};
inline constexpr int kPasswordWaitersPerSlot = 8;  // default; see set_max_password_waiters

// Who a valid access token speaks for.
struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  bool is_staff = false;
  bool is_seller = false;
};

// A new account. Every field is validated by create_user (Django's rules).
struct NewUser {
  std::string username;  // required, <= 150 chars of letters, digits and . @ + - _
  std::string email;     // required, valid, unique (case-insensitive)
  std::string password;  // required; Django's validators (length, common, numeric, similarity)
  std::optional<std::string> password_confirm;  // when given, must equal password
  std::string first_name, last_name;            // <= 150
  std::string phone_number;                     // "" or ^\d{2,3}-\d{3,4}-\d{4}$
  std::optional<std::string> birth_date;        // YYYY-MM-DD
  std::string postal_code;                      // <= 10
  std::string address, address_detail;          // <= 255
  bool agree_marketing_email = false;
  bool agree_marketing_sms = false;
  // Operator / test-data flags (not settable through the register API).
  bool is_email_verified = false;
  bool is_staff = false;
  bool is_seller = false;
  std::string membership_level = "bronze";  // bronze | silver | gold | vip
  // PBKDF2 cost for this account's hash; nullopt: EngineOptions::password_iterations. A low value
  // (e.g. 1000) is for load-test accounts only: it makes their hash cheap to attack.
  std::optional<int> password_iterations;
  bool skip_password_validation = false;  // operator-created accounts (e.g. fixed test passwords)
  std::string origin;                     // test-data tag ("" = real data, stored as NULL)
};

struct UserSummary {
  std::int64_t id = 0;
  std::string username;
  std::string email;
};

struct TokenPair {
  std::string access;
  std::string refresh;
};

// What login and register return.
struct Session {
  UserSummary user;
  TokenPair tokens;
};

// The contract's Profile object (plus is_staff/is_seller for callers that need them).
struct Profile {
  std::int64_t id = 0;
  std::string username, email, first_name, last_name, phone_number;
  std::optional<std::string> birth_date;
  std::string postal_code, address, address_detail;
  std::string membership_level;
  std::int64_t points = 0;
  bool is_email_verified = false;
  bool email_verification_pending = false;  // no e-mail verification tokens yet: always false
  bool is_phone_verified = false;
  bool agree_marketing_email = false;
  bool agree_marketing_sms = false;
  bool is_staff = false;
  bool is_seller = false;
  Micros date_joined = 0;
  std::optional<Micros> last_login;
};

// Writable profile fields; unset members are left as they are.
struct ProfileUpdate {
  std::optional<std::string> email;  // required when !partial (PUT); a change resets verification
  std::optional<std::string> first_name, last_name, phone_number;
  std::optional<std::optional<std::string>> birth_date;  // set to nullopt to clear
  std::optional<std::string> postal_code, address, address_detail;
  std::optional<bool> agree_marketing_email, agree_marketing_sms;
};

class Auth {
 public:
  explicit Auth(detail::EngineContext& ctx);
  ~Auth();

  // Validates and creates an account; returns its id. Errors: kInvalidArgument with `field`
  // (username, email, password, phone_number, ...), reason "DUPLICATE" for a taken username/email;
  // kUnavailable when the KDF gate is saturated.
  Result<std::int64_t> create_user(const NewUser& user);
  // create_user + a token pair (the register endpoint).
  Result<Session> register_user(const NewUser& user);

  // Checks the password and issues tokens; records last_login/last_login_ip. Wrong credentials,
  // inactive or withdrawn accounts: kInvalidArgument without a field (400 non_field_errors).
  // Unknown usernames pay a dummy verify at the default cost so timing does not reveal them.
  Result<Session> login(std::string_view username, std::string_view password, std::string_view ip);
  // Revokes a refresh token of the caller. Errors: kInvalidArgument (malformed, expired,
  // unknown, already revoked, or another user's token).
  Status logout(std::int64_t user_id, std::string_view refresh_token);
  // Rotation: revokes the presented refresh token and returns a new pair. Errors:
  // kUnauthenticated "token_not_valid" (invalid, expired, revoked/reused, user inactive).
  Result<TokenPair> refresh(std::string_view refresh_token);

  // Verifies an access JWT (signature, expiry, type) and that its user exists and is active.
  // Errors: kUnauthenticated with reason "token_not_valid". One indexed read.
  Result<Principal> authenticate(std::string_view access_token) const;

  Result<Profile> profile(std::int64_t user_id) const;
  // partial=false (PUT) requires update.email. Errors: kInvalidArgument with `field`.
  Result<Profile> update_profile(std::int64_t user_id, const ProfileUpdate& update, bool partial);
  // Errors: field "old_password" (wrong), "new_password" (validators, mismatch).
  Status change_password(std::int64_t user_id, std::string_view old_password,
                         std::string_view new_password, std::string_view new_password2);
  // Marks the account withdrawn and inactive and revokes its refresh tokens. Wrong password:
  // kInvalidArgument field "password".
  Status withdraw(std::int64_t user_id, std::string_view password);

  // How many callers may wait for a KDF slot at once (default: kPasswordWaitersPerSlot per slot).
  // Each waiter holds its HTTP thread, so a server should keep this well below its thread count
  // (e.g. threads / 4) or a storm of real-cost logins leaves no thread for other requests.
  void set_max_password_waiters(int waiters);

  // Issues a token pair for an existing active user without a password (operator tools, tests).
  Result<TokenPair> issue_tokens(std::int64_t user_id);

  // Django's password validators on their own (for forms that check before submitting).
  // Returns the first failure as kInvalidArgument with field `field`.
  static Status validate_password(std::string_view password, const NewUser& attributes,
                                  const char* field = "password");

 private:
  Result<bool> check_password(std::string_view password, const std::string& encoded);
  Result<std::string> hash_password(std::string_view password, int iterations);

  detail::EngineContext& ctx_;
  std::unique_ptr<auth::KdfGate> gate_;
};

}  // namespace shop
