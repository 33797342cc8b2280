// schema.cpp — every table of the engine, in one place, with the invariants they carry.
//
// Conventions: times are INTEGER microseconds since the epoch (UTC); money and points are INTEGER
// (won, points); booleans are INTEGER 0/1. `origin` tags rows made by test-data commands so that
// `--clear` removes exactly what they made (NULL for real data).
//
// Migrations are append-only: never edit a released one, add the next.
#include "store/schema.h"

#include <string>
#include <vector>

namespace shop::store {

namespace {

const char* const kMigration1 = R"SQL(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id                    INTEGER PRIMARY KEY,
  username              TEXT NOT NULL UNIQUE,
  email                 TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash         TEXT NOT NULL,
  first_name            TEXT NOT NULL DEFAULT '',
  last_name             TEXT NOT NULL DEFAULT '',
  phone_number          TEXT NOT NULL DEFAULT '',
  birth_date            TEXT,                          -- YYYY-MM-DD or NULL
  postal_code           TEXT NOT NULL DEFAULT '',
  address               TEXT NOT NULL DEFAULT '',
  address_detail        TEXT NOT NULL DEFAULT '',
  membership_level      TEXT NOT NULL DEFAULT 'bronze'
                        CHECK (membership_level IN ('bronze','silver','gold','vip')),
  -- The balance and running totals change only together with a point_entries row, in the same
  -- write transaction (points = sum of the user's entries = newest entry's balance).
  points                INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
  total_earned          INTEGER NOT NULL DEFAULT 0,   -- sum of positive entries
  total_used            INTEGER NOT NULL DEFAULT 0,   -- abs sum of negative entries
  is_email_verified     INTEGER NOT NULL DEFAULT 0,
  is_phone_verified     INTEGER NOT NULL DEFAULT 0,
  agree_marketing_email INTEGER NOT NULL DEFAULT 0,
  agree_marketing_sms   INTEGER NOT NULL DEFAULT 0,
  is_seller             INTEGER NOT NULL DEFAULT 0,
  is_staff              INTEGER NOT NULL DEFAULT 0,
  is_superuser          INTEGER NOT NULL DEFAULT 0,
  is_active             INTEGER NOT NULL DEFAULT 1,
  is_withdrawn          INTEGER NOT NULL DEFAULT 0,
  withdrawn_at          INTEGER,
  date_joined           INTEGER NOT NULL,
  last_login            INTEGER,
  last_login_ip         TEXT,
  origin                TEXT
);

-- Outstanding refresh tokens (rotation + blacklist): a refresh token is valid only while its row
-- exists and is not revoked.
CREATE TABLE refresh_tokens (
  jti        TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE categories (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  slug        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  parent_id   INTEGER REFERENCES categories(id) ON DELETE CASCADE,
  is_active   INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  origin      TEXT
);
CREATE INDEX categories_parent ON categories(parent_id);

CREATE TABLE products (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  slug              TEXT NOT NULL UNIQUE,
  description       TEXT NOT NULL DEFAULT '',
  short_description TEXT NOT NULL DEFAULT '',
  price             INTEGER NOT NULL CHECK (price >= 0),
  compare_price     INTEGER,
  -- Stock moves only with an order item (taken/returned) or an admin adjustment (restocked), so
  -- stock = initial_stock + restocked - sum(quantity of items whose stock_state = 1).
  stock             INTEGER NOT NULL CHECK (stock >= 0),
  initial_stock     INTEGER NOT NULL,
  restocked         INTEGER NOT NULL DEFAULT 0,
  sold_count        INTEGER NOT NULL DEFAULT 0 CHECK (sold_count >= 0),
  view_count        INTEGER NOT NULL DEFAULT 0,
  is_available      INTEGER NOT NULL DEFAULT 1,
  is_active         INTEGER NOT NULL DEFAULT 1,
  sku               TEXT NOT NULL UNIQUE,
  brand             TEXT NOT NULL DEFAULT '',
  tags              TEXT NOT NULL DEFAULT '',
  category_id       INTEGER NOT NULL REFERENCES categories(id),
  seller_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  origin            TEXT
);
CREATE INDEX products_category ON products(category_id);
-- id DESC breaks created_at ties, so the default listing (-created_at) reads no more rows than
-- it returns.
CREATE INDEX products_active_created ON products(is_active, created_at DESC, id DESC);
CREATE INDEX products_seller ON products(seller_id);

-- One active cart per user, or per anonymous session key.
CREATE TABLE carts (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
  session_key TEXT,
  is_active   INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  origin      TEXT,
  CHECK (user_id IS NOT NULL OR session_key IS NOT NULL)
);
CREATE UNIQUE INDEX carts_active_user ON carts(user_id) WHERE is_active = 1 AND user_id IS NOT NULL;
CREATE UNIQUE INDEX carts_active_session ON carts(session_key)
  WHERE is_active = 1 AND session_key IS NOT NULL;

CREATE TABLE cart_items (
  id         INTEGER PRIMARY KEY,
  cart_id    INTEGER NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  quantity   INTEGER NOT NULL CHECK (quantity >= 1),
  added_at   INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (cart_id, product_id)
);

-- status: pending -> confirmed | failed; pending/confirmed/paid -> canceled; confirmed -> paid ->
-- preparing -> shipped -> delivered -> refunded.
CREATE TABLE orders (
  id                      INTEGER PRIMARY KEY,
  user_id                 INTEGER NOT NULL REFERENCES users(id),
  status                  TEXT NOT NULL,
  order_number            TEXT UNIQUE,
  total_amount            INTEGER NOT NULL,           -- goods subtotal
  shipping_fee            INTEGER NOT NULL,
  additional_shipping_fee INTEGER NOT NULL,
  is_free_shipping        INTEGER NOT NULL,
  used_points             INTEGER NOT NULL DEFAULT 0,
  final_amount            INTEGER NOT NULL,
  earned_points           INTEGER NOT NULL DEFAULT 0,
  shipping_name           TEXT NOT NULL,
  shipping_phone          TEXT NOT NULL,
  shipping_postal_code    TEXT NOT NULL,
  shipping_address        TEXT NOT NULL,
  shipping_address_detail TEXT NOT NULL DEFAULT '',
  order_memo              TEXT NOT NULL DEFAULT '',
  payment_method          TEXT NOT NULL DEFAULT '',
  failure_reason          TEXT NOT NULL DEFAULT '',
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  processed_at            INTEGER,
  canceled_at             INTEGER,
  origin                  TEXT
);
CREATE INDEX orders_user_created ON orders(user_id, created_at DESC);
CREATE INDEX orders_status ON orders(status);

-- Snapshot of the cart line at intake (name and price of that moment).
-- stock_state: 0 = stock not taken yet (pending/failed), 1 = taken, 2 = taken and returned.
CREATE TABLE order_items (
  id           INTEGER PRIMARY KEY,
  order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  product_id   INTEGER REFERENCES products(id) ON DELETE SET NULL,
  product_name TEXT NOT NULL,
  quantity     INTEGER NOT NULL CHECK (quantity >= 1),
  price        INTEGER NOT NULL,
  stock_state  INTEGER NOT NULL DEFAULT 0 CHECK (stock_state IN (0,1,2))
);
CREATE INDEX order_items_order ON order_items(order_id);
CREATE INDEX order_items_product ON order_items(product_id);

-- The points ledger. Every row stores the balance after it. Positive rows with expires_at are
-- lots: lot_remaining = points - lot_used - lot_expired_amount, spent FIFO by (expires_at, id).
-- type: earn + | use - | cancel_refund + | cancel_deduct - | expire - | admin_add + |
--       admin_deduct - | event +
CREATE TABLE point_entries (
  id                 INTEGER PRIMARY KEY,
  user_id            INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type               TEXT NOT NULL,
  points             INTEGER NOT NULL,
  balance            INTEGER NOT NULL CHECK (balance >= 0),
  order_id           INTEGER REFERENCES orders(id) ON DELETE SET NULL,
  description        TEXT NOT NULL DEFAULT '',
  expires_at         INTEGER,
  lot_remaining      INTEGER,        -- NULL for non-lots
  lot_used           INTEGER NOT NULL DEFAULT 0,
  lot_expired        INTEGER NOT NULL DEFAULT 0,
  lot_expired_amount INTEGER NOT NULL DEFAULT 0,
  expiry_notified    INTEGER NOT NULL DEFAULT 0,
  metadata           TEXT NOT NULL DEFAULT '{}',  -- JSON object
  created_at         INTEGER NOT NULL,
  CHECK (lot_remaining IS NULL OR (lot_remaining >= 0 AND lot_remaining <= points))
);
CREATE INDEX point_entries_user ON point_entries(user_id, id DESC);
CREATE INDEX point_entries_user_type ON point_entries(user_id, type, id DESC);
CREATE INDEX point_entries_order ON point_entries(order_id) WHERE order_id IS NOT NULL;
-- Open lots of a user in FIFO order (spend) and open lots by expiry (the expiry job, notices).
CREATE INDEX point_lots_user_fifo ON point_entries(user_id, expires_at, id)
  WHERE lot_remaining > 0 AND lot_expired = 0;
CREATE INDEX point_lots_expiry ON point_entries(expires_at)
  WHERE lot_remaining IS NOT NULL AND lot_expired = 0;
-- Date-bounded history pages and "this month" statistics without scanning a user's whole ledger.
CREATE INDEX point_entries_user_created ON point_entries(user_id, created_at);

-- Per user and entry type: how many entries and their signed sum, kept by the ledger in the same
-- transaction as each entry, so history counts and per-type statistics cost O(types), not
-- O(history). sum(entries) over a user's rows = that user's number of point_entries.
CREATE TABLE point_type_totals (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type    TEXT NOT NULL,
  entries INTEGER NOT NULL,
  points  INTEGER NOT NULL,
  PRIMARY KEY (user_id, type)
) WITHOUT ROWID;

CREATE TABLE notifications (
  id                INTEGER PRIMARY KEY,
  user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  notification_type TEXT NOT NULL,
  title             TEXT NOT NULL,
  message           TEXT NOT NULL DEFAULT '',
  link              TEXT NOT NULL DEFAULT '',
  is_read           INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  read_at           INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id DESC);

CREATE TABLE payments (
  id              INTEGER PRIMARY KEY,
  order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id),
  amount          INTEGER NOT NULL,
  status          TEXT NOT NULL,   -- ready, in_progress, done, canceled, aborted, expired
  method          TEXT NOT NULL DEFAULT 'card',
  provider        TEXT NOT NULL DEFAULT 'test',
  payment_key     TEXT,
  failure_reason  TEXT NOT NULL DEFAULT '',
  canceled_amount INTEGER NOT NULL DEFAULT 0,
  cancel_reason   TEXT NOT NULL DEFAULT '',
  approved_at     INTEGER,
  canceled_at     INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX payments_order ON payments(order_id);
CREATE INDEX payments_user ON payments(user_id, id DESC);
-- At most one live payment (awaiting confirmation or paid) per order: nothing is paid twice.
CREATE UNIQUE INDEX payments_order_live ON payments(order_id)
  WHERE status IN ('ready', 'in_progress', 'done');

-- Idempotency-Key replay store: the first response to (user, scope, key) is returned again.
-- status_code 0 marks a reservation whose request is still running; request_hash (SHA-256 hex of
-- method, path and body) detects a key reused for a different request.
CREATE TABLE idempotency_keys (
  user_id      INTEGER NOT NULL,
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  status_code  INTEGER NOT NULL,
  body         TEXT NOT NULL,
  request_hash TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Last successful run of each periodic job (so a restart does not run a daily job twice).
CREATE TABLE job_runs (
  name        TEXT PRIMARY KEY,
  last_run_at INTEGER NOT NULL
);
)SQL";

// Token revocation (issue 9). token_generation is carried in every token as the `gen` claim; a
// token is valid only while its claim equals the column, so raising the column (password change,
// withdrawal, later password reset) revokes every access and refresh token of the user at once.
// revoked_access_tokens is the logout deny list: access tokens revoked before they expire, kept
// until then (expires_at = the token's exp); Auth mirrors it in memory.
const char* const kMigration2 = R"SQL(
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE revoked_access_tokens (
  jti        TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens(expires_at);
)SQL";

const std::vector<const char*>& migrations() {
  static const std::vector<const char*> all = {kMigration1, kMigration2};
  return all;
}

}  // namespace

int latest_schema_version() { return static_cast<int>(migrations().size()); }

Result<int> migrate(Db& db) {
  int version = static_cast<int>(db.scalar_int("PRAGMA user_version"));
  const int latest = latest_schema_version();
  if (version > latest) {
    return Error::conflict("database schema version " + std::to_string(version) +
                               " is newer than this build supports (" + std::to_string(latest) +
                               ")",
                           "SCHEMA_TOO_NEW");
  }
  for (; version < latest; ++version) {
    // BEGIN IMMEDIATE: a second process opening the same new file waits instead of racing us.
    db.exec("BEGIN IMMEDIATE");
    try {
      // Re-check inside the lock: another process may have migrated meanwhile.
      int now = static_cast<int>(db.scalar_int("PRAGMA user_version"));
      if (now > version) {
        db.exec("COMMIT");
        version = now - 1;
        continue;
      }
      db.exec(migrations()[version]);
      db.exec("PRAGMA user_version=" + std::to_string(version + 1));
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
  }
  return version;
}

}  // namespace shop::store
