// shop/admin.h — operator functions: stats, invariant verification, point adjustments, test data.
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

class Admin {
 public:
  explicit Admin(detail::EngineContext& ctx);
  ~Admin();

  // Fills an empty database (no products) with the named test-data preset; a no-op otherwise.
  // Returns true when it seeded.
  Result<bool> seed_demo_data_if_empty(const std::string& preset);

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
