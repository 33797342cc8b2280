// catalog_render.h — JSON for products and categories, and DRF page-number paging, shared by
// product_routes.cpp and category_routes.cpp.
#pragma once

#include <charconv>
#include <optional>
#include <string>

#include "api.h"
#include "shop/catalog.h"

namespace shopd {

// Not modelled yet (no reviews, wishlists or images): the contract's fields with neutral values.
inline void add_social_fields(json& j) {
  j["thumbnail_image"] = nullptr;
  j["average_rating"] = 0.0;
  j["review_count"] = 0;
  j["wishlist_count"] = 0;
  j["is_wished"] = false;
}

inline json product_summary_json(const Api& api, const shop::ProductSummary& p) {
  json j = {{"id", p.id},
            {"name", p.name},
            {"slug", p.slug},
            {"price", money(p.price)},
            {"discounted_price", money(p.price)},
            {"stock", p.stock},
            {"stock_quantity", p.stock},  // contract D21: the point Locust file reads this name
            {"stock_status", shop::stock_status_label(p.stock)},
            {"category_name", p.category_name},
            {"seller_username", p.seller_username ? json(*p.seller_username) : json(nullptr)},
            {"is_active", p.is_active},
            {"created_at", format_time(api, p.created_at)}};
  add_social_fields(j);
  return j;
}

inline json product_detail_json(const Api& api, const shop::ProductDetail& p) {
  auto opt_int = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  auto opt_str = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  json j = {{"id", p.id},
            {"name", p.name},
            {"slug", p.slug},
            {"description", p.description},
            {"short_description", p.short_description},
            {"price", money(p.price)},
            {"discounted_price", money(p.price)},
            {"compare_price", p.compare_price ? money(*p.compare_price) : json(nullptr)},
            {"stock", p.stock},
            {"stock_quantity", p.stock},
            {"stock_status", shop::stock_status_label(p.stock)},
            {"is_in_stock", p.is_in_stock()},
            {"is_available", p.is_available},
            {"is_active", p.is_active},
            {"sku", p.sku},
            {"brand", p.brand},
            {"tags", p.tags},
            {"sold_count", p.sold_count},
            {"view_count", p.view_count},
            {"category", p.category_id},
            {"category_id", p.category_id},
            {"category_name", p.category_name},
            {"category_slug", p.category_slug},
            {"category_parent_name", opt_str(p.category_parent_name)},
            {"seller", opt_int(p.seller_id)},
            {"seller_id", opt_int(p.seller_id)},
            {"seller_username", opt_str(p.seller_username)},
            {"seller_level", opt_str(p.seller_level)},
            {"seller_product_count", p.seller_product_count},
            {"images", json::array()},
            {"recent_reviews", json::array()},
            {"created_at", format_time(api, p.created_at)},
            {"updated_at", format_time(api, p.updated_at)}};
  add_social_fields(j);
  return j;
}

inline json category_json(const Api& api, const shop::Category& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"slug", c.slug},
          {"description", c.description},
          {"parent", c.parent_id ? json(*c.parent_id) : json(nullptr)},
          {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
          {"parent_name", c.parent_name ? json(*c.parent_name) : json(nullptr)},
          {"is_active", c.is_active},
          {"product_count", c.product_count},
          {"children_count", c.children_count},
          {"full_path", c.full_path},
          {"created_at", format_time(api, c.created_at)},
          {"updated_at", format_time(api, c.updated_at)}};
}

inline json category_node_json(const shop::CategoryNode& n) {
  json children = json::array();
  for (const auto& c : n.children) children.push_back(category_node_json(c));
  return {{"id", n.id},
          {"name", n.name},
          {"slug", n.slug},
          {"product_count", n.product_count},
          {"children", std::move(children)}};
}

// A strictly positive decimal integer (no sign, spaces or fraction), or nullopt.
inline std::optional<std::int64_t> positive_int(const std::string& s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || s[0] == '-' || s[0] == '+' || ec != std::errc() || end != s.data() + s.size() ||
      v < 1) {
    return std::nullopt;
  }
  return v;
}

// DRF's `page`: absent -> 1, "last" -> the last page, a positive integer; anything else replies
// 404 {"detail": "Invalid page."} and returns nullopt.
inline std::optional<std::int64_t> page_param(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("page")) return 1;
  const std::string v = req.get_param_value("page");
  if (v == "last") return shop::kLastPage;
  if (auto n = positive_int(v)) return n;
  reply_json(res, 404, {{"detail", "Invalid page."}});
  return std::nullopt;
}

// DRF's `page_size`: a positive integer; anything else falls back to the default (nullopt).
inline std::optional<std::int64_t> page_size_param(const httplib::Request& req) {
  if (!req.has_param("page_size")) return std::nullopt;
  return positive_int(req.get_param_value("page_size"));
}

template <typename T, typename Render>
json page_json(const Api& api, const httplib::Request& req, const shop::CatalogPage<T>& page,
               Render&& render) {
  json results = json::array();
  for (const auto& item : page.results) results.push_back(render(item));
  return {
      {"count", page.count},
      {"next", page.has_next() ? json(page_url(api, req, page.page + 1)) : json(nullptr)},
      {"previous", page.has_previous() ? json(page_url(api, req, page.page - 1)) : json(nullptr)},
      {"results", std::move(results)}};
}

}  // namespace shopd
