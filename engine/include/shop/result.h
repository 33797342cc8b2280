// shop/result.h — errors cross the engine's public boundary as values, never as exceptions.
//
// A Status is ok or carries an Error: a stable ErrorCode (what kind of failure; the HTTP layer maps
// it to a status code), a stable machine string `reason` (the contract's error_code, e.g.
// "INSUFFICIENT_POINTS"; empty when the kind says enough), an optional `field` (for DRF-style
// `{"field": ["msg"]}` bodies), a human message and, for kRateLimited / kUnavailable, how many
// seconds the caller should wait before retrying. Result<T> is a value or an Error.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace shop {

enum class ErrorCode {
  kInvalidArgument,  // bad input: 400
  kNotFound,         // unknown id, or not the caller's: 404
  kConflict,         // state does not allow it (already canceled, duplicate username): 400/409
  kUnauthenticated,  // missing/invalid/expired credentials: 401
  kPermissionDenied, // authenticated but not allowed: 403
  kUnavailable,      // back-pressure (queue full): 503
  kRateLimited,      // this client has done too much of something (failed logins): 429
  kInternal,         // a bug or an I/O failure: 500
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string reason;  // stable machine code, e.g. "INSUFFICIENT_STOCK"
  std::string field;   // input field the error is about, if any
  // kRateLimited / kUnavailable: seconds until a retry can succeed (HTTP Retry-After); 0: unknown.
  std::int64_t retry_after_seconds = 0;

  static Error invalid(std::string msg, std::string field = {}, std::string reason = {}) {
    return {ErrorCode::kInvalidArgument, std::move(msg), std::move(reason), std::move(field)};
  }
  static Error not_found(std::string msg = "Not found.") {
    return {ErrorCode::kNotFound, std::move(msg), "NOT_FOUND", {}};
  }
  static Error conflict(std::string msg, std::string reason = {}) {
    return {ErrorCode::kConflict, std::move(msg), std::move(reason), {}};
  }
  static Error unauthenticated(std::string msg, std::string reason = {}) {
    return {ErrorCode::kUnauthenticated, std::move(msg), std::move(reason), {}};
  }
  static Error forbidden(std::string msg) {
    return {ErrorCode::kPermissionDenied, std::move(msg), "PERMISSION_DENIED", {}};
  }
  static Error unavailable(std::string msg, std::string reason = {}) {
    return {ErrorCode::kUnavailable, std::move(msg), std::move(reason), {}};
  }
  static Error rate_limited(std::string msg, std::int64_t retry_after_seconds,
                            std::string reason = "RATE_LIMITED") {
    return {ErrorCode::kRateLimited, std::move(msg), std::move(reason), {}, retry_after_seconds};
  }
  static Error internal(std::string msg) {
    return {ErrorCode::kInternal, std::move(msg), "INTERNAL", {}};
  }
};

// Status: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT: implicit on purpose (return Error::...)
  static Status ok() { return {}; }
  bool is_ok() const { return !error_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Error& error() const {
    assert(error_);
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

// Result<T>: a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}      // NOLINT
  Result(Status s) : v_(std::in_place_index<1>, s.error()) { assert(!s.is_ok()); }  // NOLINT

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() & {
    assert(is_ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const {
    assert(!is_ok());
    return std::get<1>(v_);
  }
  Status status() const { return is_ok() ? Status::ok() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace shop

// Propagate an error from an expression yielding Status or Result<T>.
#define SHOP_TRY(expr)                                 \
  do {                                                 \
    auto&& shop_try_r_ = (expr);                       \
    if (!shop_try_r_.is_ok()) return shop_try_r_.error(); \
  } while (0)
