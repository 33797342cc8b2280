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

// A fresh access/refresh pair for user_id at the user's current token generation; records the
// refresh token as outstanding and drops the user's expired ones.
TokenPair issue_tokens_in(store::Db& db, std::int64_t user_id, Micros now,
                          const std::string& jwt_secret);

// Revokes every access and refresh token issued to user_id so far: raises the user's token
// generation (authenticate() and refresh() refuse tokens of an older one) and marks the user's
// outstanding refresh tokens revoked. Call it in the same transaction as the change that demands
// it (password change, withdrawal, password reset), so no old token survives the change.
void revoke_all_tokens_in(store::Db& db, std::int64_t user_id);

}  // namespace shop::auth
