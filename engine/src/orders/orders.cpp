#include "shop/orders.h"

#include "engine_context.h"

namespace shop {

Orders::Orders(detail::EngineContext& ctx) : ctx_(ctx) {}
Orders::~Orders() { stop(); }

Status Orders::start() { return Status::ok(); }
void Orders::stop() {}

}  // namespace shop
