// shop/testdata.h — the test-data presets of `shopctl create-test-data` and `shopd --demo-data`.
//
// Every row the generators create is tagged with an origin ('testdata' for the presets, 'loadtest'
// for load-test users) at insert time, so a clear removes exactly those rows. Points are granted
// through the ledger as expiring lots and sample orders go through the real cart -> intake ->
// processing -> payment flow, so `shopctl verify` is clean afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shop::testdata {

inline constexpr const char* kOrigin = "testdata";
inline constexpr const char* kLoadTestOrigin = "loadtest";

// Demo accounts: test_user1..N / kUserPassword, admin / kAdminPassword.
inline constexpr const char* kUserPassword = "testpass123!";
inline constexpr const char* kAdminPassword = "admin123!";
// PBKDF2 cost of demo accounts (capped further by EngineOptions::password_iterations): demo
// accounts, not real ones, so a cheaper cost keeps 20 users at ~0.5 s. Stored in each hash.
inline constexpr int kDemoPasswordIterations = 100'000;

// Load-test accounts: load_test_user_<i> / kLoadTestPassword, hashed at kLoadTestIterations.
// TEST-ONLY cost (DESIGN.md §7): a 1000-user login storm must measure the shop, not the KDF.
inline constexpr const char* kLoadTestPassword = "testpass123";
inline constexpr int kLoadTestIterations = 1000;
inline constexpr int kMaxLoadTestUsers = 1'000'000;

struct Preset {
  std::string name;
  int top_categories = 0;   // the first N top categories of the catalogue (4 subcategories each)
  int per_category = 0;     // products per subcategory = min(templates, per_category / 3)
  int users = 0;            // test_user1..N (plus admin)
  int review_products = 0;  // reference compatibility only: shopd has no reviews (always 0 made)
  int carts = 0;            // users left with an active cart of 1-5 lines
  int max_orders = 0;       // sample orders through the real flow
  std::string description;
};

// minimal, basic, full (contract §4).
const std::vector<Preset>& presets();
const Preset* find_preset(const std::string& name);
// "minimal, basic, full"
std::string preset_names();

struct Options {
  std::string preset = "basic";
  std::optional<int> users;  // overrides the preset's user count (1..1000)
  std::uint64_t seed = 42;   // same seed + same preset + empty database = same data
  bool clear_first = false;  // remove earlier test data (origin 'testdata') first
  bool reviews = true;       // accepted for compatibility; shopd has no reviews
};

struct ClearReport {
  std::int64_t users = 0, categories = 0, products = 0, carts = 0, orders = 0;
  std::int64_t foreign_orders = 0;  // orders placed by test accounts themselves (e.g. via HTTP)
};

struct Report {
  std::string preset;
  std::uint64_t seed = 0;
  std::int64_t top_categories = 0, sub_categories = 0, products = 0, users = 0, carts = 0;
  std::int64_t points_granted = 0;
  std::map<std::string, std::int64_t> orders_by_status;
  std::int64_t orders = 0;
  std::optional<ClearReport> cleared;
  std::vector<std::string> notes;  // what was skipped and why
};

struct LoadTestUsersOptions {
  int count = 100;
  std::int64_t points = 50000;
  int start_index = 0;
  bool clear_first = false;
};

struct LoadTestUsersReport {
  std::int64_t created = 0, skipped = 0, points_granted = 0, cleared = 0;
};

}  // namespace shop::testdata
