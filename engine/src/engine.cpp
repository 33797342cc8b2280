#include "shop/engine.h"

#include <cstdlib>

#include "auth/crypto.h"
#include "auth/password.h"
#include "engine_context.h"
#include "jobs/scheduler.h"
#include "shop/admin.h"
#include "shop/auth.h"
#include "shop/cart.h"
#include "shop/catalog.h"
#include "shop/orders.h"
#include "shop/payments.h"
#include "shop/points.h"

namespace shop {

namespace {

// The JWT signing secret: configured, or from the environment, or generated once and stored with
// the data (so tokens survive restarts), never a constant in the code.
Result<std::string> resolve_jwt_secret(const EngineOptions& options, store::Store& store) {
  if (!options.jwt_secret.empty()) return options.jwt_secret;
  if (const char* env = std::getenv("SHOP_JWT_SECRET"); env && *env) return std::string(env);
  return store.write([](store::Db& db) -> Result<std::string> {
    auto& get = db.stmt("SELECT value FROM settings WHERE key = 'jwt_secret'");
    if (get.executeStep()) {
      std::string v = get.getColumn(0).getString();
      get.reset();
      return v;
    }
    std::string secret = crypto::random_hex(32);
    auto& put = db.stmt("INSERT INTO settings(key, value) VALUES ('jwt_secret', ?)");
    put.bind(1, secret);
    put.exec();
    return secret;
  });
}

}  // namespace

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  if (options.order_workers < 0 || options.order_queue_capacity < 1 ||
      options.password_iterations < 1 || options.password_iterations > password::kMaxIterations ||
      options.max_concurrent_password_checks < 1 || options.failed_login_burst < 0 ||
      (options.failed_login_burst > 0 && options.failed_login_refill_per_minute < 1) ||
      options.password_checks_per_address < 0 || options.login_limiter_addresses < 1) {
    return Error::invalid("engine: invalid options");
  }
  std::unique_ptr<Engine> engine(new Engine());
  auto ctx = std::make_unique<detail::EngineContext>();
  ctx->options = options;
  ctx->clock = options.clock ? options.clock : &SystemClock::instance();

  store::StoreOptions so;
  so.path = options.db_path;
  so.read_connections = options.read_connections;
  so.synchronous =
      options.durability == Durability::kFull ? store::Synchronous::kFull : store::Synchronous::kNormal;
  auto st = store::Store::open(so);
  if (!st) return st.error();
  ctx->store = std::move(*st);

  auto secret = resolve_jwt_secret(options, *ctx->store);
  if (!secret) return secret.error();
  ctx->jwt_secret = std::move(*secret);

  ctx->auth = std::make_unique<Auth>(*ctx);
  SHOP_TRY(ctx->auth->load_revoked_access_tokens());
  ctx->catalog = std::make_unique<Catalog>(*ctx);
  ctx->points = std::make_unique<Points>(*ctx);
  ctx->carts = std::make_unique<Carts>(*ctx);
  ctx->orders = std::make_unique<Orders>(*ctx);
  ctx->payments = std::make_unique<Payments>(*ctx);
  ctx->admin = std::make_unique<Admin>(*ctx);
  ctx->scheduler = std::make_unique<jobs::Scheduler>(*ctx);
  engine->ctx_ = std::move(ctx);
  return engine;
}

Engine::~Engine() {
  if (!ctx_) return;  // open() failed before the context was complete
  stop();
  // Modules go before the store (reverse order of construction).
  ctx_->scheduler.reset();
  ctx_->admin.reset();
  ctx_->payments.reset();
  ctx_->orders.reset();
  ctx_->carts.reset();
  ctx_->points.reset();
  ctx_->catalog.reset();
  ctx_->auth.reset();
}

Status Engine::start() {
  SHOP_TRY(ctx_->orders->start());
  if (ctx_->options.run_scheduler) ctx_->scheduler->start();
  return Status::ok();
}

void Engine::stop() {
  if (ctx_->scheduler) ctx_->scheduler->stop();
  if (ctx_->orders) ctx_->orders->stop();
}

Auth& Engine::auth() { return *ctx_->auth; }
Catalog& Engine::catalog() { return *ctx_->catalog; }
Carts& Engine::carts() { return *ctx_->carts; }
Orders& Engine::orders() { return *ctx_->orders; }
Points& Engine::points() { return *ctx_->points; }
Payments& Engine::payments() { return *ctx_->payments; }
Admin& Engine::admin() { return *ctx_->admin; }
const Clock& Engine::clock() const { return *ctx_->clock; }
const EngineOptions& Engine::options() const { return ctx_->options; }

}  // namespace shop
