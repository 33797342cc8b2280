// shop/payments.h — payments against a provider interface (a built-in test provider).
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

class Payments {
 public:
  explicit Payments(detail::EngineContext& ctx);
  ~Payments();

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
