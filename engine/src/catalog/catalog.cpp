#include "shop/catalog.h"

#include "engine_context.h"

namespace shop {

Catalog::Catalog(detail::EngineContext& ctx) : ctx_(ctx) {}
Catalog::~Catalog() = default;

}  // namespace shop
