// ledger.cpp — STUB until the points module lands (the points helper replaces this file).
#include "points/ledger.h"

namespace shop::ledger {

Result<EntryResult> spend_fifo(store::Db&, std::int64_t, std::int64_t, std::optional<std::int64_t>,
                               const std::string&, Micros, bool) {
  return Error::internal("ledger not implemented");
}
Result<EntryResult> grant(store::Db&, std::int64_t, const std::string&, std::int64_t,
                          std::optional<Micros>, std::optional<std::int64_t>, const std::string&,
                          Micros, const std::string&) {
  return Error::internal("ledger not implemented");
}
Result<EntryResult> deduct(store::Db&, std::int64_t, const std::string&, std::int64_t,
                           std::optional<std::int64_t>, const std::string&, Micros) {
  return Error::internal("ledger not implemented");
}
Result<EntryResult> earn_for_order(store::Db&, std::int64_t, Micros) {
  return Error::internal("ledger not implemented");
}
Result<Reversal> reverse_order(store::Db&, std::int64_t, Micros) {
  return Error::internal("ledger not implemented");
}

}  // namespace shop::ledger
