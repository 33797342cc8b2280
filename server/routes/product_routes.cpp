// /api/products/ — listing with filters, detail, and seller writes (contract §1a, §1d).
#include <charconv>
#include <cmath>
#include <limits>

#include "routes/catalog_render.h"
#include "routes/routes.h"

namespace shopd {

namespace {

// Any integer (sign allowed) or nullopt: min_price, max_price, seller and category are ignored
// when they are not numbers (contract).
std::optional<std::int64_t> int_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string v = req.get_param_value(name);
  std::int64_t x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return x;
}

std::optional<bool> bool_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string v = req.get_param_value(name);
  if (v == "true" || v == "True" || v == "1") return true;
  if (v == "false" || v == "False" || v == "0") return false;
  return std::nullopt;
}

// DRF DecimalField(max_digits=10, decimal_places=0): a JSON integer, an integral float, or a
// string of digits (optionally ".0..."). Range 0..kMaxPrice.
std::optional<std::int64_t> money_field(Fields& f, const json& body, const char* name,
                                        bool required) {
  if (!body.contains(name) || body[name].is_null()) {
    if (required) f.add_error(name, "This field is required.");
    return std::nullopt;
  }
  const json& v = body[name];
  std::optional<long double> value;
  if (v.is_number_integer()) {
    value = v.is_number_unsigned() ? static_cast<long double>(v.get<std::uint64_t>())
                                   : static_cast<long double>(v.get<std::int64_t>());
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d)) value = d;
  } else if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (const size_t dot = s.find('.');
        dot != std::string::npos && s.find_first_not_of('0', dot + 1) == std::string::npos) {
      s.resize(dot);
    }
    std::int64_t x = 0;
    const bool neg = !s.empty() && s[0] == '-';
    auto [end, ec] = std::from_chars(s.data() + (neg ? 1 : 0), s.data() + s.size(), x);
    if (s.size() > (neg ? 1u : 0u) && ec == std::errc() && end == s.data() + s.size()) {
      value = neg ? -static_cast<long double>(x) : static_cast<long double>(x);
    } else if (ec == std::errc::result_out_of_range) {
      value = 1e30L;  // reported as too many digits below
    }
  }
  if (!value) {
    f.add_error(name, "A valid number is required.");
    return std::nullopt;
  }
  if (*value < 0) {
    f.add_error(name, "Ensure this value is greater than or equal to 0.");
    return std::nullopt;
  }
  if (*value > static_cast<long double>(shop::kMaxPrice)) {
    f.add_error(name, "Ensure that there are no more than 10 digits in total.");
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*value);
}

// Validation errors as DRF field errors; permission and back-pressure errors as {"detail"}.
ErrorShape write_error_shape(const shop::Error& e) {
  return e.code == shop::ErrorCode::kInvalidArgument || e.code == shop::ErrorCode::kConflict
             ? ErrorShape::kField
             : ErrorShape::kDetail;
}

void list_products(const Api& api, const httplib::Request& req, httplib::Response& res) {
  if (authenticate(api, req, res).replied) return;
  auto page = page_param(req, res);
  if (!page) return;
  shop::ProductQuery q;
  q.page = *page;
  q.page_size = page_size_param(req);
  q.search = query_str(req, "search").value_or("");
  q.category_id = int_param(req, "category");
  q.min_price = int_param(req, "min_price");
  q.max_price = int_param(req, "max_price");
  q.in_stock = bool_param(req, "in_stock");
  q.seller_id = int_param(req, "seller");
  q.ordering = query_str(req, "ordering").value_or("");
  auto result = api.engine.catalog().list_products(q);
  if (!result) return reply_error(res, result.error(), ErrorShape::kDetail);
  reply_json(res, 200, page_json(api, req, *result, [&](const shop::ProductSummary& p) {
               return product_summary_json(api, p);
             }));
}

void get_product(const Api& api, const httplib::Request& req, httplib::Response& res,
                 std::int64_t id) {
  if (authenticate(api, req, res).replied) return;
  auto product = api.engine.catalog().get_product(id);
  if (!product) return reply_error(res, product.error(), ErrorShape::kDetail);
  reply_json(res, 200, product_detail_json(api, *product));
}

// Reads the writable product fields (all optional here; the engine enforces what PUT/POST need).
struct ProductInput {
  shop::ProductUpdate update;
  bool ok = false;
};

ProductInput read_product_fields(const json& body, httplib::Response& res, bool create) {
  ProductInput in;
  Fields f(body);
  shop::ProductUpdate& u = in.update;
  u.name = f.string("name", create, 200);
  u.slug = f.string("slug", false, 255);
  u.category_id = f.integer("category", create, 1, std::numeric_limits<std::int64_t>::max());
  u.description = f.string("description", create, 100'000);
  u.short_description = f.string("short_description", false, 300, true);
  u.price = money_field(f, body, "price", create);
  if (body.contains("compare_price")) {
    if (body["compare_price"].is_null()) {
      u.compare_price = std::optional<std::int64_t>();
    } else if (auto cp = money_field(f, body, "compare_price", false)) {
      u.compare_price = cp;
    }
  }
  u.stock = f.integer("stock", false, 0, shop::kMaxStock);
  u.is_available = f.boolean("is_available", false);
  u.sku = f.string("sku", create, 50);
  u.brand = f.string("brand", false, 100, true);
  u.tags = f.string("tags", false, 500, true);
  u.is_active = f.boolean("is_active", false);
  if (f.reply_if_errors(res)) return in;
  in.ok = true;
  return in;
}

void create_product(const Api& api, const httplib::Request& req, httplib::Response& res) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  auto in = read_product_fields(*body, res, true);
  if (!in.ok) return;
  const shop::ProductUpdate& u = in.update;
  shop::NewProduct p;
  p.name = *u.name;
  p.slug = u.slug.value_or("");
  p.category_id = *u.category_id;
  p.description = *u.description;
  p.short_description = u.short_description.value_or("");
  p.price = *u.price;
  p.compare_price = u.compare_price.value_or(std::nullopt);
  p.stock = u.stock.value_or(0);
  p.is_available = u.is_available.value_or(true);
  p.sku = *u.sku;
  p.brand = u.brand.value_or("");
  p.tags = u.tags.value_or("");
  p.is_active = u.is_active.value_or(true);
  auto created = api.engine.catalog().create_product_as_seller(user->user_id, std::move(p));
  if (!created) return reply_error(res, created.error(), write_error_shape(created.error()));
  reply_json(res, 201, product_detail_json(api, *created));
}

void update_product(const Api& api, const httplib::Request& req, httplib::Response& res,
                    std::int64_t id, bool partial) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto body = parse_object(req, res);
  if (!body) return;
  auto in = read_product_fields(*body, res, false);
  if (!in.ok) return;
  auto updated = api.engine.catalog().update_product(user->user_id, id, in.update, partial);
  if (!updated) return reply_error(res, updated.error(), write_error_shape(updated.error()));
  reply_json(res, 200, product_detail_json(api, *updated));
}

void delete_product(const Api& api, const httplib::Request& req, httplib::Response& res,
                    std::int64_t id) {
  auto user = require_user(api, req, res);
  if (!user) return;
  auto st = api.engine.catalog().delete_product(user->user_id, id);
  if (!st) return reply_error(res, st.error(), ErrorShape::kDetail);
  reply_empty(res, 204);
}

}  // namespace

void register_product_routes(Router& router, Api& api) {
  const Api* a = &api;
  router.add("GET", "/api/products/",
             guarded([a](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
               list_products(*a, req, res);
             }));
  router.add("POST", "/api/products/",
             guarded([a](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
               create_product(*a, req, res);
             }));
  router.add("GET", "/api/products/{id}/",
             guarded([a](const httplib::Request& req, httplib::Response& res,
                         const RouteParams& p) { get_product(*a, req, res, p.id()); }));
  router.add("PUT", "/api/products/{id}/",
             guarded([a](const httplib::Request& req, httplib::Response& res,
                         const RouteParams& p) { update_product(*a, req, res, p.id(), false); }));
  router.add("PATCH", "/api/products/{id}/",
             guarded([a](const httplib::Request& req, httplib::Response& res,
                         const RouteParams& p) { update_product(*a, req, res, p.id(), true); }));
  router.add("DELETE", "/api/products/{id}/",
             guarded([a](const httplib::Request& req, httplib::Response& res,
                         const RouteParams& p) { delete_product(*a, req, res, p.id()); }));
}

}  // namespace shopd
