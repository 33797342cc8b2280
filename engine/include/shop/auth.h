// shop/auth.h — users, passwords, JWT access/refresh tokens, profiles.
//
// Tokens: HS256 JWTs (access 30 min, refresh 7 days). Refresh tokens rotate: each refresh revokes
// the presented token and issues a new one; a revoked or unknown refresh token is refused (401).
// Revocation (fixing the reference's D15): every token carries the user's token generation (the
// `gen` claim); changing the password or withdrawing raises it, so every earlier access and
// refresh token of that user is refused at once (and their refresh rows are revoked). Logout also
// puts the access token it was called with on a deny list until that token expires (persisted,
// so a restart keeps it; mirrored in memory so authenticate() stays one indexed read plus a hash
// lookup). Deactivating the account makes its tokens fail too (authenticate() checks the row).
//
// Passwords: Django-format PBKDF2 hashes. Hashing and verifying at a real cost (more than
// kUngatedPasswordIterations) pass a KDF admission gate of EngineOptions::
// max_concurrent_password_checks slots, so a login storm cannot take every core from the other
// requests; a caller waits for a slot at most kPasswordGateWait, and only kPasswordWaitersPerSlot
// callers per slot may wait, so waiting logins cannot hold every HTTP thread either. Otherwise
// the caller gets kUnavailable (503 + Retry-After).
//
// Login storms: failed-login work is bounded per client address (EngineOptions::
// failed_login_*, password_checks_per_address): an address that used up its failure budget, or
// already holds its share of the gate, gets kRateLimited (429 + Retry-After) at once, without any
// KDF work, so a storm from one address cannot lock other addresses' users out.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}
namespace auth {
class KdfGate;
class LoginLimiter;
}  // namespace auth

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
  // The access token itself (its jti and exp, seconds since the epoch): what logout denies.
  std::string token_id;
  std::int64_t token_expires_at = 0;
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

  // Checks the password and issues tokens; records last_login and last_login_ip (recorded_ip, or
  // client_address when that is empty). Wrong credentials, inactive or withdrawn accounts:
  // kInvalidArgument without a field (400 non_field_errors). Unknown usernames pay a dummy verify
  // at the default cost so timing does not reveal them.
  // client_address is the network peer (never a forwarded-for header, which clients choose): the
  // key of the per-address limits. kRateLimited (retry_after_seconds set) when that address has
  // used up its failed-login budget or holds its share of the KDF gate. "" (no network client:
  // tools, embedding programs) is not limited per address.
  Result<Session> login(std::string_view username, std::string_view password,
                        std::string_view client_address, std::string_view recorded_ip = {});
  // Revokes a refresh token of the caller and denies the access token the caller authenticated
  // with (caller.token_id, until it expires), in one transaction. Errors: kInvalidArgument
  // (malformed, expired, unknown, already revoked, or another user's refresh token).
  Status logout(const Principal& caller, std::string_view refresh_token);
  // Rotation: revokes the presented refresh token and returns a new pair. Errors:
  // kUnauthenticated "token_not_valid" (invalid, expired, revoked/reused, user inactive).
  Result<TokenPair> refresh(std::string_view refresh_token);

  // Verifies an access JWT (signature, expiry, type), that it is not on the logout deny list, and
  // that its user exists, is active and still has the token's generation. Errors:
  // kUnauthenticated with reason "token_not_valid". One indexed read and one hash lookup.
  Result<Principal> authenticate(std::string_view access_token) const;

  Result<Profile> profile(std::int64_t user_id) const;
  // partial=false (PUT) requires update.email. Errors: kInvalidArgument with `field`.
  Result<Profile> update_profile(std::int64_t user_id, const ProfileUpdate& update, bool partial);
  // Errors: field "old_password" (wrong), "new_password" (validators, mismatch). On success every
  // access and refresh token of the user issued before is revoked (the caller logs in again).
  Status change_password(std::int64_t user_id, std::string_view old_password,
                         std::string_view new_password, std::string_view new_password2);
  // Marks the account withdrawn and inactive and revokes all its tokens. Wrong password:
  // kInvalidArgument field "password".
  Status withdraw(std::int64_t user_id, std::string_view password);

  // How many callers may wait for a KDF slot at once (default: kPasswordWaitersPerSlot per slot).
  // Each waiter holds its HTTP thread, so a server should keep this well below its thread count
  // (e.g. threads / 4) or a storm of real-cost logins leaves no thread for other requests.
  void set_max_password_waiters(int waiters);

  // Issues a token pair for an existing active user without a password (operator tools, tests).
  Result<TokenPair> issue_tokens(std::int64_t user_id);

  // How many PBKDF2 computations (hash or verify) this engine has run (metrics, tests).
  std::uint64_t password_hash_computations() const;

  // Django's password validators on their own (for forms that check before submitting).
  // Returns the first failure as kInvalidArgument with field `field`.
  static Status validate_password(std::string_view password, const NewUser& attributes,
                                  const char* field = "password");

 private:
  friend class Engine;
  // Loads the persisted deny list (Engine::open calls it once, before any request).
  Status load_revoked_access_tokens();
  bool access_token_revoked(const std::string& jti) const;
  void forget_expired_revocations(std::int64_t now_seconds);

  // address_key: the caller's per-address key ("" = no per-address share of the gate).
  Result<bool> check_password(std::string_view password, const std::string& encoded,
                              const std::string& address_key = {});
  Result<std::string> hash_password(std::string_view password, int iterations);

  detail::EngineContext& ctx_;
  std::unique_ptr<auth::KdfGate> gate_;
  std::unique_ptr<auth::LoginLimiter> limiter_;  // thread-safe on its own (its own mutex)
  std::atomic<std::uint64_t> kdf_runs_{0};

  // The logout deny list in memory: jti -> exp (seconds). revoked_mu_ guards both members; reads
  // (authenticate) take it shared, logout and pruning exclusive. The table revoked_access_tokens
  // holds the same entries (written in logout's transaction, before they are added here).
  mutable std::shared_mutex revoked_mu_;
  std::unordered_map<std::string, std::int64_t> revoked_access_;
  std::int64_t next_revocation_prune_ = 0;  // seconds; expired entries are dropped after this
};

}  // namespace shop
