// shop/cart.h — user and anonymous-session carts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}

class Carts {
 public:
  explicit Carts(detail::EngineContext& ctx);
  ~Carts();

  // On login: merges the anonymous session's active cart into the user's (quantities added, capped
  // by stock), then deactivates the session cart. No session cart: nothing to do.
  Status merge_session_cart(const std::string& session_key, std::int64_t user_id);

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
