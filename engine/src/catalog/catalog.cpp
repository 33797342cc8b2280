// catalog/catalog.cpp — categories and products. See shop/catalog.h.
#include "shop/catalog.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <variant>

#include "auth/crypto.h"
#include "catalog/catalog_db.h"
#include "engine_context.h"

namespace shop {

namespace {

using store::Db;

constexpr const char* kRequired = "이 필드는 필수 항목입니다.";
constexpr size_t kMaxSearchTerms = 10;  // bounds the LIKE clauses one request can ask for

size_t char_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string too_long(size_t max) {
  return "이 필드의 글자 수가 " + std::to_string(max) + " 이하인지 확인하십시오.";
}

Status check_length(const std::string& value, size_t max, const char* field) {
  if (char_length(value) > max) return Error::invalid(too_long(max), field);
  return Status::ok();
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

void bind_opt(SQLite::Statement& s, int index, const std::optional<std::int64_t>& v) {
  if (v) {
    s.bind(index, *v);
  } else {
    s.bind(index);
  }
}

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

// A slug of `table` ("products" or "categories") not used by any other row: the base itself, or
// base-N with N one more than the largest suffix in use (so bulk inserts of one name stay cheap).
std::string unique_slug(Db& db, const std::string& table, const std::string& base,
                        std::int64_t except_id) {
  auto taken = [&](const std::string& slug) {
    auto& q = db.stmt("SELECT 1 FROM " + table + " WHERE slug = ? AND id <> ?");
    q.bind(1, slug);
    q.bind(2, except_id);
    return q.executeStep();
  };
  if (!taken(base)) return base;
  // Slugs starting with "base-" sort between "base-" and "base." ('.' follows '-').
  auto& q = db.stmt("SELECT slug FROM " + table + " WHERE slug > ? AND slug < ?");
  q.bind(1, base + "-");
  q.bind(2, base + ".");
  std::int64_t max_suffix = 0;
  while (q.executeStep()) {
    const std::string slug = q.getColumn(0).getString();
    const std::string_view suffix = std::string_view(slug).substr(base.size() + 1);
    if (suffix.empty() || suffix.size() > 15 || suffix[0] == '0') continue;
    if (!std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    max_suffix = std::max<std::int64_t>(max_suffix, std::stoll(std::string(suffix)));
  }
  for (std::int64_t n = max_suffix + 1;; ++n) {
    std::string candidate = base + "-" + std::to_string(n);
    if (!taken(candidate)) return candidate;
  }
}

bool valid_slug(std::string_view slug) {
  if (slug.empty()) return false;
  for (unsigned char c : slug) {
    const bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status check_slug(const std::string& slug) {
  if (slug.empty()) return Status::ok();
  if (char_length(slug) > 255) return Error::invalid(too_long(255), "slug");
  if (!valid_slug(slug)) {
    return Error::invalid("문자, 숫자, 밑줄(_), 하이픈(-)으로 이루어진 슬러그를 입력하세요.",
                          "slug");
  }
  return Status::ok();
}

// --- products ---------------------------------------------------------------------------------

Status validate_product_fields(const NewProduct& p) {
  if (blank(p.name)) return Error::invalid(kRequired, "name");
  SHOP_TRY(check_length(p.name, 200, "name"));
  SHOP_TRY(check_slug(p.slug));
  SHOP_TRY(check_length(p.short_description, 300, "short_description"));
  if (p.price < 0) return Error::invalid("이 값이 0보다 크거나 같은지 확인하십시오.", "price");
  if (p.price > kMaxPrice) return Error::invalid("가격이 너무 큽니다.", "price");
  if (p.compare_price) {
    if (*p.compare_price < 0 || *p.compare_price > kMaxPrice) {
      return Error::invalid("올바른 가격이 아닙니다.", "compare_price");
    }
    if (*p.compare_price <= p.price) {
      return Error::invalid("정가는 판매가보다 커야 합니다.", "compare_price");
    }
  }
  if (p.stock < 0) return Error::invalid("이 값이 0보다 크거나 같은지 확인하십시오.", "stock");
  if (p.stock > kMaxStock) return Error::invalid("재고 수량이 너무 큽니다.", "stock");
  SHOP_TRY(check_length(p.sku, 50, "sku"));
  SHOP_TRY(check_length(p.brand, 100, "brand"));
  SHOP_TRY(check_length(p.tags, 500, "tags"));
  return Status::ok();
}

// Rules that need the database: the category is active, the seller exists, the SKU is free.
Status validate_product_refs(Db& db, const NewProduct& p, std::int64_t except_id) {
  auto& cat = db.stmt("SELECT is_active FROM categories WHERE id = ?");
  cat.bind(1, p.category_id);
  if (!cat.executeStep() || cat.getColumn(0).getInt() == 0) {
    return Error::invalid(
        "유효하지 않은 pk \"" + std::to_string(p.category_id) + "\" - 객체가 존재하지 않습니다.",
        "category");
  }
  if (p.seller_id) {
    auto& seller = db.stmt("SELECT 1 FROM users WHERE id = ?");
    seller.bind(1, *p.seller_id);
    if (!seller.executeStep()) return Error::invalid("판매자가 존재하지 않습니다.", "seller");
  }
  if (!p.sku.empty()) {
    auto& sku = db.stmt("SELECT 1 FROM products WHERE sku = ? AND id <> ?");
    sku.bind(1, p.sku);
    sku.bind(2, except_id);
    if (sku.executeStep()) {
      return Error::invalid("이미 사용 중인 SKU입니다.", "sku", "DUPLICATE");
    }
  }
  if (!p.slug.empty()) {
    auto& slug = db.stmt("SELECT 1 FROM products WHERE slug = ? AND id <> ?");
    slug.bind(1, p.slug);
    slug.bind(2, except_id);
    if (slug.executeStep()) {
      return Error::invalid("이미 사용 중인 슬러그입니다.", "slug", "DUPLICATE");
    }
  }
  return Status::ok();
}

std::string generated_sku(Db& db) {
  while (true) {
    std::string sku = "SKU-" + crypto::random_hex(6);
    auto& q = db.stmt("SELECT 1 FROM products WHERE sku = ?");
    q.bind(1, sku);
    if (!q.executeStep()) return sku;
  }
}

constexpr const char* kSummaryColumns =
    "p.id, p.name, p.slug, p.price, p.stock, p.category_id, c.name, p.seller_id, u.username, "
    "p.is_active, p.created_at";
constexpr const char* kSummaryFrom =
    " FROM products p JOIN categories c ON c.id = p.category_id "
    "LEFT JOIN users u ON u.id = p.seller_id";

ProductSummary read_summary(SQLite::Statement& q) {
  ProductSummary s;
  s.id = q.getColumn(0).getInt64();
  s.name = q.getColumn(1).getString();
  s.slug = q.getColumn(2).getString();
  s.price = q.getColumn(3).getInt64();
  s.stock = q.getColumn(4).getInt64();
  s.category_id = q.getColumn(5).getInt64();
  s.category_name = q.getColumn(6).getString();
  s.seller_id = opt_int(q.getColumn(7));
  s.seller_username = opt_text(q.getColumn(8));
  s.is_active = q.getColumn(9).getInt() != 0;
  s.created_at = q.getColumn(10).getInt64();
  return s;
}

Result<ProductDetail> load_detail(Db& db, std::int64_t id, bool active_only) {
  auto& q = db.stmt(
      "SELECT p.id, p.name, p.slug, p.description, p.short_description, p.price, p.compare_price, "
      "p.stock, p.sold_count, p.view_count, p.is_available, p.is_active, p.sku, p.brand, p.tags, "
      "p.category_id, c.name, c.slug, pc.name, p.seller_id, u.username, u.membership_level, "
      "p.created_at, p.updated_at, "
      "(SELECT COUNT(*) FROM products s WHERE s.seller_id = p.seller_id AND s.is_active = 1) "
      "FROM products p JOIN categories c ON c.id = p.category_id "
      "LEFT JOIN categories pc ON pc.id = c.parent_id LEFT JOIN users u ON u.id = p.seller_id "
      "WHERE p.id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return Error::not_found("찾을 수 없습니다.");
  ProductDetail d;
  d.id = q.getColumn(0).getInt64();
  d.name = q.getColumn(1).getString();
  d.slug = q.getColumn(2).getString();
  d.description = q.getColumn(3).getString();
  d.short_description = q.getColumn(4).getString();
  d.price = q.getColumn(5).getInt64();
  d.compare_price = opt_int(q.getColumn(6));
  d.stock = q.getColumn(7).getInt64();
  d.sold_count = q.getColumn(8).getInt64();
  d.view_count = q.getColumn(9).getInt64();
  d.is_available = q.getColumn(10).getInt() != 0;
  d.is_active = q.getColumn(11).getInt() != 0;
  d.sku = q.getColumn(12).getString();
  d.brand = q.getColumn(13).getString();
  d.tags = q.getColumn(14).getString();
  d.category_id = q.getColumn(15).getInt64();
  d.category_name = q.getColumn(16).getString();
  d.category_slug = q.getColumn(17).getString();
  d.category_parent_name = opt_text(q.getColumn(18));
  d.seller_id = opt_int(q.getColumn(19));
  d.seller_username = opt_text(q.getColumn(20));
  d.seller_level = opt_text(q.getColumn(21));
  d.created_at = q.getColumn(22).getInt64();
  d.updated_at = q.getColumn(23).getInt64();
  d.seller_product_count = q.getColumn(24).getInt64();
  if (active_only && !d.is_active) return Error::not_found("찾을 수 없습니다.");
  return d;
}

// "price,-stock" -> "p.price ASC, p.stock DESC"; unknown or repeated fields are dropped.
std::pair<std::string, int> order_by(const std::string& ordering) {
  static const std::map<std::string, std::string, std::less<>> kColumns = {
      {"price", "p.price"},
      {"created_at", "p.created_at"},
      {"stock", "p.stock"},
      {"name", "p.name"}};
  std::string sql;
  std::set<std::string> seen;
  int fields = 0;
  size_t start = 0;
  while (start <= ordering.size()) {
    size_t comma = ordering.find(',', start);
    if (comma == std::string::npos) comma = ordering.size();
    std::string item = ordering.substr(start, comma - start);
    start = comma + 1;
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    const bool desc = !item.empty() && item[0] == '-';
    const std::string name = desc ? item.substr(1) : item;
    auto it = kColumns.find(name);
    if (it == kColumns.end() || !seen.insert(name).second) continue;
    if (!sql.empty()) sql += ", ";
    sql += it->second + (desc ? " DESC" : " ASC");
    ++fields;
  }
  if (sql.empty()) sql = "p.created_at DESC";
  return {sql + ", p.id DESC", fields};
}

std::string like_pattern(std::string_view term) {
  std::string out = "%";
  for (char c : term) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::vector<std::string> search_terms(const std::string& search) {
  std::vector<std::string> terms;
  std::string current;
  for (char c : search) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      if (!current.empty()) terms.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) terms.push_back(std::move(current));
  if (terms.size() > kMaxSearchTerms) terms.resize(kMaxSearchTerms);
  return terms;
}

Result<std::int64_t> resolve_page(std::int64_t requested, std::int64_t page_size,
                                  std::int64_t count) {
  const std::int64_t pages = count == 0 ? 1 : (count + page_size - 1) / page_size;
  const std::int64_t page = requested == kLastPage ? pages : requested;
  if (page < 1 || page > pages) return Error::not_found("Invalid page.");
  return page;
}

bool category_exists(Db& db, std::int64_t id, bool active_only) {
  auto& q = db.stmt("SELECT is_active FROM categories WHERE id = ?");
  q.bind(1, id);
  return q.executeStep() && (!active_only || q.getColumn(0).getInt() != 0);
}

Result<CatalogPage<ProductSummary>> list_products_in(Db& db, const ProductQuery& query) {
  using Bind = std::variant<std::int64_t, std::string>;
  std::vector<Bind> binds;
  // Numbered parameters, so a search term bound once can be used three times.
  auto param = [&binds](Bind value) {
    binds.push_back(std::move(value));
    return "?" + std::to_string(binds.size());
  };
  std::string where = " WHERE p.is_active = 1";
  if (query.category_id && category_exists(db, *query.category_id, false)) {
    where += " AND p.category_id IN (WITH RECURSIVE d(id) AS (SELECT " + param(*query.category_id) +
             " UNION SELECT k.id FROM categories k JOIN d ON k.parent_id = d.id) SELECT id FROM d)";
  }
  if (query.min_price) where += " AND p.price >= " + param(*query.min_price);
  if (query.max_price) where += " AND p.price <= " + param(*query.max_price);
  if (query.in_stock) where += *query.in_stock ? " AND p.stock > 0" : " AND p.stock = 0";
  if (query.seller_id) where += " AND p.seller_id = " + param(*query.seller_id);
  const auto terms = search_terms(query.search);
  for (const auto& term : terms) {
    const std::string p = param(like_pattern(term));
    where += " AND (p.name LIKE " + p + " ESCAPE '\\' OR p.description LIKE " + p +
             " ESCAPE '\\' OR c.name LIKE " + p + " ESCAPE '\\')";
  }
  const int next = static_cast<int>(binds.size());

  auto [order, order_fields] = order_by(query.ordering);
  // Cache the statement only for the bounded family of shapes (no search, one ordering field);
  // the rest are prepared per request so the cache cannot grow without bound.
  const bool cacheable = terms.empty() && order_fields <= 1;
  auto run = [&](const std::string& sql, auto&& per_row, std::int64_t limit, std::int64_t offset,
                 bool paged) {
    std::optional<SQLite::Statement> local;
    SQLite::Statement* st;
    if (cacheable) {
      st = &db.stmt(sql);
    } else {
      local.emplace(db.raw(), sql);
      st = &*local;
    }
    int i = 1;
    for (const auto& b : binds) {
      if (std::holds_alternative<std::int64_t>(b)) {
        st->bind(i++, std::get<std::int64_t>(b));
      } else {
        st->bind(i++, std::get<std::string>(b));
      }
    }
    if (paged) {
      st->bind(i++, limit);
      st->bind(i++, offset);
    }
    while (st->executeStep()) per_row(*st);
    if (!local) st->reset();
  };

  CatalogPage<ProductSummary> page;
  page.page_size = query.page_size.value_or(0) <= 0
                       ? kDefaultProductPageSize
                       : std::min(*query.page_size, kMaxProductPageSize);
  run(
      std::string("SELECT COUNT(*) FROM products p") +
          (terms.empty() ? "" : " JOIN categories c ON c.id = p.category_id") + where,
      [&](SQLite::Statement& st) { page.count = st.getColumn(0).getInt64(); }, 0, 0, false);
  auto resolved = resolve_page(query.page, page.page_size, page.count);
  if (!resolved) return resolved.error();
  page.page = *resolved;
  const std::string limit_sql =
      " LIMIT ?" + std::to_string(next + 1) + " OFFSET ?" + std::to_string(next + 2);
  run(
      std::string("SELECT ") + kSummaryColumns + kSummaryFrom + where + " ORDER BY " + order +
          limit_sql,
      [&](SQLite::Statement& st) { page.results.push_back(read_summary(st)); }, page.page_size,
      (page.page - 1) * page.page_size, true);
  return page;
}

// --- categories -------------------------------------------------------------------------------

// Every category with its counts, keyed by id (catalogues have tens of categories, not millions).
std::map<std::int64_t, Category> load_categories(Db& db) {
  auto& q = db.stmt(
      "SELECT c.id, c.name, c.slug, c.description, c.parent_id, c.is_active, c.created_at, "
      "c.updated_at, "
      "(SELECT COUNT(*) FROM products p WHERE p.category_id = c.id AND p.is_active = 1), "
      "(SELECT COUNT(*) FROM categories k WHERE k.parent_id = c.id AND k.is_active = 1) "
      "FROM categories c");
  std::map<std::int64_t, Category> all;
  while (q.executeStep()) {
    Category c;
    c.id = q.getColumn(0).getInt64();
    c.name = q.getColumn(1).getString();
    c.slug = q.getColumn(2).getString();
    c.description = q.getColumn(3).getString();
    c.parent_id = opt_int(q.getColumn(4));
    c.is_active = q.getColumn(5).getInt() != 0;
    c.created_at = q.getColumn(6).getInt64();
    c.updated_at = q.getColumn(7).getInt64();
    c.product_count = q.getColumn(8).getInt64();
    c.children_count = q.getColumn(9).getInt64();
    all.emplace(c.id, std::move(c));
  }
  for (auto& [id, c] : all) {
    std::vector<const std::string*> names{&c.name};
    std::set<std::int64_t> visited{id};  // a cycle cannot be created through the API; be safe
    for (auto parent = c.parent_id; parent;) {
      auto it = all.find(*parent);
      if (it == all.end() || !visited.insert(*parent).second) break;
      if (names.size() == 1) c.parent_name = it->second.name;
      names.push_back(&it->second.name);
      parent = it->second.parent_id;
    }
    for (auto n = names.rbegin(); n != names.rend(); ++n) {
      if (!c.full_path.empty()) c.full_path += " > ";
      c.full_path += **n;
    }
  }
  return all;
}

bool by_name(const Category* a, const Category* b) {
  return a->name != b->name ? a->name < b->name : a->id < b->id;
}

}  // namespace

const char* stock_status_label(std::int64_t stock) {
  if (stock <= 0) return "품절";
  if (stock < 10) return "재고 부족";
  return "재고 충분";
}

// --- rows inside a transaction -------------------------------------------------------------------

namespace catalog {

std::string slugify(std::string_view text) {
  std::string out;
  bool pending_dash = false;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + len > text.size()) len = 1;
    std::uint32_t cp = c;
    if (len > 1) {
      cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    const std::string_view ch = text.substr(i, len);
    i += len;
    const bool space = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
                       cp == '\v' || cp == '-' || cp == 0x3000 || cp == 0xA0;
    if (space) {
      pending_dash = !out.empty();
      continue;
    }
    bool word;
    if (cp < 0x80) {
      word = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
             cp == '_';
    } else {
      // Non-ASCII letters are kept; common punctuation and symbol blocks are dropped.
      word = !((cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x2BFF) ||
               (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
               (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
               (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) || cp >= 0x1F000);
    }
    if (!word) continue;
    if (pending_dash) out += '-';
    pending_dash = false;
    if (cp >= 'A' && cp <= 'Z') {
      out += static_cast<char>(cp - 'A' + 'a');
    } else {
      out += ch;
    }
  }
  // strip("-_")
  const size_t first = out.find_first_not_of("-_");
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of("-_") - first + 1);
}

std::string normalize_tags(std::string_view tags) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= tags.size()) {
    size_t comma = tags.find(',', start);
    if (comma == std::string_view::npos) comma = tags.size();
    std::string item(tags.substr(start, comma - start));
    start = comma + 1;
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty() && std::find(items.begin(), items.end(), item) == items.end()) {
      items.push_back(std::move(item));
    }
  }
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

Result<std::int64_t> insert_category(Db& db, const NewCategory& c, Micros now) {
  if (blank(c.name)) return Error::invalid(kRequired, "name");
  SHOP_TRY(check_length(c.name, 100, "name"));
  SHOP_TRY(check_slug(c.slug));
  if (c.parent_id && !category_exists(db, *c.parent_id, false)) {
    return Error::invalid("상위 카테고리가 존재하지 않습니다.", "parent");
  }
  std::string slug = c.slug;
  if (slug.empty()) {
    std::string base = slugify(c.name);
    slug = unique_slug(db, "categories", base.empty() ? "category" : base, 0);
  } else {
    auto& q = db.stmt("SELECT 1 FROM categories WHERE slug = ?");
    q.bind(1, slug);
    if (q.executeStep()) return Error::invalid("이미 사용 중인 슬러그입니다.", "slug", "DUPLICATE");
  }
  auto& ins = db.stmt(
      "INSERT INTO categories (name, slug, description, parent_id, is_active, created_at, "
      "updated_at, origin) VALUES (?,?,?,?,?,?,?,?)");
  ins.bind(1, c.name);
  ins.bind(2, slug);
  ins.bind(3, c.description);
  bind_opt(ins, 4, c.parent_id);
  ins.bind(5, c.is_active ? 1 : 0);
  ins.bind(6, now);
  ins.bind(7, now);
  if (c.origin.empty()) {
    ins.bind(8);
  } else {
    ins.bind(8, c.origin);
  }
  ins.exec();
  return db.last_insert_id();
}

Result<std::int64_t> insert_product(Db& db, const NewProduct& input, Micros now) {
  NewProduct p = input;
  p.tags = normalize_tags(p.tags);
  SHOP_TRY(validate_product_fields(p));
  SHOP_TRY(validate_product_refs(db, p, 0));
  if (p.sku.empty()) p.sku = generated_sku(db);
  if (p.slug.empty()) {
    std::string base = slugify(p.name);
    p.slug = unique_slug(db, "products", base.empty() ? "product" : base, 0);
  }
  auto& ins = db.stmt(
      "INSERT INTO products (name, slug, description, short_description, price, compare_price, "
      "stock, initial_stock, is_available, is_active, sku, brand, tags, category_id, seller_id, "
      "created_at, updated_at, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins.bind(1, p.name);
  ins.bind(2, p.slug);
  ins.bind(3, p.description);
  ins.bind(4, p.short_description);
  ins.bind(5, p.price);
  bind_opt(ins, 6, p.compare_price);
  ins.bind(7, p.stock);
  ins.bind(8, p.stock);
  ins.bind(9, p.is_available ? 1 : 0);
  ins.bind(10, p.is_active ? 1 : 0);
  ins.bind(11, p.sku);
  ins.bind(12, p.brand);
  ins.bind(13, p.tags);
  ins.bind(14, p.category_id);
  bind_opt(ins, 15, p.seller_id);
  ins.bind(16, now);
  ins.bind(17, now);
  if (p.origin.empty()) {
    ins.bind(18);
  } else {
    ins.bind(18, p.origin);
  }
  ins.exec();
  return db.last_insert_id();
}

Result<std::int64_t> adjust_stock(Db& db, std::int64_t product_id, std::int64_t delta, Micros now) {
  auto& q = db.stmt("SELECT stock FROM products WHERE id = ?");
  q.bind(1, product_id);
  if (!q.executeStep()) return Error::not_found("상품을 찾을 수 없습니다.");
  const std::int64_t stock = q.getColumn(0).getInt64();
  if (delta < -stock) {
    return Error::invalid("재고는 0 미만이 될 수 없습니다. (현재 " + std::to_string(stock) + ")",
                          "stock", "INSUFFICIENT_STOCK");
  }
  if (delta > kMaxStock - stock) return Error::invalid("재고 수량이 너무 큽니다.", "stock");
  auto& upd = db.stmt(
      "UPDATE products SET stock = stock + ?1, restocked = restocked + ?1, updated_at = ?2 "
      "WHERE id = ?3");
  upd.bind(1, delta);
  upd.bind(2, now);
  upd.bind(3, product_id);
  upd.exec();
  return stock + delta;
}

}  // namespace catalog

// --- Catalog ------------------------------------------------------------------------------------

Catalog::Catalog(detail::EngineContext& ctx) : ctx_(ctx) {}
Catalog::~Catalog() = default;

Result<std::int64_t> Catalog::create_category(const NewCategory& category) {
  return ctx_.store->write(
      [&](Db& db) { return catalog::insert_category(db, category, ctx_.now()); });
}

Result<CatalogPage<Category>> Catalog::list_categories(std::int64_t page) const {
  return ctx_.store->read([&](Db& db) -> Result<CatalogPage<Category>> {
    auto all = load_categories(db);
    std::vector<const Category*> active;
    for (const auto& [id, c] : all) {
      if (c.is_active) active.push_back(&c);
    }
    std::sort(active.begin(), active.end(), by_name);
    CatalogPage<Category> out;
    out.page_size = kCategoryPageSize;
    out.count = static_cast<std::int64_t>(active.size());
    auto resolved = resolve_page(page, out.page_size, out.count);
    if (!resolved) return resolved.error();
    out.page = *resolved;
    const size_t begin = static_cast<size_t>((out.page - 1) * out.page_size);
    for (size_t i = begin; i < active.size() && i < begin + kCategoryPageSize; ++i) {
      out.results.push_back(*active[i]);
    }
    return out;
  });
}

Result<Category> Catalog::get_category(std::int64_t id) const {
  return ctx_.store->read([&](Db& db) -> Result<Category> {
    auto all = load_categories(db);
    auto it = all.find(id);
    if (it == all.end() || !it->second.is_active) return Error::not_found("찾을 수 없습니다.");
    return std::move(it->second);
  });
}

Result<std::vector<CategoryNode>> Catalog::category_tree() const {
  return ctx_.store->read([&](Db& db) -> Result<std::vector<CategoryNode>> {
    auto all = load_categories(db);
    std::unordered_map<std::int64_t, std::vector<const Category*>> children;
    std::vector<const Category*> roots;
    for (const auto& [id, c] : all) {
      if (!c.is_active) continue;
      if (c.parent_id) {
        children[*c.parent_id].push_back(&c);
      } else {
        roots.push_back(&c);
      }
    }
    // Depth-first; an inactive parent hides its subtree. Depth bounded by the visited set.
    std::set<std::int64_t> visited;
    auto build = [&](auto&& self, const Category* c) -> CategoryNode {
      CategoryNode node{c->id, c->name, c->slug, c->product_count, {}};
      auto it = children.find(c->id);
      if (it == children.end()) return node;
      auto kids = it->second;
      std::sort(kids.begin(), kids.end(), by_name);
      for (const Category* k : kids) {
        if (visited.insert(k->id).second) node.children.push_back(self(self, k));
      }
      return node;
    };
    std::sort(roots.begin(), roots.end(), by_name);
    std::vector<CategoryNode> out;
    for (const Category* r : roots) {
      visited.insert(r->id);
      out.push_back(build(build, r));
    }
    return out;
  });
}

Result<std::vector<std::int64_t>> Catalog::descendants(std::int64_t category_id) const {
  return ctx_.store->read([&](Db& db) -> Result<std::vector<std::int64_t>> {
    if (!category_exists(db, category_id, false)) return Error::not_found("찾을 수 없습니다.");
    auto& q = db.stmt(
        "WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT k.id FROM categories k JOIN d ON "
        "k.parent_id = d.id) SELECT id FROM d ORDER BY id");
    q.bind(1, category_id);
    std::vector<std::int64_t> ids;
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    return ids;
  });
}

Result<CatalogPage<ProductSummary>> Catalog::list_products(const ProductQuery& query) const {
  return ctx_.store->read([&](Db& db) { return list_products_in(db, query); });
}

Result<CatalogPage<ProductSummary>> Catalog::category_products(
    std::int64_t category_id, std::int64_t page, std::optional<std::int64_t> page_size) const {
  return ctx_.store->read([&](Db& db) -> Result<CatalogPage<ProductSummary>> {
    if (!category_exists(db, category_id, true)) return Error::not_found("찾을 수 없습니다.");
    ProductQuery q;
    q.page = page;
    q.page_size = page_size;
    q.category_id = category_id;
    return list_products_in(db, q);
  });
}

Result<ProductDetail> Catalog::get_product(std::int64_t id) const {
  return ctx_.store->read([&](Db& db) { return load_detail(db, id, true); });
}

Result<std::int64_t> Catalog::create_product(const NewProduct& product) {
  return ctx_.store->write(
      [&](Db& db) { return catalog::insert_product(db, product, ctx_.now()); });
}

namespace {
Status require_seller(Db& db, std::int64_t user_id) {
  auto& q = db.stmt("SELECT is_seller FROM users WHERE id = ? AND is_active = 1");
  q.bind(1, user_id);
  if (!q.executeStep() || q.getColumn(0).getInt() == 0) {
    return Error::forbidden("판매자만 상품을 등록하거나 수정할 수 있습니다.");
  }
  return Status::ok();
}
}  // namespace

Result<ProductDetail> Catalog::create_product_as_seller(std::int64_t user_id, NewProduct product) {
  product.seller_id = user_id;
  product.origin.clear();
  return ctx_.store->write([&](Db& db) -> Result<ProductDetail> {
    SHOP_TRY(require_seller(db, user_id));
    auto id = catalog::insert_product(db, product, ctx_.now());
    if (!id) return id.error();
    return load_detail(db, *id, false);
  });
}

Result<ProductDetail> Catalog::update_product(std::int64_t user_id, std::int64_t product_id,
                                              const ProductUpdate& u, bool partial) {
  if (!partial) {
    const std::pair<bool, const char*> required[] = {{u.name.has_value(), "name"},
                                                     {u.category_id.has_value(), "category"},
                                                     {u.description.has_value(), "description"},
                                                     {u.price.has_value(), "price"},
                                                     {u.sku.has_value(), "sku"}};
    for (const auto& [present, field] : required) {
      if (!present) return Error::invalid(kRequired, field);
    }
  }
  return ctx_.store->write([&](Db& db) -> Result<ProductDetail> {
    SHOP_TRY(require_seller(db, user_id));
    auto current = load_detail(db, product_id, true);
    if (!current) return current.error();
    if (current->seller_id != user_id) {
      return Error::forbidden("이 작업을 수행할 권한(permission)이 없습니다.");
    }
    // Merge, then validate the result as a whole (compare_price against the new price, ...).
    NewProduct p;
    p.name = u.name.value_or(current->name);
    p.slug = u.slug.value_or("");
    p.category_id = u.category_id.value_or(current->category_id);
    p.description = u.description.value_or(current->description);
    p.short_description = u.short_description.value_or(current->short_description);
    p.price = u.price.value_or(current->price);
    p.compare_price = u.compare_price.value_or(current->compare_price);
    p.stock = u.stock.value_or(current->stock);
    p.is_available = u.is_available.value_or(current->is_available);
    p.sku = u.sku.value_or(current->sku);
    p.brand = u.brand.value_or(current->brand);
    p.tags = catalog::normalize_tags(u.tags.value_or(current->tags));
    p.is_active = u.is_active.value_or(current->is_active);
    SHOP_TRY(validate_product_fields(p));
    if (p.sku.empty()) return Error::invalid("이 필드는 빈칸일 수 없습니다.", "sku");
    SHOP_TRY(validate_product_refs(db, p, product_id));
    if (p.slug.empty()) {
      if (p.name != current->name) {
        const std::string base = catalog::slugify(p.name);
        p.slug = unique_slug(db, "products", base.empty() ? "product" : base, product_id);
      } else {
        p.slug = current->slug;
      }
    }
    const Micros now = ctx_.now();
    // A stock edit is an adjustment like restock(): stock and restocked move together.
    if (p.stock != current->stock) {
      auto adjusted = catalog::adjust_stock(db, product_id, p.stock - current->stock, now);
      if (!adjusted) return adjusted.error();
    }
    auto& upd = db.stmt(
        "UPDATE products SET name = ?, slug = ?, category_id = ?, description = ?, "
        "short_description = ?, price = ?, compare_price = ?, is_available = ?, sku = ?, "
        "brand = ?, tags = ?, is_active = ?, updated_at = ? WHERE id = ?");
    upd.bind(1, p.name);
    upd.bind(2, p.slug);
    upd.bind(3, p.category_id);
    upd.bind(4, p.description);
    upd.bind(5, p.short_description);
    upd.bind(6, p.price);
    bind_opt(upd, 7, p.compare_price);
    upd.bind(8, p.is_available ? 1 : 0);
    upd.bind(9, p.sku);
    upd.bind(10, p.brand);
    upd.bind(11, p.tags);
    upd.bind(12, p.is_active ? 1 : 0);
    upd.bind(13, now);
    upd.bind(14, product_id);
    upd.exec();
    return load_detail(db, product_id, false);
  });
}

Status Catalog::delete_product(std::int64_t user_id, std::int64_t product_id) {
  return ctx_.store->write([&](Db& db) -> Status {
    SHOP_TRY(require_seller(db, user_id));
    auto current = load_detail(db, product_id, true);
    if (!current) return current.error();
    if (current->seller_id != user_id) {
      return Error::forbidden("이 작업을 수행할 권한(permission)이 없습니다.");
    }
    auto& upd = db.stmt("UPDATE products SET is_active = 0, updated_at = ? WHERE id = ?");
    upd.bind(1, ctx_.now());
    upd.bind(2, product_id);
    upd.exec();
    return Status::ok();
  });
}

Result<std::int64_t> Catalog::restock(std::int64_t product_id, std::int64_t delta) {
  return ctx_.store->write(
      [&](Db& db) { return catalog::adjust_stock(db, product_id, delta, ctx_.now()); });
}

}  // namespace shop
