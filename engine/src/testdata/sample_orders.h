// testdata/sample_orders.h — phase 3 of create-test-data: sample orders and carts made through
// the real cart, order and payment modules (private).
#pragma once

#include <cstdint>
#include <vector>

#include "shop/result.h"
#include "shop/testdata.h"
#include "testdata/catalogue.h"

namespace shop {
namespace detail {
struct EngineContext;
}
namespace testdata {

struct SampleProduct {
  std::int64_t id = 0, price = 0, stock = 0;
};

struct SampleContext {
  std::vector<std::int64_t> user_ids;     // test_user1..N
  std::vector<std::int64_t> user_points;  // their initial points (same order)
  std::vector<SampleProduct> products;
};

Status create_sample_orders_and_carts(detail::EngineContext& ctx, const Preset& preset, Random& rnd,
                                      const SampleContext& sample, Report& report);

}  // namespace testdata
}  // namespace shop
