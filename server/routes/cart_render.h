// cart_render.h — JSON for cart lines and the product brief nested in cart lines and order items
// (contract §1a POST /api/cart-items/), shared by cart_routes.cpp and order_routes.cpp.
#pragma once

#include <string>

#include "api.h"
#include "shop/cart.h"
#include "shop/catalog.h"

namespace shopd {

// The product list shape without the per-request annotations (rating, wishlist), as the reference
// nests it (catalog_render.h has the list shape with them).
inline json render_product_brief(const Api& api, const shop::ProductBrief& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"slug", p.slug},
          {"price", money(p.price)},
          {"discounted_price", money(p.price)},
          {"stock", p.stock},
          {"stock_quantity", p.stock},
          {"stock_status", shop::stock_status_label(p.stock)},
          {"category_name", p.category_name},
          {"seller_username", p.seller_username ? json(*p.seller_username) : json(nullptr)},
          {"thumbnail_image", nullptr},
          {"is_active", p.is_active},
          {"created_at", format_time(api, p.created_at)}};
}

inline json render_cart_item(const Api& api, const shop::CartItem& it) {
  return {{"id", it.id},
          {"product", render_product_brief(api, it.product)},
          {"product_id", it.product.id},
          {"product_name", it.product.name},
          {"product_price", money(it.product.price)},
          {"quantity", it.quantity},
          {"subtotal", money(it.subtotal())},
          {"is_available", it.is_available()},
          {"available_stock", it.product.stock},
          {"added_at", format_time(api, it.added_at)},
          {"updated_at", format_time(api, it.updated_at)}};
}

}  // namespace shopd
