#include "shop/payments.h"

#include "engine_context.h"

namespace shop {

Payments::Payments(detail::EngineContext& ctx) : ctx_(ctx) {}
Payments::~Payments() = default;

}  // namespace shop
