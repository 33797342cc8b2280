#include "shop/admin.h"

#include "engine_context.h"

namespace shop {

Admin::Admin(detail::EngineContext& ctx) : ctx_(ctx) {}
Admin::~Admin() = default;

Result<bool> Admin::seed_demo_data_if_empty(const std::string&) { return false; }

}  // namespace shop
