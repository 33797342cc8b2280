// orders.cpp — the Orders facade: intake, the queue and workers, reading, cancel, metrics.
//
// Threads and what they own:
//  * request threads (HTTP handlers, embedding programs) call intake/list/get/cancel. intake
//    reserves a queue slot, runs one Store::write, then pushes the id. They own nothing across
//    calls.
//  * worker threads (OrderWorkers, options.order_workers of them) own the ids they took from the
//    queue until those are committed (or left pending on stop). Each batch is one Store::write.
//    An id whose write hit a transient store error (disk full, I/O error, another process holding
//    the database) is handed to the retry list instead (OrderRetries: back-off, then back into the
//    queue; its timer thread owns that move). Such an order is never marked failed for it.
//  * the thread that calls start()/stop() (Engine) owns the worker pool's lifetime.
// Shared state is the queue (lock-free, atomic counters), atomic counters below, and the store
// (which serializes writes). Nothing else is shared.
#include "shop/orders.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <limits>
#include <mutex>

#include "cart/cart_ops.h"
#include "engine_context.h"
#include "orders/order_ops.h"
#include "orders/order_queue.h"
#include "orders/order_retries.h"
#include "orders/order_workers.h"
#include "store/store.h"

namespace shop {

using orders_detail::OrderQueue;
using orders_detail::OrderRetries;
using orders_detail::OrderWorkers;

struct Orders::State {
  State(detail::EngineContext& c, std::size_t capacity) : ctx(c), queue(capacity), retries(queue) {}

  // Processes a batch (worker threads, or the caller's thread for drain_queue/process_now),
  // counts and logs each order the way the seed's Celery worker did. from_queue: the ids were
  // taken from the queue, so each is settled with it (finished, or handed to `retries` after a
  // transient store error). Returns, per id, its outcome or the transient error that postponed it.
  std::vector<Result<ProcessOutcome>> run_batch(const std::vector<std::int64_t>& ids,
                                                bool from_queue);

  detail::EngineContext& ctx;

  OrderQueue queue;
  OrderRetries retries;  // after queue (it refers to it)
  std::unique_ptr<OrderWorkers> workers;
  std::mutex lifecycle_mu;  // start()/stop()
  bool started = false;
  bool stopped = false;
  std::atomic<bool> accepting{true};
  std::atomic<bool> task_log{true};
  // Orders with an id above this were accepted by this process and queued by intake; start()
  // recovers only the ones at or below it, so nothing is queued twice.
  std::int64_t max_id_at_open = 0;

  std::atomic<std::int64_t> accepted{0}, confirmed{0}, failed{0}, skipped{0}, canceled{0};
};

namespace {

constexpr int kProcessAttempts = 3;  // per order, on internal errors, before it is marked failed

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const char* outcome_name(ProcessOutcome o) {
  switch (o) {
    case ProcessOutcome::kConfirmed: return "confirmed";
    case ProcessOutcome::kFailed: return "failed";
    case ProcessOutcome::kSkipped: return "skipped";
  }
  return "?";
}

}  // namespace

Orders::Orders(detail::EngineContext& ctx)
    : ctx_(ctx), state_(std::make_unique<State>(ctx, ctx.options.order_queue_capacity)) {
  auto max_id = ctx_.store->read([](store::Db& db) -> Result<std::int64_t> {
    return db.scalar_int("SELECT MAX(id) FROM orders");
  });
  // If this read failed (practically impossible on a store that just opened), start() recovers
  // every pending order; one queued twice is processed once and then skipped (idempotent).
  state_->max_id_at_open = max_id ? *max_id : std::numeric_limits<std::int64_t>::max();
}

Orders::~Orders() {
  stop();
}

// --- processing ----------------------------------------------------------------------------------

// Runs a batch of orders through process_in_tx in one write; on an internal error falls back to
// one write per order (with retries), and finally marks a stubborn order failed, so none stays
// pending. A transient store error is not a reason to fail an order: such an order comes back as
// the error, and so does one whose failure could not be recorded (the caller retries it later).
// Called on worker threads (and by drain_queue/process_now on the caller's thread).
namespace {
using Attempt = Result<order_ops::Processed>;

std::vector<Attempt> process_batch(detail::EngineContext& ctx,
                                   const std::vector<std::int64_t>& ids) {
  const Micros now = ctx.now();
  auto batch = ctx.store->write([&](store::Db& db) -> Result<std::vector<order_ops::Processed>> {
    std::vector<order_ops::Processed> res;
    res.reserve(ids.size());
    for (auto id : ids) {
      auto r = order_ops::process_in_tx(db, id, now);
      if (!r) return r.error();
      res.push_back(std::move(*r));
    }
    return res;
  });
  std::vector<Attempt> out;
  out.reserve(ids.size());
  if (batch) {
    for (auto& p : *batch) out.emplace_back(std::move(p));
    return out;
  }
  if (store::is_transient_storage_error(batch.error())) {
    // Nothing of the batch was written, and one write per order would meet the same disk.
    for (std::size_t i = 0; i < ids.size(); ++i) out.emplace_back(batch.error());
    return out;
  }

  for (auto id : ids) {
    std::optional<Attempt> settled;
    Error last;
    for (int attempt = 0; attempt < kProcessAttempts && !settled; ++attempt) {
      auto r =
          ctx.store->write([&](store::Db& db) { return order_ops::process_in_tx(db, id, now); });
      if (r || store::is_transient_storage_error(r.error())) {
        settled.emplace(std::move(r));
      } else {
        last = r.error();
      }
    }
    if (settled) {
      out.push_back(std::move(*settled));
      continue;
    }
    std::fprintf(stderr, "[orders] process_order[%lld]: internal error after %d attempts: %s\n",
                 static_cast<long long>(id), kProcessAttempts, last.message.c_str());
    auto f = ctx.store->write([&](store::Db& db) {
      return order_ops::fail_in_tx(db, id, "processing error: " + last.message, now);
    });
    // If not even the failure could be recorded, the error goes back as it is: the order stays
    // pending and is tried again later rather than looking processed.
    out.push_back(std::move(f));
  }
  return out;
}
}  // namespace

std::vector<Result<ProcessOutcome>> Orders::State::run_batch(const std::vector<std::int64_t>& ids,
                                                             bool from_queue) {
  State& s = *this;
  const auto t0 = std::chrono::steady_clock::now();
  const bool log = s.task_log.load(std::memory_order_relaxed);
  if (log) {
    for (auto id : ids) {
      if (from_queue && s.retries.attempts(id) > 0) continue;  // logged on its first attempt
      std::fprintf(stderr, "[orders] Task process_order[%lld] received\n",
                   static_cast<long long>(id));
    }
  }
  auto results = process_batch(ctx, ids);
  const double secs = seconds_since(t0);
  std::vector<Result<ProcessOutcome>> outcomes;
  outcomes.reserve(ids.size());
  std::size_t settled = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& r = results[i];
    const auto id = static_cast<long long>(ids[i]);
    if (!r) {
      // Postponed: the order stays pending and in flight until a later attempt settles it.
      outcomes.emplace_back(r.error());
      const int attempt = from_queue ? s.retries.add(ids[i]) : 0;
      // One line per order (its first postponement), not one per attempt: a full disk would
      // otherwise repeat it every few seconds for every waiting order.
      if (log && attempt <= 1) {
        std::fprintf(stderr, "[orders] Task process_order[%lld] retry: %s\n", id,
                     r.error().message.c_str());
      }
      continue;
    }
    ++settled;
    if (from_queue) s.retries.settled(ids[i]);
    switch (r->outcome) {
      case ProcessOutcome::kConfirmed: s.confirmed.fetch_add(1, std::memory_order_relaxed); break;
      case ProcessOutcome::kFailed: s.failed.fetch_add(1, std::memory_order_relaxed); break;
      case ProcessOutcome::kSkipped: s.skipped.fetch_add(1, std::memory_order_relaxed); break;
    }
    outcomes.emplace_back(r->outcome);
    if (!log) continue;
    if (r->outcome == ProcessOutcome::kFailed) {
      std::fprintf(stderr, "[orders] Task process_order[%lld] failed in %.4fs: %s\n", id, secs,
                   r->detail.c_str());
    } else {
      std::fprintf(stderr, "[orders] Task process_order[%lld] succeeded in %.4fs: %s%s%s\n", id,
                   secs, outcome_name(r->outcome), r->detail.empty() ? "" : " - ",
                   r->detail.c_str());
    }
  }
  if (from_queue) s.queue.finished(settled);
  return outcomes;
}

// --- lifecycle -----------------------------------------------------------------------------------

Status Orders::start() {
  std::lock_guard lock(state_->lifecycle_mu);
  if (state_->started) return Status::ok();
  if (state_->stopped) return Error::conflict("orders: cannot restart after stop", "STOPPED");
  // Recovery: every order still pending from before this process opened the database goes back
  // into the queue (a crash never strands an accepted order). Oldest first.
  const std::int64_t upto = state_->max_id_at_open;
  auto pending = ctx_.store->read([&](store::Db& db) -> Result<std::vector<std::int64_t>> {
    auto& q = db.stmt("SELECT id FROM orders WHERE status = 'pending' AND id <= ? ORDER BY id");
    q.bind(1, upto);
    std::vector<std::int64_t> ids;
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    return ids;
  });
  if (!pending) return pending.error();
  for (auto id : *pending) state_->queue.push_recovered(id);
  if (!pending->empty()) {
    std::fprintf(stderr, "[orders] recovered %zu pending order(s)\n", pending->size());
  }
  State* s = state_.get();
  state_->workers = std::make_unique<OrderWorkers>(
      state_->queue,
      [s](const std::vector<std::int64_t>& ids) { (void)s->run_batch(ids, /*from_queue=*/true); });
  state_->workers->start(ctx_.options.order_workers);
  state_->retries.start();
  state_->started = true;
  return Status::ok();
}

void Orders::stop() {
  std::lock_guard lock(state_->lifecycle_mu);
  state_->accepting.store(false, std::memory_order_release);
  state_->stopped = true;
  if (state_->workers) state_->workers->stop();
  // After the workers (they may still hand over an order): orders in back-off stay pending.
  state_->retries.stop();
}

void Orders::set_task_log(bool enabled) {
  state_->task_log.store(enabled);
}

// --- intake --------------------------------------------------------------------------------------

Status Orders::check_eligible(std::int64_t user_id) const {
  const bool verified = ctx_.options.require_verified_email_for_orders;
  return ctx_.store->read([&](store::Db& db) -> Status {
    return order_ops::check_eligible_in_tx(db, user_id, verified);
  });
}

Result<OrderAccepted> Orders::intake(std::int64_t user_id, const OrderRequest& request) {
  SHOP_TRY(order_ops::validate_request(request));
  if (!state_->accepting.load(std::memory_order_acquire)) {
    return Error::unavailable("서버가 종료 중입니다. 잠시 후 다시 시도해주세요.", "INTAKE_STOPPED");
  }
  // Reserve the queue slot first: a full queue refuses the order before anything is written.
  if (!state_->queue.try_reserve()) {
    return Error::unavailable("주문이 많아 처리가 지연되고 있습니다. 잠시 후 다시 시도해주세요.",
                              "QUEUE_FULL");
  }
  const Micros now = ctx_.now();
  const bool verified = ctx_.options.require_verified_email_for_orders;
  const int offset = ctx_.options.utc_offset_minutes;
  auto accepted = ctx_.store->write([&](store::Db& db) {
    return order_ops::intake_in_tx(db, user_id, request, verified, offset, now);
  });
  if (!accepted) {
    state_->queue.cancel_reservation();
    return accepted.error();
  }
  // Committed: now it may be queued. (If stop() ran meanwhile, nobody takes it; it stays pending
  // in the database and the next start recovers it.)
  state_->queue.push_reserved(accepted->order_id);
  state_->accepted.fetch_add(1, std::memory_order_relaxed);
  return accepted;
}

// --- processing on the caller's thread -----------------------------------------------------------

Result<std::int64_t> Orders::drain_queue() {
  std::int64_t total = 0;
  // Orders in back-off are tried again now; one that fails again goes back to the retry list
  // (not the queue), so this loop ends even while the disk stays full.
  state_->retries.release_all_now();
  for (;;) {
    auto taken = state_->queue.take(OrderWorkers::kMaxBatch, /*block=*/false);
    // Sentinels belong to stopping workers: hand them back.
    if (taken.sentinels) state_->queue.push_sentinels(taken.sentinels);
    if (taken.ids.empty()) break;
    (void)state_->run_batch(taken.ids, /*from_queue=*/true);
    total += static_cast<std::int64_t>(taken.ids.size());
  }
  return total;
}

Result<ProcessOutcome> Orders::process_now(std::int64_t order_id) {
  return state_->run_batch({order_id}, /*from_queue=*/false).at(0);
}

bool Orders::wait_idle(std::chrono::milliseconds timeout) const {
  return state_->queue.wait_idle(timeout);
}

// --- reading -------------------------------------------------------------------------------------

namespace {

const char* const kOrderColumns =
    "o.id, o.user_id, u.username, o.status, o.order_number, o.total_amount, o.shipping_fee, "
    "o.additional_shipping_fee, o.is_free_shipping, o.used_points, o.final_amount, "
    "o.earned_points, o.shipping_name, o.shipping_phone, o.shipping_postal_code, "
    "o.shipping_address, o.shipping_address_detail, o.order_memo, o.payment_method, "
    "o.failure_reason, o.created_at, o.updated_at, o.processed_at, o.canceled_at, "
    "(SELECT COUNT(*) FROM order_items oi WHERE oi.order_id = o.id)";

Order read_order(SQLite::Statement& q) {
  Order o;
  int c = 0;
  o.id = q.getColumn(c++).getInt64();
  o.user_id = q.getColumn(c++).getInt64();
  o.user_username = q.getColumn(c++).getString();
  o.status = q.getColumn(c++).getString();
  o.order_number = q.getColumn(c).isNull() ? std::string() : q.getColumn(c).getString();
  ++c;
  o.total_amount = q.getColumn(c++).getInt64();
  o.shipping_fee = q.getColumn(c++).getInt64();
  o.additional_shipping_fee = q.getColumn(c++).getInt64();
  o.is_free_shipping = q.getColumn(c++).getInt() != 0;
  o.used_points = q.getColumn(c++).getInt64();
  o.final_amount = q.getColumn(c++).getInt64();
  o.earned_points = q.getColumn(c++).getInt64();
  o.shipping_name = q.getColumn(c++).getString();
  o.shipping_phone = q.getColumn(c++).getString();
  o.shipping_postal_code = q.getColumn(c++).getString();
  o.shipping_address = q.getColumn(c++).getString();
  o.shipping_address_detail = q.getColumn(c++).getString();
  o.order_memo = q.getColumn(c++).getString();
  o.payment_method = q.getColumn(c++).getString();
  o.failure_reason = q.getColumn(c++).getString();
  o.created_at = q.getColumn(c++).getInt64();
  o.updated_at = q.getColumn(c++).getInt64();
  if (!q.getColumn(c).isNull()) o.processed_at = q.getColumn(c).getInt64();
  ++c;
  if (!q.getColumn(c).isNull()) o.canceled_at = q.getColumn(c).getInt64();
  ++c;
  o.item_count = q.getColumn(c++).getInt64();
  return o;
}

std::vector<OrderItem> load_order_items(store::Db& db, std::int64_t order_id) {
  auto& q = db.stmt(std::string("SELECT oi.id, oi.product_id, oi.product_name, oi.quantity, "
                                "oi.price, oi.stock_state, ") +
                    cart_ops::kProductColumns +
                    " FROM order_items oi LEFT JOIN products p ON p.id = oi.product_id"
                    " LEFT JOIN categories c ON c.id = p.category_id"
                    " LEFT JOIN users u ON u.id = p.seller_id"
                    " WHERE oi.order_id = ? ORDER BY oi.id");
  q.bind(1, order_id);
  std::vector<OrderItem> out;
  while (q.executeStep()) {
    OrderItem it;
    it.id = q.getColumn(0).getInt64();
    if (!q.getColumn(1).isNull()) it.product_id = q.getColumn(1).getInt64();
    it.product_name = q.getColumn(2).getString();
    it.quantity = q.getColumn(3).getInt64();
    it.price = q.getColumn(4).getInt64();
    it.stock_state = q.getColumn(5).getInt();
    if (!q.getColumn(6).isNull()) it.product = cart_ops::read_product(q, 6);
    out.push_back(std::move(it));
  }
  return out;
}

}  // namespace

Result<OrderPage> Orders::list(const OrderViewer& viewer, const OrderListQuery& query) const {
  if (query.status && !is_order_status(*query.status)) {
    return Error::invalid(
        "Select a valid choice. " + *query.status + " is not one of the available choices.",
        "status");
  }
  if (query.page < 1) return Error::not_found("Invalid page.");
  if (query.page_size < 1 || query.page_size > 100) {
    return Error::invalid("page_size must be between 1 and 100.", "page_size");
  }
  std::string where = " WHERE 1";
  if (!viewer.is_staff) where += " AND o.user_id = :user";
  if (query.status) where += " AND o.status = :status";
  const std::string order_by = query.oldest_first ? " ORDER BY o.created_at, o.id"
                                                  : " ORDER BY o.created_at DESC, o.id DESC";
  return ctx_.store->read([&](store::Db& db) -> Result<OrderPage> {
    auto bind = [&](SQLite::Statement& q) {
      if (!viewer.is_staff) q.bind(":user", viewer.user_id);
      if (query.status) q.bind(":status", *query.status);
    };
    OrderPage page;
    auto& count = db.stmt("SELECT COUNT(*) FROM orders o" + where);
    bind(count);
    page.count = count.executeStep() ? count.getColumn(0).getInt64() : 0;
    count.reset();
    // Past the last page: not found (page 1 of nothing is an empty page).
    if (query.page > 1 &&
        (query.page - 1) >= (page.count + query.page_size - 1) / query.page_size) {
      return Error::not_found("Invalid page.");
    }
    auto& q = db.stmt(std::string("SELECT ") + kOrderColumns +
                      " FROM orders o JOIN users u ON u.id = o.user_id" + where + order_by +
                      " LIMIT :limit OFFSET :offset");
    bind(q);
    q.bind(":limit", query.page_size);
    q.bind(":offset", (query.page - 1) * query.page_size);
    while (q.executeStep()) page.results.push_back(read_order(q));
    return page;
  });
}

Result<Order> Orders::get(const OrderViewer& viewer, std::int64_t order_id) const {
  return ctx_.store->read([&](store::Db& db) -> Result<Order> {
    auto& q = db.stmt(std::string("SELECT ") + kOrderColumns +
                      " FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = ?");
    q.bind(1, order_id);
    if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
    Order o = read_order(q);
    q.reset();
    if (!viewer.is_staff && o.user_id != viewer.user_id) {
      return Error::not_found("주문을 찾을 수 없습니다.");
    }
    o.items = load_order_items(db, order_id);
    return o;
  });
}

// --- cancel / fulfilment
// ---------------------------------------------------------------------------

Status Orders::cancel(const OrderViewer& viewer, std::int64_t order_id) {
  const Micros now = ctx_.now();
  auto done = ctx_.store->write([&](store::Db& db) -> Status {
    auto& q = db.stmt("SELECT user_id FROM orders WHERE id = ?");
    q.bind(1, order_id);
    if (!q.executeStep()) return Error::not_found("주문을 찾을 수 없습니다.");
    const std::int64_t owner = q.getColumn(0).getInt64();
    q.reset();
    if (!viewer.is_staff && owner != viewer.user_id) {
      return Error::not_found("주문을 찾을 수 없습니다.");
    }
    auto fx = order_ops::cancel_in_tx(db, order_id, now);
    if (!fx) return fx.error();
    if (fx->previous_status == "paid") {
      // The built-in test provider has no money to move back; the payment row records the cancel.
      auto& pay = db.stmt(
          "UPDATE payments SET status = 'canceled', canceled_amount = amount, "
          "cancel_reason = 'order canceled', canceled_at = ?1, updated_at = ?1 "
          "WHERE order_id = ?2 AND status = 'done'");
      pay.bind(1, now);
      pay.bind(2, order_id);
      pay.exec();
    }
    return Status::ok();
  });
  if (done) state_->canceled.fetch_add(1, std::memory_order_relaxed);
  return done;
}

Result<std::string> Orders::advance_fulfilment(const OrderViewer& staff, std::int64_t order_id) {
  if (!staff.is_staff) return Error::forbidden("Only staff can move orders through fulfilment.");
  const Micros now = ctx_.now();
  return ctx_.store->write(
      [&](store::Db& db) { return order_ops::advance_fulfilment_in_tx(db, order_id, now); });
}

// --- metrics -------------------------------------------------------------------------------------

OrderMetrics Orders::metrics() const {
  OrderMetrics m;
  const State& s = *state_;
  m.in_flight = s.queue.in_flight();
  m.retrying = s.retries.waiting();
  m.retries = s.retries.scheduled();
  m.queue_depth = s.queue.depth();
  m.capacity = s.queue.capacity();
  m.workers = ctx_.options.order_workers;
  m.accepted = s.accepted.load(std::memory_order_relaxed);
  m.confirmed = s.confirmed.load(std::memory_order_relaxed);
  m.failed = s.failed.load(std::memory_order_relaxed);
  m.skipped = s.skipped.load(std::memory_order_relaxed);
  m.canceled = s.canceled.load(std::memory_order_relaxed);
  m.processed = m.confirmed + m.failed + m.skipped;
  m.store_writes = ctx_.store->writes();
  m.store_commits = ctx_.store->commits();
  return m;
}

}  // namespace shop
