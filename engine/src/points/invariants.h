// invariants.h — the points ledger's invariants (DESIGN.md §5) as one reusable check, for tests
// after concurrent runs and for `shopctl verify`.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace shop::points {

// Checks every user, entry, lot and order of the database `db` is connected to (run it on a read
// connection for a consistent snapshot, or inside a write). Returns one human-readable line per
// violation (at most `max_per_check` lines per kind of check); empty means all hold:
//  * users.points >= 0, == sum of the user's entries, == the newest entry's balance;
//    total_earned / total_used == the sums of the positive / negative entries;
//  * every entry's balance == the previous entry's balance + its points (per user, by id);
//    signs match types (earn, cancel_refund, admin_add, event > 0; use, cancel_deduct, expire,
//    admin_deduct < 0); types are known;
//  * lots: lot_remaining = points - lot_used - lot_expired_amount, all >= 0; a flagged lot has
//    nothing remaining; non-lots carry no lot state; a user's open lots never exceed the balance;
//  * every expire entry matches its lot's lot_expired_amount, at most one per lot;
//  * per order: at most one use, earn, cancel_refund and cancel_deduct; a refund equals the use,
//    a deduct equals the earn; orders.earned_points equals the earn entry when there is one;
//  * point_type_totals equals the counts and sums of the entries.
std::vector<std::string> check_point_invariants(store::Db& db, int max_per_check = 20);

}  // namespace shop::points
