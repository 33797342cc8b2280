// /api/categories/ — read-only catalogue tree (contract §1d).
#include "routes/catalog_render.h"
#include "routes/routes.h"

namespace shopd {

namespace {

void list_categories(const Api& api, const httplib::Request& req, httplib::Response& res) {
  if (authenticate(api, req, res).replied) return;
  auto page = page_param(req, res);
  if (!page) return;
  auto result = api.engine.catalog().list_categories(*page);
  if (!result) return reply_error(res, result.error(), ErrorShape::kDetail);
  reply_json(res, 200, page_json(api, req, *result, [&](const shop::Category& c) {
               return category_json(api, c);
             }));
}

void get_category(const Api& api, const httplib::Request& req, httplib::Response& res,
                  std::int64_t id) {
  if (authenticate(api, req, res).replied) return;
  auto category = api.engine.catalog().get_category(id);
  if (!category) return reply_error(res, category.error(), ErrorShape::kDetail);
  reply_json(res, 200, category_json(api, *category));
}

void category_tree(const Api& api, const httplib::Request& req, httplib::Response& res) {
  if (authenticate(api, req, res).replied) return;
  auto tree = api.engine.catalog().category_tree();
  if (!tree) return reply_error(res, tree.error(), ErrorShape::kDetail);
  json roots = json::array();
  for (const auto& node : *tree) roots.push_back(category_node_json(node));
  reply_json(res, 200, roots);
}

void category_products(const Api& api, const httplib::Request& req, httplib::Response& res,
                       std::int64_t id) {
  if (authenticate(api, req, res).replied) return;
  auto page = page_param(req, res);
  if (!page) return;
  auto result = api.engine.catalog().category_products(id, *page, page_size_param(req));
  if (!result) return reply_error(res, result.error(), ErrorShape::kDetail);
  reply_json(res, 200, page_json(api, req, *result, [&](const shop::ProductSummary& p) {
               return product_summary_json(api, p);
             }));
}

}  // namespace

void register_category_routes(Router& router, Api& api) {
  const Api* a = &api;
  router.add("GET", "/api/categories/",
             guarded([a](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
               list_categories(*a, req, res);
             }));
  router.add("GET", "/api/categories/tree/",
             guarded([a](const httplib::Request& req, httplib::Response& res, const RouteParams&) {
               category_tree(*a, req, res);
             }));
  router.add("GET", "/api/categories/{id}/",
             guarded([a](const httplib::Request& req, httplib::Response& res,
                         const RouteParams& p) { get_category(*a, req, res, p.id()); }));
  router.add("GET", "/api/categories/{id}/products/",
             guarded([a](const httplib::Request& req, httplib::Response& res,
                         const RouteParams& p) { category_products(*a, req, res, p.id()); }));
}

}  // namespace shopd
