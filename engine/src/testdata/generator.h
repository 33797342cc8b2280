// testdata/generator.h — the generators behind Admin's test-data operations (private).
#pragma once

#include <string>

#include "shop/auth.h"
#include "shop/clock.h"
#include "shop/result.h"
#include "shop/testdata.h"
#include "store/store.h"

namespace shop {
namespace detail {
struct EngineContext;
}

namespace testdata {

// create-test-data: the preset's catalogue, users (+ admin) with points as ledger lots, sample
// orders through the real flow, and carts. Every row is tagged with origin 'testdata'.
Result<Report> create(detail::EngineContext& ctx, const Options& options);

// Removes every row tagged `origin` (and what hangs off it), inside the caller's write
// transaction, keeping the stock bookkeeping of surviving products exact.
Result<ClearReport> clear_origin(store::Db& db, const std::string& origin);

// create-load-test-users.
Result<LoadTestUsersReport> create_load_test_users(detail::EngineContext& ctx,
                                                   const LoadTestUsersOptions& options);

// A fixture account through the auth module's row insert (validated like any account, password
// rules excepted), inside the caller's write transaction. `is_superuser` is set right after.
Result<std::int64_t> insert_account(store::Db& db, const NewUser& user,
                                    const std::string& password_hash, bool is_superuser,
                                    Micros now);

}  // namespace testdata
}  // namespace shop
