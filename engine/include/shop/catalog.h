// shop/catalog.h — categories and products: listing, search, detail, stock adjustments.
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

class Catalog {
 public:
  explicit Catalog(detail::EngineContext& ctx);
  ~Catalog();

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
