// auth/auth.cpp — accounts, login, token rotation, profiles. See shop/auth.h.
#include "shop/auth.h"

#include <algorithm>
#include <mutex>
#include <optional>

#include "auth/crypto.h"
#include "auth/jwt.h"
#include "auth/kdf_gate.h"
#include "auth/login_limiter.h"
#include "auth/password.h"
#include "auth/users_db.h"
#include "auth/validators.h"
#include "engine_context.h"
#include "shop/timefmt.h"

namespace shop {

namespace {

using store::Db;

constexpr const char* kBadCredentials = "아이디 또는 비밀번호가 올바르지 않습니다.";
constexpr const char* kRequired = "이 필드는 필수 항목입니다.";
constexpr size_t kMaxPasswordChars = 4096;  // bounds the bytes fed to the KDF
constexpr size_t kMaxIpChars = 64;
constexpr const char* kTooManyFailures = "로그인 실패가 너무 많습니다. 잠시 후 다시 시도해 주세요.";
constexpr const char* kBusy = "요청이 많아 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.";
// The in-memory deny list drops expired entries at most this often (they are harmless meanwhile:
// an expired token fails on its exp anyway).
constexpr std::int64_t kRevocationPruneSeconds = 60;

std::int64_t seconds(Micros t) {
  return t / kMicrosPerSecond;
}

Error token_error(std::string msg) {
  return Error::unauthenticated(std::move(msg), std::string(jwt::kInvalidReason));
}

std::string too_long(size_t max) {
  return "이 필드의 글자 수가 " + std::to_string(max) + " 이하인지 확인하십시오.";
}

Status check_length(const std::string& value, size_t max, const char* field) {
  if (auth::char_length(value) > max) return Error::invalid(too_long(max), field);
  return Status::ok();
}

Status check_phone(const std::string& phone) {
  if (phone.empty()) return Status::ok();
  if (phone.size() > 15 || !auth::valid_phone(phone)) {
    return Error::invalid("올바른 전화번호 형식이 아닙니다. (예: 010-1234-5678)", "phone_number");
  }
  return Status::ok();
}

Status check_birth_date(const std::optional<std::string>& date) {
  if (date && !timefmt::parse_date(*date)) {
    return Error::invalid("날짜 형식이 잘못되었습니다. YYYY-MM-DD 형식을 사용하세요.",
                          "birth_date");
  }
  return Status::ok();
}

Status check_email(const std::string& email) {
  if (email.empty()) return Error::invalid(kRequired, "email");
  if (!auth::valid_email(email)) return Error::invalid("유효한 이메일 주소를 입력하세요.", "email");
  return Status::ok();
}

Status check_email_free(Db& db, const std::string& email, std::int64_t except_user) {
  // users.email is COLLATE NOCASE: the comparison is case-insensitive.
  auto& q = db.stmt("SELECT 1 FROM users WHERE email = ? AND id <> ?");
  q.bind(1, email);
  q.bind(2, except_user);
  if (q.executeStep()) {
    return Error::invalid("이미 사용 중인 이메일입니다.", "email", "DUPLICATE");
  }
  return Status::ok();
}

Status check_username_free(Db& db, const std::string& username) {
  auto& q = db.stmt("SELECT 1 FROM users WHERE username = ?");
  q.bind(1, username);
  if (q.executeStep()) {
    return Error::invalid("해당 사용자 이름은 이미 존재합니다.", "username", "DUPLICATE");
  }
  return Status::ok();
}

void bind_text_or_null(SQLite::Statement& s, int index, const std::optional<std::string>& v) {
  if (v) {
    s.bind(index, *v);
  } else {
    s.bind(index);
  }
}

constexpr const char* kProfileColumns =
    "id, username, email, first_name, last_name, phone_number, birth_date, postal_code, address, "
    "address_detail, membership_level, points, is_email_verified, is_phone_verified, "
    "agree_marketing_email, agree_marketing_sms, is_staff, is_seller, date_joined, last_login";

Result<Profile> load_profile(Db& db, std::int64_t user_id) {
  auto& q = db.stmt(std::string("SELECT ") + kProfileColumns + " FROM users WHERE id = ?");
  q.bind(1, user_id);
  if (!q.executeStep()) return Error::not_found("사용자를 찾을 수 없습니다.");
  Profile p;
  p.id = q.getColumn(0).getInt64();
  p.username = q.getColumn(1).getString();
  p.email = q.getColumn(2).getString();
  p.first_name = q.getColumn(3).getString();
  p.last_name = q.getColumn(4).getString();
  p.phone_number = q.getColumn(5).getString();
  if (!q.getColumn(6).isNull()) p.birth_date = q.getColumn(6).getString();
  p.postal_code = q.getColumn(7).getString();
  p.address = q.getColumn(8).getString();
  p.address_detail = q.getColumn(9).getString();
  p.membership_level = q.getColumn(10).getString();
  p.points = q.getColumn(11).getInt64();
  p.is_email_verified = q.getColumn(12).getInt() != 0;
  p.is_phone_verified = q.getColumn(13).getInt() != 0;
  p.agree_marketing_email = q.getColumn(14).getInt() != 0;
  p.agree_marketing_sms = q.getColumn(15).getInt() != 0;
  p.is_staff = q.getColumn(16).getInt() != 0;
  p.is_seller = q.getColumn(17).getInt() != 0;
  p.date_joined = q.getColumn(18).getInt64();
  if (!q.getColumn(19).isNull()) p.last_login = q.getColumn(19).getInt64();
  return p;
}

// What a password check needs to know about an account.
struct Credentials {
  std::int64_t id = 0;
  std::string username, email, first_name, last_name, password_hash;
  bool is_active = false;
  bool is_withdrawn = false;
};

std::optional<Credentials> read_credentials(Db& db, const char* where, std::string_view key_text,
                                            std::int64_t key_id) {
  auto& q = db.stmt(std::string("SELECT id, username, email, first_name, last_name, "
                                "password_hash, is_active, is_withdrawn FROM users WHERE ") +
                    where);
  if (key_id > 0) {
    q.bind(1, key_id);
  } else {
    q.bind(1, std::string(key_text));
  }
  if (!q.executeStep()) return std::nullopt;
  Credentials c;
  c.id = q.getColumn(0).getInt64();
  c.username = q.getColumn(1).getString();
  c.email = q.getColumn(2).getString();
  c.first_name = q.getColumn(3).getString();
  c.last_name = q.getColumn(4).getString();
  c.password_hash = q.getColumn(5).getString();
  c.is_active = q.getColumn(6).getInt() != 0;
  c.is_withdrawn = q.getColumn(7).getInt() != 0;
  return c;
}

Result<Credentials> credentials_by_id(store::Store& store, std::int64_t user_id) {
  return store.read([&](Db& db) -> Result<Credentials> {
    auto c = read_credentials(db, "id = ?", {}, user_id);
    if (!c) return Error::not_found("사용자를 찾을 수 없습니다.");
    return std::move(*c);
  });
}

}  // namespace

// --- rows inside a transaction ------------------------------------------------------------------

namespace auth {

Status validate_new_user(const NewUser& u) {
  if (u.username.empty()) return Error::invalid(kRequired, "username");
  if (char_length(u.username) > 150) return Error::invalid(too_long(150), "username");
  if (!valid_username(u.username)) {
    return Error::invalid(
        "유효한 사용자 이름을 입력하세요. 이 값은 문자, 숫자, @/./+/-/_ 만 가능합니다.",
        "username");
  }
  SHOP_TRY(check_email(u.email));
  if (u.password.empty()) return Error::invalid(kRequired, "password");
  if (char_length(u.password) > kMaxPasswordChars) {
    return Error::invalid(too_long(kMaxPasswordChars), "password");
  }
  if (u.password_confirm && *u.password_confirm != u.password) {
    return Error::invalid("비밀번호가 일치하지 않습니다.", "password");
  }
  if (!u.skip_password_validation) SHOP_TRY(Auth::validate_password(u.password, u, "password"));
  SHOP_TRY(check_length(u.first_name, 150, "first_name"));
  SHOP_TRY(check_length(u.last_name, 150, "last_name"));
  SHOP_TRY(check_phone(u.phone_number));
  SHOP_TRY(check_birth_date(u.birth_date));
  SHOP_TRY(check_length(u.postal_code, 10, "postal_code"));
  SHOP_TRY(check_length(u.address, 255, "address"));
  SHOP_TRY(check_length(u.address_detail, 255, "address_detail"));
  const std::string& level = u.membership_level;
  if (level != "bronze" && level != "silver" && level != "gold" && level != "vip") {
    return Error::invalid("\"" + level + "\"은(는) 유효한 선택이 아닙니다.", "membership_level");
  }
  if (u.password_iterations && (*u.password_iterations < password::kMinIterations ||
                                *u.password_iterations > password::kMaxIterations)) {
    return Error::invalid("password iterations out of range", "password_iterations");
  }
  return Status::ok();
}

Result<std::int64_t> insert_user(Db& db, const NewUser& u, const std::string& password_hash,
                                 Micros now) {
  const std::string email = normalize_email(u.email);
  SHOP_TRY(check_username_free(db, u.username));
  SHOP_TRY(check_email_free(db, email, 0));
  auto& ins = db.stmt(
      "INSERT INTO users (username, email, password_hash, first_name, last_name, phone_number, "
      "birth_date, postal_code, address, address_detail, membership_level, is_email_verified, "
      "agree_marketing_email, agree_marketing_sms, is_seller, is_staff, date_joined, origin) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins.bind(1, u.username);
  ins.bind(2, email);
  ins.bind(3, password_hash);
  ins.bind(4, u.first_name);
  ins.bind(5, u.last_name);
  ins.bind(6, u.phone_number);
  bind_text_or_null(ins, 7, u.birth_date);
  ins.bind(8, u.postal_code);
  ins.bind(9, u.address);
  ins.bind(10, u.address_detail);
  ins.bind(11, u.membership_level);
  ins.bind(12, u.is_email_verified ? 1 : 0);
  ins.bind(13, u.agree_marketing_email ? 1 : 0);
  ins.bind(14, u.agree_marketing_sms ? 1 : 0);
  ins.bind(15, u.is_seller ? 1 : 0);
  ins.bind(16, u.is_staff ? 1 : 0);
  ins.bind(17, now);
  bind_text_or_null(ins, 18, u.origin.empty() ? std::nullopt : std::optional(u.origin));
  ins.exec();
  return db.last_insert_id();
}

TokenPair issue_tokens_in(Db& db, std::int64_t user_id, Micros now, const std::string& jwt_secret) {
  const std::int64_t now_s = seconds(now);
  auto& gen = db.stmt("SELECT token_generation FROM users WHERE id = ?");
  gen.bind(1, user_id);
  const std::int64_t generation = gen.executeStep() ? gen.getColumn(0).getInt64() : 0;
  const auto access = jwt::make_claims(jwt::TokenType::kAccess, user_id, now_s,
                                       jwt::kAccessLifetimeSeconds, generation);
  const auto refresh = jwt::make_claims(jwt::TokenType::kRefresh, user_id, now_s,
                                        jwt::kRefreshLifetimeSeconds, generation);
  // Keep the outstanding-token table small: a user's expired tokens can never be used again.
  auto& prune = db.stmt("DELETE FROM refresh_tokens WHERE user_id = ? AND expires_at <= ?");
  prune.bind(1, user_id);
  prune.bind(2, now);
  prune.exec();
  auto& ins =
      db.stmt("INSERT INTO refresh_tokens (jti, user_id, expires_at, created_at) VALUES (?,?,?,?)");
  ins.bind(1, refresh.jti);
  ins.bind(2, user_id);
  ins.bind(3, refresh.exp * kMicrosPerSecond);
  ins.bind(4, now);
  ins.exec();
  return TokenPair{jwt::sign(access, jwt_secret), jwt::sign(refresh, jwt_secret)};
}

void revoke_all_tokens_in(Db& db, std::int64_t user_id) {
  auto& bump = db.stmt("UPDATE users SET token_generation = token_generation + 1 WHERE id = ?");
  bump.bind(1, user_id);
  bump.exec();
  // The generation alone refuses the old refresh tokens; revoking their rows as well keeps the
  // outstanding-token table truthful.
  auto& revoke = db.stmt("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0");
  revoke.bind(1, user_id);
  revoke.exec();
}

}  // namespace auth

// --- Auth ---------------------------------------------------------------------------------------

Auth::Auth(detail::EngineContext& ctx)
    : ctx_(ctx),
      gate_(std::make_unique<auth::KdfGate>(
          ctx.options.max_concurrent_password_checks,
          ctx.options.max_concurrent_password_checks * kPasswordWaitersPerSlot)),
      limiter_(std::make_unique<auth::LoginLimiter>(auth::LoginLimits{
          ctx.options.failed_login_burst, ctx.options.failed_login_refill_per_minute,
          ctx.options.password_checks_per_address, ctx.options.login_limiter_addresses})) {}
Auth::~Auth() = default;

std::uint64_t Auth::password_hash_computations() const {
  return kdf_runs_.load(std::memory_order_relaxed);
}

Status Auth::load_revoked_access_tokens() {
  const Micros now = ctx_.now();
  std::unordered_map<std::string, std::int64_t> loaded;
  SHOP_TRY(ctx_.store->read([&](Db& db) -> Status {
    auto& q = db.stmt("SELECT jti, expires_at FROM revoked_access_tokens WHERE expires_at > ?");
    q.bind(1, now);
    while (q.executeStep()) {
      loaded.emplace(q.getColumn(0).getString(), seconds(q.getColumn(1).getInt64()));
    }
    return Status::ok();
  }));
  std::unique_lock lock(revoked_mu_);
  revoked_access_ = std::move(loaded);
  next_revocation_prune_ = seconds(now) + kRevocationPruneSeconds;
  return Status::ok();
}

bool Auth::access_token_revoked(const std::string& jti) const {
  std::shared_lock lock(revoked_mu_);
  return revoked_access_.contains(jti);
}

void Auth::forget_expired_revocations(std::int64_t now_seconds) {
  std::unique_lock lock(revoked_mu_);
  if (now_seconds < next_revocation_prune_) return;
  std::erase_if(revoked_access_, [&](const auto& entry) { return entry.second <= now_seconds; });
  next_revocation_prune_ = now_seconds + kRevocationPruneSeconds;
}

void Auth::set_max_password_waiters(int waiters) {
  gate_->set_max_waiters(std::max(0, waiters));
}

Status Auth::validate_password(std::string_view password, const NewUser& attributes,
                               const char* field) {
  auto problem = auth::password_problem(password, {attributes.username, attributes.email,
                                                   attributes.first_name, attributes.last_name});
  if (problem) return Error::invalid(std::move(*problem), field);
  return Status::ok();
}

Result<bool> Auth::check_password(std::string_view password, const std::string& encoded,
                                  const std::string& address_key) {
  const auto iterations = password::iterations_of(encoded);
  if (!iterations) return false;  // malformed or unusable hash: the account cannot log in
  if (*iterations <= kUngatedPasswordIterations) {
    kdf_runs_.fetch_add(1, std::memory_order_relaxed);
    return password::verify(password, encoded);
  }
  // The address's share first: a caller over it must not even take a waiting place.
  auth::LoginLimiter::GateShare share(*limiter_, address_key, ctx_.now());
  if (!share.held()) return Error::rate_limited(kBusy, 1);
  auth::KdfSlot slot(gate_.get(), kPasswordGateWait);
  if (!slot.held()) {
    Error busy = Error::unavailable(kBusy, "PASSWORD_CHECKS_BUSY");
    busy.retry_after_seconds = 1;
    return busy;
  }
  kdf_runs_.fetch_add(1, std::memory_order_relaxed);
  return password::verify(password, encoded);
}

Result<std::string> Auth::hash_password(std::string_view password, int iterations) {
  if (iterations <= kUngatedPasswordIterations) {
    kdf_runs_.fetch_add(1, std::memory_order_relaxed);
    return password::hash(password, iterations);
  }
  auth::KdfSlot slot(gate_.get(), kPasswordGateWait);
  if (!slot.held()) {
    Error busy = Error::unavailable(kBusy, "PASSWORD_CHECKS_BUSY");
    busy.retry_after_seconds = 1;
    return busy;
  }
  kdf_runs_.fetch_add(1, std::memory_order_relaxed);
  std::string encoded = password::hash(password, iterations);
  if (encoded.empty()) return Error::internal("password hashing failed");
  return encoded;
}

Result<std::int64_t> Auth::create_user(const NewUser& user) {
  SHOP_TRY(auth::validate_new_user(user));
  // Refuse duplicates before paying for the hash; insert_user re-checks inside the transaction.
  SHOP_TRY(ctx_.store->read([&](Db& db) -> Status {
    SHOP_TRY(check_username_free(db, user.username));
    return check_email_free(db, auth::normalize_email(user.email), 0);
  }));
  auto hashed = hash_password(user.password,
                              user.password_iterations.value_or(ctx_.options.password_iterations));
  if (!hashed) return hashed.error();
  return ctx_.store->write(
      [&](Db& db) { return auth::insert_user(db, user, *hashed, ctx_.now()); });
}

Result<Session> Auth::register_user(const NewUser& user) {
  auto id = create_user(user);
  if (!id) return id.error();
  auto tokens = issue_tokens(*id);
  if (!tokens) return tokens.error();
  return Session{{*id, user.username, auth::normalize_email(user.email)}, std::move(*tokens)};
}

Result<TokenPair> Auth::issue_tokens(std::int64_t user_id) {
  return ctx_.store->write([&](Db& db) -> Result<TokenPair> {
    auto& q = db.stmt("SELECT is_active FROM users WHERE id = ?");
    q.bind(1, user_id);
    if (!q.executeStep()) return Error::not_found("사용자를 찾을 수 없습니다.");
    if (q.getColumn(0).getInt() == 0) return Error::invalid("비활성화된 계정입니다.");
    return auth::issue_tokens_in(db, user_id, ctx_.now(), ctx_.jwt_secret);
  });
}

Result<Session> Auth::login(std::string_view username, std::string_view password,
                            std::string_view client_address, std::string_view recorded_ip) {
  if (username.empty() || password.empty()) {
    return Error::invalid("아이디와 비밀번호를 모두 입력해주세요.");
  }
  // Before any work: an address out of failures is refused at once, whatever the credentials.
  const std::string address = auth::address_key(client_address);
  if (const auto wait = limiter_->refused_for(address, ctx_.now())) {
    return Error::rate_limited(kTooManyFailures, *wait);
  }
  auto found = ctx_.store->read([&](Db& db) -> Result<std::optional<Credentials>> {
    return read_credentials(db, "username = ?", username, 0);
  });
  if (!found) return found.error();
  if (!*found) {
    // Unknown user: pay for a verify at the default cost anyway, so response time does not tell
    // which usernames exist. The key (32 zero bytes) matches no password.
    const std::string dummy = "pbkdf2_sha256$" + std::to_string(ctx_.options.password_iterations) +
                              "$shopddummysaltvalue000$" +
                              crypto::base64_encode(std::string(32, '\0'));
    auto ok = check_password(password, dummy, address);
    if (!ok) return ok.error();
    limiter_->record_failure(address, ctx_.now());
    return Error::invalid(kBadCredentials);
  }
  const Credentials& c = **found;
  auto ok = check_password(password, c.password_hash, address);
  if (!ok) return ok.error();
  if (!*ok) {
    limiter_->record_failure(address, ctx_.now());
    return Error::invalid(kBadCredentials);
  }
  if (c.is_withdrawn) return Error::invalid("탈퇴한 계정입니다.");
  if (!c.is_active) return Error::invalid("비활성화된 계정입니다.");

  std::string client_ip(
      (recorded_ip.empty() ? client_address : recorded_ip).substr(0, kMaxIpChars));
  auto tokens = ctx_.store->write([&](Db& db) -> Result<TokenPair> {
    const Micros now = ctx_.now();
    // Re-check under the write lock: the account may have been withdrawn meanwhile.
    auto& upd = db.stmt(
        "UPDATE users SET last_login = ?, last_login_ip = ? WHERE id = ? AND is_active = 1");
    upd.bind(1, now);
    bind_text_or_null(upd, 2, client_ip.empty() ? std::nullopt : std::optional(client_ip));
    upd.bind(3, c.id);
    upd.exec();
    if (db.changes() == 0) return Error::invalid("비활성화된 계정입니다.");
    return auth::issue_tokens_in(db, c.id, now, ctx_.jwt_secret);
  });
  if (!tokens) return tokens.error();
  return Session{{c.id, c.username, c.email}, std::move(*tokens)};
}

Status Auth::logout(const Principal& caller, std::string_view refresh_token) {
  const Micros now = ctx_.now();
  auto claims = jwt::verify(refresh_token, ctx_.jwt_secret, seconds(now), jwt::TokenType::kRefresh);
  if (!claims) return Error::invalid("유효하지 않은 토큰입니다.", {}, "TOKEN_INVALID");
  // D15: the reference revoked any refresh token it was given; only the caller's own counts.
  if (claims->user_id != caller.user_id) {
    return Error::invalid("본인의 토큰이 아닙니다.", {}, "TOKEN_NOT_OWNED");
  }
  const bool deny_access = !caller.token_id.empty() && caller.token_expires_at > seconds(now);
  SHOP_TRY(ctx_.store->write([&](Db& db) -> Status {
    auto& upd = db.stmt(
        "UPDATE refresh_tokens SET revoked = 1 WHERE jti = ? AND user_id = ? AND revoked = 0");
    upd.bind(1, claims->jti);
    upd.bind(2, caller.user_id);
    upd.exec();
    if (db.changes() == 0) {
      return Error::invalid("이미 만료되었거나 로그아웃된 토큰입니다.", {}, "TOKEN_INVALID");
    }
    // Entries whose token has expired deny nothing any more (the exp check refuses it first).
    auto& prune = db.stmt("DELETE FROM revoked_access_tokens WHERE expires_at <= ?");
    prune.bind(1, now);
    prune.exec();
    if (deny_access) {
      auto& deny = db.stmt(
          "INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES (?,?,?) "
          "ON CONFLICT (jti) DO NOTHING");
      deny.bind(1, caller.token_id);
      deny.bind(2, caller.user_id);
      deny.bind(3, caller.token_expires_at * kMicrosPerSecond);
      deny.exec();
    }
    return Status::ok();
  }));
  // Committed: from here on (before the caller hears back) the access token is refused.
  forget_expired_revocations(seconds(now));
  if (deny_access) {
    std::unique_lock lock(revoked_mu_);
    revoked_access_.emplace(caller.token_id, caller.token_expires_at);
  }
  return Status::ok();
}

Result<TokenPair> Auth::refresh(std::string_view refresh_token) {
  auto claims =
      jwt::verify(refresh_token, ctx_.jwt_secret, seconds(ctx_.now()), jwt::TokenType::kRefresh);
  if (!claims) return claims.error();
  return ctx_.store->write([&](Db& db) -> Result<TokenPair> {
    auto& q = db.stmt(
        "SELECT t.user_id, t.revoked, u.is_active, u.token_generation FROM refresh_tokens t "
        "JOIN users u ON u.id = t.user_id WHERE t.jti = ?");
    q.bind(1, claims->jti);
    if (!q.executeStep()) return token_error("Token is invalid or expired");
    if (q.getColumn(0).getInt64() != claims->user_id) return token_error("Token is invalid");
    if (q.getColumn(1).getInt() != 0) return token_error("Token is blacklisted");
    if (q.getColumn(2).getInt() == 0) return token_error("User is inactive");
    if (q.getColumn(3).getInt64() != claims->generation) return token_error("Token is revoked");
    auto& revoke = db.stmt("UPDATE refresh_tokens SET revoked = 1 WHERE jti = ?");
    revoke.bind(1, claims->jti);
    revoke.exec();
    return auth::issue_tokens_in(db, claims->user_id, ctx_.now(), ctx_.jwt_secret);
  });
}

Result<Principal> Auth::authenticate(std::string_view access_token) const {
  auto claims =
      jwt::verify(access_token, ctx_.jwt_secret, seconds(ctx_.now()), jwt::TokenType::kAccess);
  if (!claims) return claims.error();
  if (access_token_revoked(claims->jti)) return token_error("Token is blacklisted");
  return ctx_.store->read([&](Db& db) -> Result<Principal> {
    auto& q = db.stmt(
        "SELECT username, is_staff, is_seller, is_active, token_generation FROM users WHERE id = "
        "?");
    q.bind(1, claims->user_id);
    if (!q.executeStep()) return token_error("User not found");
    if (q.getColumn(3).getInt() == 0) return token_error("User is inactive");
    if (q.getColumn(4).getInt64() != claims->generation) return token_error("Token is revoked");
    return Principal{claims->user_id,
                     q.getColumn(0).getString(),
                     q.getColumn(1).getInt() != 0,
                     q.getColumn(2).getInt() != 0,
                     claims->jti,
                     claims->exp};
  });
}

Result<Profile> Auth::profile(std::int64_t user_id) const {
  return ctx_.store->read([&](Db& db) { return load_profile(db, user_id); });
}

Result<Profile> Auth::update_profile(std::int64_t user_id, const ProfileUpdate& u, bool partial) {
  if (!partial && !u.email) return Error::invalid(kRequired, "email");
  std::optional<std::string> email;
  if (u.email) {
    SHOP_TRY(check_email(*u.email));
    email = auth::normalize_email(*u.email);
  }
  if (u.first_name) SHOP_TRY(check_length(*u.first_name, 150, "first_name"));
  if (u.last_name) SHOP_TRY(check_length(*u.last_name, 150, "last_name"));
  if (u.phone_number) SHOP_TRY(check_phone(*u.phone_number));
  if (u.birth_date) SHOP_TRY(check_birth_date(*u.birth_date));
  if (u.postal_code) SHOP_TRY(check_length(*u.postal_code, 10, "postal_code"));
  if (u.address) SHOP_TRY(check_length(*u.address, 255, "address"));
  if (u.address_detail) SHOP_TRY(check_length(*u.address_detail, 255, "address_detail"));

  return ctx_.store->write([&](Db& db) -> Result<Profile> {
    auto current = load_profile(db, user_id);
    if (!current) return current.error();
    Profile p = std::move(*current);
    if (email && *email != p.email) {
      SHOP_TRY(check_email_free(db, *email, user_id));
      p.email = *email;
      p.is_email_verified = false;  // a new address must be verified again
    }
    if (u.first_name) p.first_name = *u.first_name;
    if (u.last_name) p.last_name = *u.last_name;
    if (u.phone_number) p.phone_number = *u.phone_number;
    if (u.birth_date) p.birth_date = *u.birth_date;
    if (u.postal_code) p.postal_code = *u.postal_code;
    if (u.address) p.address = *u.address;
    if (u.address_detail) p.address_detail = *u.address_detail;
    if (u.agree_marketing_email) p.agree_marketing_email = *u.agree_marketing_email;
    if (u.agree_marketing_sms) p.agree_marketing_sms = *u.agree_marketing_sms;
    auto& upd = db.stmt(
        "UPDATE users SET email = ?, is_email_verified = ?, first_name = ?, last_name = ?, "
        "phone_number = ?, birth_date = ?, postal_code = ?, address = ?, address_detail = ?, "
        "agree_marketing_email = ?, agree_marketing_sms = ? WHERE id = ?");
    upd.bind(1, p.email);
    upd.bind(2, p.is_email_verified ? 1 : 0);
    upd.bind(3, p.first_name);
    upd.bind(4, p.last_name);
    upd.bind(5, p.phone_number);
    bind_text_or_null(upd, 6, p.birth_date);
    upd.bind(7, p.postal_code);
    upd.bind(8, p.address);
    upd.bind(9, p.address_detail);
    upd.bind(10, p.agree_marketing_email ? 1 : 0);
    upd.bind(11, p.agree_marketing_sms ? 1 : 0);
    upd.bind(12, user_id);
    upd.exec();
    return p;
  });
}

Status Auth::change_password(std::int64_t user_id, std::string_view old_password,
                             std::string_view new_password, std::string_view new_password2) {
  auto c = credentials_by_id(*ctx_.store, user_id);
  if (!c) return c.error();
  auto ok = check_password(old_password, c->password_hash);
  if (!ok) return ok.error();
  if (!*ok) return Error::invalid("기존 비밀번호가 올바르지 않습니다.", "old_password");
  if (new_password != new_password2) {
    return Error::invalid("새 비밀번호가 일치하지 않습니다.", "new_password");
  }
  if (new_password.empty()) return Error::invalid(kRequired, "new_password");
  if (auth::char_length(new_password) > kMaxPasswordChars) {
    return Error::invalid(too_long(kMaxPasswordChars), "new_password");
  }
  NewUser attrs;
  attrs.username = c->username;
  attrs.email = c->email;
  attrs.first_name = c->first_name;
  attrs.last_name = c->last_name;
  SHOP_TRY(validate_password(new_password, attrs, "new_password"));
  auto hashed = hash_password(new_password, ctx_.options.password_iterations);
  if (!hashed) return hashed.error();
  return ctx_.store->write([&](Db& db) -> Status {
    auto& upd = db.stmt("UPDATE users SET password_hash = ? WHERE id = ?");
    upd.bind(1, *hashed);
    upd.bind(2, user_id);
    upd.exec();
    // Whoever knew the old password may hold tokens: none of them outlives the change.
    auth::revoke_all_tokens_in(db, user_id);
    return Status::ok();
  });
}

Status Auth::withdraw(std::int64_t user_id, std::string_view password) {
  auto c = credentials_by_id(*ctx_.store, user_id);
  if (!c) return c.error();
  auto ok = check_password(password, c->password_hash);
  if (!ok) return ok.error();
  if (!*ok) return Error::invalid("비밀번호가 올바르지 않습니다.", "password");
  return ctx_.store->write([&](Db& db) -> Status {
    auto& upd =
        db.stmt("UPDATE users SET is_withdrawn = 1, withdrawn_at = ?, is_active = 0 WHERE id = ?");
    upd.bind(1, ctx_.now());
    upd.bind(2, user_id);
    upd.exec();
    auth::revoke_all_tokens_in(db, user_id);
    return Status::ok();
  });
}

}  // namespace shop
