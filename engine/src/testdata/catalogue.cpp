// testdata/catalogue.cpp — presets, the embedded catalogue, the deterministic random source.
#include "testdata/catalogue.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "shop/testdata.h"
#include "testdata/catalogue_data.h"

namespace shop::testdata {

const std::vector<Preset>& presets() {
  // Contract §4: products per subcategory = min(templates, per_category / 3) -> 1 / 4 / 5.
  static const std::vector<Preset> all = {
      {"minimal", 2, 3, 2, 0, 1, 1, "2+8 categories, 8 products, 2 users, 1 cart, 1 order"},
      {"basic", 3, 12, 5, 20, 3, 3, "3+12 categories, 48 products, 5 users, 3 carts, <=3 orders"},
      {"full", 5, 15, 20, 50, 10, 15,
       "5+20 categories, 99 products, 20 users, 10 carts, <=15 orders"},
  };
  return all;
}

const Preset* find_preset(const std::string& name) {
  for (const auto& p : presets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string preset_names() {
  std::string out;
  for (const auto& p : presets()) out += (out.empty() ? "" : ", ") + p.name;
  return out;
}

namespace {

Result<std::vector<CategoryTemplate>> parse_catalogue() {
  using nlohmann::json;
  json doc = json::parse(kCatalogueJson, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("categories")) {
    return Error::internal("embedded catalogue (data/catalogue.json) is not valid JSON");
  }
  std::vector<CategoryTemplate> out;
  try {
    for (const auto& c : doc.at("categories")) {
      CategoryTemplate cat{c.at("name").get<std::string>(),
                           c.at("slug").get<std::string>(),
                           c.value("description", std::string()),
                           {}};
      for (const auto& s : c.at("subcategories")) {
        SubcategoryTemplate sub{s.at("name").get<std::string>(),
                                s.at("slug").get<std::string>(),
                                s.at("sku_base").get<std::string>(),
                                {}};
        for (const auto& p : s.at("products")) {
          ProductTemplate t;
          t.name = p.at("name").get<std::string>();
          t.brand = p.value("brand", std::string());
          t.description = p.value("description", std::string());
          t.tags = p.value("tags", std::string());
          t.price = p.at("price").get<std::int64_t>();
          if (p.contains("compare_price"))
            t.compare_price = p.at("compare_price").get<std::int64_t>();
          sub.products.push_back(std::move(t));
        }
        cat.subcategories.push_back(std::move(sub));
      }
      out.push_back(std::move(cat));
    }
  } catch (const std::exception& e) {
    return Error::internal(std::string("embedded catalogue: ") + e.what());
  }
  return out;
}

}  // namespace

Result<const std::vector<CategoryTemplate>*> catalogue() {
  static const Result<std::vector<CategoryTemplate>> parsed = parse_catalogue();
  if (!parsed) return parsed.error();
  return &parsed.value();
}

std::uint64_t Random::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::int64_t Random::range(std::int64_t lo, std::int64_t hi) {
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>(next());  // the whole int64 range
  // Rejection sampling: no value is favoured.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  std::uint64_t r;
  do {
    r = next();
  } while (r >= limit);
  return lo + static_cast<std::int64_t>(r % span);
}

}  // namespace shop::testdata
