// engine_context.h — what every module shares (private). Owned by Engine; modules keep a reference.
#pragma once

#include <memory>
#include <string>

#include "shop/engine.h"
#include "store/store.h"

namespace shop {
namespace jobs {
class Scheduler;
}

namespace detail {

struct EngineContext {
  EngineOptions options;
  const Clock* clock = nullptr;
  std::unique_ptr<store::Store> store;
  std::string jwt_secret;

  // Sibling modules (constructed in this order; destroyed in reverse).
  std::unique_ptr<Auth> auth;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Points> points;
  std::unique_ptr<Carts> carts;
  std::unique_ptr<Orders> orders;
  std::unique_ptr<Payments> payments;
  std::unique_ptr<Admin> admin;
  std::unique_ptr<jobs::Scheduler> scheduler;

  Micros now() const { return clock->now(); }
};

}  // namespace detail
}  // namespace shop
