#include "shop/cart.h"

#include "engine_context.h"

namespace shop {

Carts::Carts(detail::EngineContext& ctx) : ctx_(ctx) {}
Carts::~Carts() = default;

Status Carts::merge_session_cart(const std::string&, std::int64_t) { return Status::ok(); }  // STUB

}  // namespace shop
