// shop/auth.h — users, passwords, JWT access/refresh tokens, profiles.
#pragma once

#include <cstdint>
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

// Who a valid access token speaks for.
struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  bool is_staff = false;
  bool is_seller = false;
};

class Auth {
 public:
  explicit Auth(detail::EngineContext& ctx);
  ~Auth();

  // Verifies an access JWT (signature, expiry, type) and that its user exists and is active.
  // Errors: kUnauthenticated with reason "token_not_valid".
  Result<Principal> authenticate(std::string_view access_token) const;

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
