// auth/users_db.h — account rows inside a caller's transaction (private to the engine). Lets the
// test-data builder create many accounts in one write transaction; Auth::create_user uses the same
// code. Password hashes are computed by the caller, outside any transaction (a KDF inside the
// serialized writer would stall every other write).
#pragma once

#include <cstdint>
#include <string>

#include "shop/auth.h"
#include "shop/clock.h"
#include "shop/result.h"
#include "store/store.h"

namespace shop::auth {

// Every rule of create_user except uniqueness (which needs the database). kInvalidArgument with
// the offending field.
Status validate_new_user(const NewUser& user);

// Inserts an account (already validated) with its encoded password hash. Uniqueness of username
// and e-mail (case-insensitive) is checked here: kInvalidArgument, reason "DUPLICATE".
Result<std::int64_t> insert_user(store::Db& db, const NewUser& user,
                                 const std::string& password_hash, Micros now);

// A fresh access/refresh pair for user_id; records the refresh token as outstanding and drops
// the user's expired ones.
TokenPair issue_tokens_in(store::Db& db, std::int64_t user_id, Micros now,
                          const std::string& jwt_secret);

}  // namespace shop::auth
