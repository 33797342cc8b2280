// shop/orders.h — order intake (202), the bounded queue and worker pool, processing, cancel.
//
// Lifecycle (DESIGN.md §4):
//  * intake(): validates, then in ONE write transaction inserts the `pending` order, snapshots the
//    cart lines into order items (name and price of that moment) and empties the cart. Only after
//    that commit is the id queued, so an accepted order always exists; a full queue refuses the
//    order (kUnavailable) before anything is written.
//  * A worker processes each order in one write transaction: skipped unless still pending; stock
//    taken for every item (product-id order) all or nothing; used points spent FIFO; `confirmed`,
//    or `failed` with a failure_reason and the lines put back into the user's cart.
//  * start() re-queues every order still pending (recovery after a crash), then starts workers.
//  * cancel() (pending, confirmed, paid) restores exactly what was taken, in one transaction.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shop/cart.h"
#include "shop/clock.h"
#include "shop/result.h"

namespace shop {
namespace detail {
struct EngineContext;
}

// --- shipping (contract §2.5) -------------------------------------------------------------------
constexpr std::int64_t kFreeShippingThreshold =
    30'000;  // goods subtotal from which shipping is free
constexpr std::int64_t kShippingFee = 3'000;
constexpr std::int64_t kRemoteAreaSurcharge = 3'000;  // postal codes 63*, 59*, 52*; even when free

struct ShippingQuote {
  std::int64_t shipping_fee = 0;
  std::int64_t additional_shipping_fee = 0;
  bool is_free_shipping = false;
  std::int64_t total() const { return shipping_fee + additional_shipping_fee; }
};
ShippingQuote quote_shipping(std::int64_t goods_total, std::string_view postal_code);

// --- statuses (contract §2.6, plus `failed`) -----------------------------------------------------
// pending, confirmed, failed, paid, preparing, shipped, delivered, canceled, refunded
bool is_order_status(std::string_view status);
std::string order_status_display(std::string_view status);  // the Korean label
bool order_can_cancel(std::string_view status);             // pending, confirmed, paid

// --- intake --------------------------------------------------------------------------------------
struct OrderRequest {
  std::string shipping_name;            // required, non-blank, <= 100 characters
  std::string shipping_phone;           // required, non-blank, <= 20
  std::string shipping_postal_code;     // required, non-blank, <= 10
  std::string shipping_address;         // required, non-blank, <= 200
  std::string shipping_address_detail;  // <= 255
  std::string order_memo;               // <= 1000
  std::int64_t use_points = 0;          // 0, or >= 100, <= balance, <= goods + shipping
};

struct OrderAccepted {
  std::int64_t order_id = 0;
  std::string order_number;  // local date YYYYMMDD + id zero-padded to 6
  std::string task_id;       // a uuid4 string naming this processing task (for logs/clients)
  std::int64_t total_amount = 0;
  std::int64_t final_amount = 0;
  Micros created_at = 0;
};

// Intake error reasons (Error::reason). Field checks use Error::field as usual.
//   EMAIL_NOT_VERIFIED (kPermissionDenied; only with require_verified_email_for_orders)
//   CART_EMPTY (kInvalidArgument, no field)
//   CART_ITEMS_UNAVAILABLE (kInvalidArgument, field "cart_items"; message: one line per bad cart
//     line, separated by '\n')
//   MINIMUM_AMOUNT_NOT_MET, INSUFFICIENT_POINTS, EXCEEDS_ORDER_AMOUNT (kInvalidArgument, no field:
//     the points rules)
//   QUEUE_FULL, INTAKE_STOPPED (kUnavailable: retry later)
inline constexpr std::string_view kCartItemsUnavailable = "CART_ITEMS_UNAVAILABLE";
bool is_points_rule_reason(std::string_view reason);

// --- reading -------------------------------------------------------------------------------------
// Who is looking: owners see their own orders; staff see every order.
struct OrderViewer {
  std::int64_t user_id = 0;
  bool is_staff = false;
};

struct OrderItem {
  std::int64_t id = 0;
  std::optional<std::int64_t> product_id;  // nullopt once the product was deleted
  std::optional<ProductBrief> product;     // the live product, when it still exists
  std::string product_name;                // snapshot at intake
  std::int64_t quantity = 0;
  std::int64_t price = 0;  // snapshot at intake
  int stock_state = 0;     // 0 not taken, 1 taken, 2 taken and returned
  std::int64_t subtotal() const { return price * quantity; }
};

struct Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string user_username;
  std::string status;
  std::string order_number;
  std::int64_t total_amount = 0;  // goods subtotal
  std::int64_t shipping_fee = 0;
  std::int64_t additional_shipping_fee = 0;
  bool is_free_shipping = false;
  std::int64_t used_points = 0;
  std::int64_t final_amount = 0;
  std::int64_t earned_points = 0;
  std::string shipping_name, shipping_phone, shipping_postal_code, shipping_address,
      shipping_address_detail, order_memo, payment_method, failure_reason;
  Micros created_at = 0;
  Micros updated_at = 0;
  std::optional<Micros> processed_at;
  std::optional<Micros> canceled_at;
  std::int64_t item_count = 0;
  std::vector<OrderItem> items;  // filled by get(), empty in list pages

  std::int64_t total_shipping_fee() const { return shipping_fee + additional_shipping_fee; }
  bool can_cancel() const { return order_can_cancel(status); }
};

struct OrderListQuery {
  std::optional<std::string> status;  // must satisfy is_order_status (else a "status" field error)
  std::int64_t page = 1;              // >= 1; past the last page: not found
  std::int64_t page_size = 10;        // 1..100
  bool oldest_first = false;          // ordering=created_at (default -created_at)
};

struct OrderPage {
  std::int64_t count = 0;
  std::vector<Order> results;
};

// --- operations ----------------------------------------------------------------------------------
enum class ProcessOutcome { kConfirmed, kFailed, kSkipped };

struct OrderMetrics {
  std::int64_t queue_depth = 0;  // accepted (or being accepted) and not yet taken by a worker
  std::int64_t in_flight = 0;    // taken by a worker, not yet committed (includes `retrying`)
  std::int64_t retrying = 0;     // in flight, waiting for a retry after a transient store error
  std::int64_t retries = 0;      // retries scheduled since start (a counter)
  std::int64_t capacity = 0;
  std::int64_t workers = 0;
  std::int64_t accepted = 0;  // counters since start
  std::int64_t confirmed = 0;
  std::int64_t failed = 0;
  std::int64_t skipped = 0;
  std::int64_t canceled = 0;
  std::int64_t processed = 0;  // confirmed + failed + skipped
  std::uint64_t store_writes = 0;
  std::uint64_t store_commits = 0;
};

class Orders {
 public:
  explicit Orders(detail::EngineContext& ctx);
  ~Orders();

  // Re-enqueues pending orders and starts the worker pool (options.order_workers threads; 0:
  // intake only). stop(): intake refuses new orders (kUnavailable), workers finish the orders in
  // hand and exit; queued orders stay pending in the database and are recovered on the next
  // start(). Both idempotent; stop() also runs on destruction.
  Status start();
  void stop();

  // May this user order at all (403 when e-mail verification is required and missing)? Callers
  // check it before validating the body, as the reference does; intake() checks it again.
  Status check_eligible(std::int64_t user_id) const;

  // Accepts an order from the user's active cart (see the header comment and the error reasons).
  Result<OrderAccepted> intake(std::int64_t user_id, const OrderRequest& request);

  Result<OrderPage> list(const OrderViewer& viewer, const OrderListQuery& query) const;
  // The order with its items. Someone else's order (unless staff) or an unknown id: not found.
  Result<Order> get(const OrderViewer& viewer, std::int64_t order_id) const;

  // Cancels (pending, confirmed, paid): restores the stock of processed items, refunds used points,
  // takes back earned points, marks a paid order's payment canceled, sets `canceled`. Another
  // status: kConflict (reason CANNOT_CANCEL). Someone else's order (unless staff): not found.
  Status cancel(const OrderViewer& viewer, std::int64_t order_id);

  // Staff only: paid -> preparing -> shipped -> delivered. Returns the new status.
  Result<std::string> advance_fulfilment(const OrderViewer& staff, std::int64_t order_id);

  // Processes queued orders on the calling thread until the queue is empty (for tools and tests
  // running with zero workers), orders waiting for a retry included (each tried once per call;
  // one that meets a transient store error again waits for a retry again). Returns how many
  // orders it took.
  Result<std::int64_t> drain_queue();

  // Processes one order now, as a worker would (idempotent: a non-pending order is skipped). A
  // transient store error (kUnavailable, STORAGE_*) is returned as such: the order stays pending.
  Result<ProcessOutcome> process_now(std::int64_t order_id);

  // Waits until nothing is queued or in flight (true), or the timeout passes (false).
  bool wait_idle(std::chrono::milliseconds timeout) const;

  OrderMetrics metrics() const;

  // The per-order "received"/"succeeded"/"failed" lines on stderr (on by default).
  void set_task_log(bool enabled);

 private:
  struct State;
  detail::EngineContext& ctx_;
  std::unique_ptr<State> state_;
};

}  // namespace shop
