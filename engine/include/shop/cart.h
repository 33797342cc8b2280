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

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
