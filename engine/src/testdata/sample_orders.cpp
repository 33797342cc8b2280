// testdata/sample_orders.cpp — sample orders and carts through the real modules.
//
// Each sample order is one write transaction that does what a customer and a worker would: fill
// the user's cart, intake (the order module's own validation, pricing and item snapshot), then
// process it synchronously (stock taken, points spent FIFO) — no workers are started. The cart and
// the order are tagged 'testdata' in that same transaction. Some orders are then paid through the
// payments module (points earned there), moved along fulfilment, or canceled through the orders
// module, so every invariant `shopctl verify` checks holds afterwards.
#include "testdata/sample_orders.h"

#include <algorithm>

#include "cart/cart_ops.h"
#include "engine_context.h"
#include "orders/order_ops.h"
#include "shop/cart.h"
#include "shop/orders.h"
#include "shop/payments.h"

namespace shop::testdata {

namespace {

void tag(store::Db& db, const char* table, std::int64_t id) {
  auto& q = db.stmt(std::string("UPDATE ") + table + " SET origin = ? WHERE id = ?");
  q.bind(1, kOrigin);
  q.bind(2, id);
  q.exec();
}

// `count` distinct products, each with a quantity of 1..max_quantity.
std::vector<CartLine> pick_lines(Random& rnd, const std::vector<SampleProduct>& products, int count,
                                 int max_quantity) {
  std::vector<CartLine> lines;
  count = std::min<int>(count, static_cast<int>(products.size()));
  while (static_cast<int>(lines.size()) < count) {
    const auto& p = products[rnd.range(0, static_cast<std::int64_t>(products.size()) - 1)];
    const bool dup = std::any_of(lines.begin(), lines.end(),
                                 [&](const CartLine& l) { return l.product_id == p.id; });
    if (!dup) lines.push_back({p.id, rnd.range(1, max_quantity)});
  }
  return lines;
}

// Drops lines the current stock cannot cover (a cart may show them, but samples should not).
std::vector<CartLine> in_stock(store::Db& db, std::vector<CartLine> lines) {
  auto& q = db.stmt("SELECT stock FROM products WHERE id = ?");
  std::erase_if(lines, [&](const CartLine& l) {
    q.reset();
    q.bind(1, l.product_id);
    return !q.executeStep() || q.getColumn(0).getInt64() < l.quantity;
  });
  return lines;
}

enum class Target { kConfirmed, kPaid, kPreparing, kShipped, kDelivered, kCanceled };

Target pick_target(Random& rnd) {
  const auto roll = rnd.range(0, 99);
  if (roll < 20) return Target::kConfirmed;
  if (roll < 50) return Target::kPaid;
  if (roll < 60) return Target::kPreparing;
  if (roll < 70) return Target::kShipped;
  if (roll < 85) return Target::kDelivered;
  return Target::kCanceled;
}

}  // namespace

Status create_sample_orders_and_carts(detail::EngineContext& ctx, const Preset& preset, Random& rnd,
                                      const SampleContext& sample, Report& report) {
  if (sample.user_ids.empty() || sample.products.empty()) return Status::ok();
  const int users = static_cast<int>(sample.user_ids.size());
  std::vector<std::int64_t> balance = sample.user_points;  // what each user can still spend
  const OrderViewer staff{0, true};

  for (int i = 0; i < preset.max_orders; ++i) {
    const int u = i % users;  // distinct users first
    const std::int64_t user_id = sample.user_ids[u];
    const auto lines = pick_lines(rnd, sample.products, static_cast<int>(rnd.range(1, 3)), 3);
    const Target target = pick_target(rnd);
    const bool pay_before_cancel = rnd.chance(50);
    std::int64_t goods = 0;
    for (const auto& l : lines) {
      for (const auto& p : sample.products) {
        if (p.id == l.product_id) goods += p.price * l.quantity;
      }
    }
    OrderRequest req;
    req.shipping_name = "테스트 고객 " + std::to_string(u + 1);
    req.shipping_phone = "010-1234-" + std::to_string(1000 + u);
    req.shipping_postal_code = rnd.chance(10) ? "63100" : "06236";  // some remote-area orders
    req.shipping_address = "서울특별시 강남구 테헤란로 " + std::to_string(rnd.range(1, 500));
    req.order_memo = "test data";
    if (balance[u] >= 100 && rnd.chance(40)) {
      const std::int64_t most = std::min({balance[u], goods, std::int64_t{5000}});
      if (most >= 100) req.use_points = rnd.range(1, most / 100) * 100;
    }

    struct Placed {
      std::int64_t order_id = 0;
      ProcessOutcome outcome = ProcessOutcome::kSkipped;
    };
    const Micros now = ctx.now();
    auto placed = ctx.store->write([&](store::Db& db) -> Result<Placed> {
      const auto cart_lines = in_stock(db, lines);
      if (cart_lines.empty()) return Error::conflict("no stock left for a sample order");
      tag(db, "carts", cart_ops::ensure_active_cart(db, CartOwner::user(user_id), now));
      cart_ops::put_back_lines(db, user_id, cart_lines, now);
      auto accepted =
          order_ops::intake_in_tx(db, user_id, req, ctx.options.require_verified_email_for_orders,
                                  ctx.options.utc_offset_minutes, now);
      if (!accepted) return accepted.error();
      tag(db, "orders", accepted->order_id);
      auto processed = order_ops::process_in_tx(db, accepted->order_id, now);
      if (!processed) return processed.error();
      return Placed{accepted->order_id, processed->outcome};
    });
    if (!placed) {
      report.notes.push_back("sample order " + std::to_string(i + 1) +
                             " skipped: " + placed.error().message);
      continue;
    }
    if (placed->outcome != ProcessOutcome::kConfirmed) continue;
    if (req.use_points > 0) balance[u] -= req.use_points;
    const std::int64_t order_id = placed->order_id;

    const bool pay =
        target != Target::kConfirmed && !(target == Target::kCanceled && !pay_before_cancel);
    if (pay) {
      auto order = ctx.store->read([&](store::Db& db) -> Result<std::int64_t> {
        auto& q = db.stmt("SELECT final_amount FROM orders WHERE id = ?");
        q.bind(1, order_id);
        if (!q.executeStep()) return Error::not_found();
        return q.getColumn(0).getInt64();
      });
      if (!order) return order.error();
      auto paid = ctx.payments->confirm(user_id, order_id,
                                        "test_payment_" + std::to_string(order_id), *order);
      if (!paid) {
        report.notes.push_back("sample order " + std::to_string(order_id) +
                               " not paid: " + paid.error().message);
        continue;
      }
      balance[u] += paid->earned_points;
    }
    int steps = target == Target::kPreparing   ? 1
                : target == Target::kShipped   ? 2
                : target == Target::kDelivered ? 3
                                               : 0;
    for (; steps > 0; --steps) {
      auto advanced = ctx.orders->advance_fulfilment(staff, order_id);
      if (!advanced) return advanced.error();
    }
    if (target == Target::kCanceled) {
      auto canceled = ctx.orders->cancel(OrderViewer{user_id, false}, order_id);
      if (!canceled.is_ok()) {
        report.notes.push_back("sample order " + std::to_string(order_id) +
                               " not canceled: " + canceled.error().message);
      }
    }
  }

  // Carts left for browsing: the last users (those least likely to have ordered) get 1-5 lines.
  const int carts = std::min(preset.carts, users);
  for (int c = 0; c < carts; ++c) {
    const std::int64_t user_id = sample.user_ids[users - 1 - c];
    const auto lines = pick_lines(rnd, sample.products, static_cast<int>(rnd.range(1, 5)), 2);
    const Micros now = ctx.now();
    auto filled = ctx.store->write([&](store::Db& db) -> Status {
      const auto cart_lines = in_stock(db, lines);
      if (cart_lines.empty()) return Error::conflict("no stock left for a sample cart");
      tag(db, "carts", cart_ops::ensure_active_cart(db, CartOwner::user(user_id), now));
      cart_ops::put_back_lines(db, user_id, cart_lines, now);
      return Status::ok();
    });
    if (filled.is_ok()) ++report.carts;
  }

  auto counted = ctx.store->read([&](store::Db& db) -> Status {
    auto& q = db.stmt("SELECT status, COUNT(*) FROM orders WHERE origin = ? GROUP BY status");
    q.bind(1, kOrigin);
    while (q.executeStep()) {
      report.orders_by_status[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
      report.orders += q.getColumn(1).getInt64();
    }
    return Status::ok();
  });
  return counted;
}

}  // namespace shop::testdata
