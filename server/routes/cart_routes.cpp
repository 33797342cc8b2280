// cart_routes.cpp — /api/cart-items/ and /api/cart/ (contract §1a, §1d). Anyone may use a cart:
// a valid Bearer token means the user's cart; otherwise the anonymous `sessionid` cookie's cart,
// with a fresh session issued on the first cart write.
#include <algorithm>
#include <limits>

#include "routes/cart_render.h"
#include "routes/routes.h"
#include "shop/cart.h"

namespace shopd {

namespace {

constexpr std::int64_t kIntMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxBulkItems = 100;

// Whose cart this request means. nullopt: a reply (401 for a bad token) was written.
// create_session: on an anonymous request without a usable session, issue one (Set-Cookie).
std::optional<shop::CartOwner> cart_owner(const Api& api, const httplib::Request& req,
                                          httplib::Response& res, bool create_session) {
  auto auth = authenticate(api, req, res);
  if (auth.replied) return std::nullopt;
  if (auth.principal) return shop::CartOwner::user(auth.principal->user_id);
  if (auto key = cookie(req, "sessionid"); key && shop::Carts::is_session_key(*key)) {
    return shop::CartOwner::session(*key);
  }
  if (!create_session) return shop::CartOwner::session("");  // no cart, nothing created
  std::string key = shop::Carts::new_session_key();
  res.set_header("Set-Cookie",
                 "sessionid=" + key + "; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax");
  return shop::CartOwner::session(std::move(key));
}

// Errors of adding a line: value checks as DRF field errors, cart-level ones as {"error","code"}.
void reply_add_error(httplib::Response& res, const shop::Error& e) {
  reply_error(res, e, e.field.empty() ? ErrorShape::kError : ErrorShape::kField);
}

json render_items(const Api& api, const std::vector<shop::CartItem>& items) {
  json out = json::array();
  for (const auto& it : items) out.push_back(render_cart_item(api, it));
  return out;
}

const char* issue_label(shop::StockIssueKind k) {
  switch (k) {
    case shop::StockIssueKind::kDiscontinued: return "판매 중단";
    case shop::StockIssueKind::kSoldOut: return "품절";
    case shop::StockIssueKind::kInsufficient: return "재고 부족";
  }
  return "";
}

json render_cart(const Api& api, const shop::Cart& cart) {
  json unavailable = json::array();
  const auto issues = cart.stock_issues();
  for (const auto& i : issues) {
    unavailable.push_back({{"item_id", i.item_id},
                           {"product_id", i.product_id},
                           {"product_name", i.product_name},
                           {"requested_quantity", i.requested},
                           {"available_stock", i.available},
                           {"reason", issue_label(i.kind)}});
  }
  return {{"id", cart.id ? json(*cart.id) : json(nullptr)},
          {"user_id", cart.user_id ? json(*cart.user_id) : json(nullptr)},
          {"user_username", cart.user_id ? json(cart.user_username) : json(nullptr)},
          {"items", render_items(api, cart.items)},
          {"total_amount", money(cart.total_amount())},
          {"total_quantity", cart.total_quantity()},
          {"item_count", cart.item_count()},
          {"is_active", cart.is_active},
          {"is_all_available", issues.empty()},
          {"unavailable_items", unavailable},
          {"created_at", cart.id ? json(format_time(api, cart.created_at)) : json(nullptr)},
          {"updated_at", cart.id ? json(format_time(api, cart.updated_at)) : json(nullptr)}};
}

// Reads {product_id, quantity (default 1)} with DRF field errors. nullopt: errors collected.
std::optional<shop::CartLine> read_line(Fields& f) {
  auto product_id = f.integer("product_id", true, kIntMin, kIntMax);
  auto quantity = f.integer("quantity", false, kIntMin, kIntMax);
  if (!f.ok() || !product_id) return std::nullopt;
  return shop::CartLine{*product_id, quantity.value_or(1)};
}

// POST /api/cart-items/ and POST /api/cart/add_item/ share this; `wrap` picks the body.
void add_item(Api& api, const httplib::Request& req, httplib::Response& res, bool wrap) {
  auto owner = cart_owner(api, req, res, /*create_session=*/true);
  if (!owner) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  auto line = read_line(f);
  if (f.reply_if_errors(res)) return;
  auto item = api.engine.carts().add_item(*owner, line->product_id, line->quantity);
  if (!item) return reply_add_error(res, item.error());
  json rendered = render_cart_item(api, *item);
  if (wrap) {
    reply_json(res, 201, {{"message", "장바구니에 추가되었습니다."}, {"item", rendered}});
  } else {
    reply_json(res, 201, rendered);  // always 201, also when an existing line grew
  }
}

void list_items(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto owner = cart_owner(api, req, res, /*create_session=*/false);
  if (!owner) return;
  auto items = api.engine.carts().items(*owner);
  if (!items) return reply_error(res, items.error(), ErrorShape::kDetail);
  reply_json(res, 200, render_items(api, *items));
}

// PUT /api/cart-items/{id}/ (quantity defaults to 1) and PATCH /api/cart/items/{id}/.
void update_item(Api& api, const httplib::Request& req, httplib::Response& res, std::int64_t id,
                 bool wrap) {
  auto owner = cart_owner(api, req, res, /*create_session=*/false);
  if (!owner) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  auto quantity = f.integer("quantity", false, kIntMin, kIntMax);
  if (f.reply_if_errors(res)) return;
  auto item = api.engine.carts().set_quantity(*owner, id, quantity.value_or(1));
  if (!item) return reply_error(res, item.error(), ErrorShape::kError);
  if (!*item) return reply_empty(res, 204);  // quantity 0 deleted the line
  json rendered = render_cart_item(api, **item);
  if (wrap) {
    reply_json(res, 200, {{"message", "수량이 변경되었습니다."}, {"item", rendered}});
  } else {
    reply_json(res, 200, rendered);
  }
}

void delete_item(Api& api, const httplib::Request& req, httplib::Response& res, std::int64_t id) {
  auto owner = cart_owner(api, req, res, /*create_session=*/false);
  if (!owner) return;
  auto st = api.engine.carts().remove_item(*owner, id);
  if (!st) return reply_error(res, st.error(), ErrorShape::kDetail);
  reply_empty(res, 204);
}

void get_cart(Api& api, const httplib::Request& req, httplib::Response& res, bool summary) {
  auto owner = cart_owner(api, req, res, /*create_session=*/false);
  if (!owner) return;
  // A user's cart is created on first sight (one per user); an anonymous visitor without a
  // session sees an empty cart and nothing is created for them.
  auto cart = api.engine.carts().get(*owner, /*create=*/owner->user_id.has_value());
  if (!cart) return reply_error(res, cart.error(), ErrorShape::kDetail);
  if (summary) {
    reply_json(res, 200,
               {{"id", cart->id ? json(*cart->id) : json(nullptr)},
                {"total_amount", money(cart->total_amount())},
                {"total_quantity", cart->total_quantity()},
                {"item_count", cart->item_count()}});
    return;
  }
  reply_json(res, 200, render_cart(api, *cart));
}

void clear_cart(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto owner = cart_owner(api, req, res, /*create_session=*/false);
  if (!owner) return;
  auto body = parse_object(req, res);
  if (!body) return;
  Fields f(*body);
  auto confirm = f.boolean("confirm", true);
  if (f.reply_if_errors(res)) return;
  if (!*confirm) {
    reply_field_errors(res, {{"confirm", {"장바구니를 비우려면 confirm을 true로 보내주세요."}}});
    return;
  }
  auto st = api.engine.carts().clear(*owner);
  if (!st) return reply_error(res, st.error(), ErrorShape::kError);
  reply_json(res, 200, {{"message", "장바구니를 비웠습니다."}});
}

void bulk_add(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto owner = cart_owner(api, req, res, /*create_session=*/true);
  if (!owner) return;
  auto body = parse_object(req, res);
  if (!body) return;
  const json& items = body->contains("items") ? (*body)["items"] : json();
  if (!items.is_null() && !items.is_array()) {
    reply_field_errors(res, {{"items", {"Expected a list of items."}}});
    return;
  }
  if (items.is_null() || items.empty()) {
    reply_json(res, 400, {{"error", "추가할 상품이 없습니다."}, {"code", "EMPTY_ITEMS"}});
    return;
  }
  if (items.size() > kMaxBulkItems) {
    reply_field_errors(res, {{"items", {"At most 100 items per request."}}});
    return;
  }
  // Lines with bad types are reported per index; the well-formed ones go to the engine.
  json errors = json::array();
  std::vector<shop::CartLine> lines;
  std::vector<std::size_t> index_of;  // lines[i] came from items[index_of[i]]
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json& raw = items[i];
    json product_id = raw.is_object() && raw.contains("product_id") ? raw["product_id"] : json();
    if (!raw.is_object()) {
      errors.push_back({{"index", i},
                        {"product_id", nullptr},
                        {"errors", {{"non_field_errors", "Expected an object."}}}});
      continue;
    }
    Fields f(raw);
    auto line = read_line(f);
    if (!line) {
      json by_field = json::object();
      for (auto& [k, v] : f.errors().items()) by_field[k] = v.at(0);
      errors.push_back({{"index", i}, {"product_id", product_id}, {"errors", by_field}});
      continue;
    }
    lines.push_back(*line);
    index_of.push_back(i);
  }
  std::vector<shop::CartItem> added;
  if (!lines.empty()) {
    auto result = api.engine.carts().bulk_add(*owner, lines);
    if (!result) return reply_error(res, result.error(), ErrorShape::kError);
    added = std::move(result->added);
    for (const auto& fail : result->failures) {
      const std::string field = fail.error.field.empty() ? "non_field_errors" : fail.error.field;
      errors.push_back({{"index", index_of[fail.index]},
                        {"product_id", fail.product_id},
                        {"errors", {{field, fail.error.message}}}});
    }
  }
  std::sort(errors.begin(), errors.end(),
            [](const json& a, const json& b) { return a["index"] < b["index"]; });
  json out = {{"message", std::to_string(added.size()) + "개 상품이 추가되었습니다."},
              {"added_items", render_items(api, added)}};
  if (errors.empty()) return reply_json(res, 201, out);
  out["errors"] = errors;
  out["error_count"] = errors.size();
  // Some added: 207 (partial). None added: a plain 400 with the same details.
  reply_json(res, added.empty() ? 400 : 207, out);
}

void check_stock(Api& api, const httplib::Request& req, httplib::Response& res) {
  auto owner = cart_owner(api, req, res, /*create_session=*/false);
  if (!owner) return;
  auto issues = api.engine.carts().check_stock(*owner);
  if (!issues) return reply_error(res, issues.error(), ErrorShape::kDetail);
  if (issues->empty()) {
    reply_json(res, 200, {{"has_issues", false}, {"message", "모든 상품을 주문할 수 있습니다."}});
    return;
  }
  json list = json::array();
  for (const auto& i : *issues) {
    list.push_back({{"item_id", i.item_id},
                    {"product_id", i.product_id},
                    {"product_name", i.product_name},
                    {"issue", issue_label(i.kind)},
                    {"requested", i.requested},
                    {"available", i.available}});
  }
  reply_json(res, 200,
             {{"has_issues", true},
              {"issues", list},
              {"message", std::to_string(issues->size()) + "개 상품의 재고를 확인해주세요."}});
}

}  // namespace

void register_cart_routes(Router& router, Api& api) {
  Api* a = &api;
  // /api/cart-items/ (the Locust CartUser's path). GET/PATCH on an item are 405: not registered.
  router.add("POST", "/api/cart-items/",
             guarded([a](const auto& req, auto& res, const RouteParams&) {
               add_item(*a, req, res, /*wrap=*/false);
             }));
  router.add(
      "GET", "/api/cart-items/",
      guarded([a](const auto& req, auto& res, const RouteParams&) { list_items(*a, req, res); }));
  router.add("PUT", "/api/cart-items/{id}/",
             guarded([a](const auto& req, auto& res, const RouteParams& p) {
               update_item(*a, req, res, p.id(), /*wrap=*/false);
             }));
  router.add("DELETE", "/api/cart-items/{id}/",
             guarded([a](const auto& req, auto& res, const RouteParams& p) {
               delete_item(*a, req, res, p.id());
             }));

  // /api/cart/ (CartViewSet).
  router.add("GET", "/api/cart/", guarded([a](const auto& req, auto& res, const RouteParams&) {
               get_cart(*a, req, res, /*summary=*/false);
             }));
  router.add("GET", "/api/cart/summary/",
             guarded([a](const auto& req, auto& res, const RouteParams&) {
               get_cart(*a, req, res, /*summary=*/true);
             }));
  router.add("POST", "/api/cart/add_item/",
             guarded([a](const auto& req, auto& res, const RouteParams&) {
               add_item(*a, req, res, /*wrap=*/true);
             }));
  router.add(
      "GET", "/api/cart/items/",
      guarded([a](const auto& req, auto& res, const RouteParams&) { list_items(*a, req, res); }));
  router.add("PATCH", "/api/cart/items/{id}/",
             guarded([a](const auto& req, auto& res, const RouteParams& p) {
               update_item(*a, req, res, p.id(), /*wrap=*/true);
             }));
  router.add("DELETE", "/api/cart/items/{id}/",
             guarded([a](const auto& req, auto& res, const RouteParams& p) {
               delete_item(*a, req, res, p.id());
             }));
  router.add(
      "POST", "/api/cart/clear/",
      guarded([a](const auto& req, auto& res, const RouteParams&) { clear_cart(*a, req, res); }));
  router.add(
      "POST", "/api/cart/bulk_add/",
      guarded([a](const auto& req, auto& res, const RouteParams&) { bulk_add(*a, req, res); }));
  router.add(
      "GET", "/api/cart/check_stock/",
      guarded([a](const auto& req, auto& res, const RouteParams&) { check_stock(*a, req, res); }));
}

}  // namespace shopd
