// catalog/catalog_db.h — catalogue rows inside a caller's transaction (private to the engine).
// The test-data builder uses these to create many categories/products in one write transaction;
// Catalog's public functions use the same code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shop/catalog.h"
#include "shop/clock.h"
#include "shop/result.h"
#include "store/store.h"

namespace shop::catalog {

// Django's slugify(allow_unicode=True): lower-case, drop punctuation, runs of spaces/hyphens to
// one hyphen, strip leading/trailing hyphens and underscores. Non-ASCII letters are kept.
std::string slugify(std::string_view text);
// Comma list: items trimmed, empty ones and duplicates dropped, order kept, joined with ",".
std::string normalize_tags(std::string_view tags);

Result<std::int64_t> insert_category(store::Db& db, const NewCategory& category, Micros now);
// Validates and inserts (category must exist and be active; sku and slug unique).
Result<std::int64_t> insert_product(store::Db& db, const NewProduct& product, Micros now);
// stock += delta and restocked += delta, refusing a result below 0 or above kMaxStock.
Result<std::int64_t> adjust_stock(store::Db& db, std::int64_t product_id, std::int64_t delta,
                                  Micros now);

}  // namespace shop::catalog
