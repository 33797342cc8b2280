// shop/orders.h — order intake (202), the bounded queue and worker pool, processing, cancel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}

class Orders {
 public:
  explicit Orders(detail::EngineContext& ctx);
  ~Orders();

  // Re-enqueues pending orders and starts the worker pool. stop(): stop intake and workers.
  Status start();
  void stop();

 private:
  detail::EngineContext& ctx_;
};

}  // namespace shop
