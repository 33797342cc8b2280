// schema.h — the database schema, versioned with PRAGMA user_version and migrated on open.
#pragma once

#include "shop/result.h"
#include "store/store.h"

namespace shop::store {

// Applies every migration newer than the file's user_version, each in its own transaction.
// Returns the resulting schema version. Refuses files newer than this build knows.
Result<int> migrate(Db& db);

// The newest schema version this build writes.
int latest_schema_version();

}  // namespace shop::store
