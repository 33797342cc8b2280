// testdata/catalogue.h — the compiled-in seed catalogue (data/catalogue.json) and a deterministic
// random source for the generators (private to the engine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/result.h"

namespace shop::testdata {

struct ProductTemplate {
  std::string name, brand, description, tags;
  std::int64_t price = 0;
  std::optional<std::int64_t> compare_price;
};

struct SubcategoryTemplate {
  std::string name, slug, sku_base;
  std::vector<ProductTemplate> products;
};

struct CategoryTemplate {
  std::string name, slug, description;
  std::vector<SubcategoryTemplate> subcategories;
};

// The parsed catalogue (parsed once; an error means the embedded JSON is malformed, a build bug).
Result<const std::vector<CategoryTemplate>*> catalogue();

// splitmix64: the same seed gives the same sequence on every platform and standard library
// (std::uniform_int_distribution does not promise that).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [lo, hi] (lo <= hi).
  std::int64_t range(std::int64_t lo, std::int64_t hi);
  bool chance(int percent) { return range(0, 99) < percent; }

 private:
  std::uint64_t state_;
};

}  // namespace shop::testdata
