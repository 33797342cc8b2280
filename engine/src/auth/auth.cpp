#include "shop/auth.h"

#include "engine_context.h"

namespace shop {

Auth::Auth(detail::EngineContext& ctx) : ctx_(ctx) {}
Auth::~Auth() = default;

Result<Principal> Auth::authenticate(std::string_view) const {
  return Error::unauthenticated("Given token not valid for any token type", "token_not_valid");
}

}  // namespace shop
