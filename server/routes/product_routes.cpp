#include "routes/routes.h"

namespace shopd {

void register_product_routes(Router& router, Api& api) {
  (void)router;
  (void)api;
}

}  // namespace shopd
