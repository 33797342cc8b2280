// routes.h — one routes file per resource; main() registers them all.
#pragma once

#include "api.h"
#include "router.h"

namespace shopd {

void register_auth_routes(Router& router, Api& api);          // /api/auth/, /api/users/
void register_product_routes(Router& router, Api& api);       // /api/products/
void register_category_routes(Router& router, Api& api);      // /api/categories/
void register_point_routes(Router& router, Api& api);         // /api/points/
void register_notification_routes(Router& router, Api& api);  // /api/notifications/
void register_cart_routes(Router& router, Api& api);          // /api/cart/, /api/cart-items/
void register_order_routes(Router& router, Api& api);         // /api/orders/
void register_payment_routes(Router& router, Api& api);       // /api/payments/
void register_metrics_routes(Router& router, Api& api);       // /metrics/, /health/

inline void register_all_routes(Router& router, Api& api) {
  register_auth_routes(router, api);
  register_product_routes(router, api);
  register_category_routes(router, api);
  register_point_routes(router, api);
  register_notification_routes(router, api);
  register_cart_routes(router, api);
  register_order_routes(router, api);
  register_payment_routes(router, api);
  register_metrics_routes(router, api);
}

}  // namespace shopd
