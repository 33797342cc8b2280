// shop/points.h — the points ledger: earn by tier, spend FIFO by expiry, expire, reverse.
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

class Points {
 public:
  explicit Points(detail::EngineContext& ctx);
  ~Points();

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
