#include "shop/points.h"

#include "engine_context.h"

namespace shop {

Points::Points(detail::EngineContext& ctx) : ctx_(ctx) {}
Points::~Points() = default;

}  // namespace shop
