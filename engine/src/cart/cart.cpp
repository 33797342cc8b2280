#include "shop/cart.h"

#include "engine_context.h"

namespace shop {

Carts::Carts(detail::EngineContext& ctx) : ctx_(ctx) {}
Carts::~Carts() = default;

}  // namespace shop
