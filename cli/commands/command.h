// command.h — how shopctl commands plug in. Each command lives in its own file and registers a
// CLI11 subcommand (kebab-case name plus the reference's snake_case alias) whose callback opens the
// engine through Shopctl::open_engine() and returns an exit code via Shopctl::exit_code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "shop/clock.h"
#include "shop/engine.h"
#include "shop/result.h"

namespace shopctl {

using json = nlohmann::json;

struct Shopctl {
  std::string db_path = "shop.db";
  bool json_output = false;
  int exit_code = 0;
  // Opens the engine on --db (no workers, no scheduler). Prints the error and returns nullptr
  // on failure (and sets exit_code). must_exist=false creates the file (and its directory).
  std::unique_ptr<shop::Engine> open_engine(bool must_exist = true);
  // Reports an error on stderr and sets a non-zero exit code.
  void fail(const std::string& message, int code = 1);
  void fail(const shop::Error& error) { fail(error.message); }
  // Prints a JSON document on stdout (the --json output of a command).
  void print_json(const json& doc) const;
  // Parses a --now value with shop::timefmt::parse_datetime; absent: the system clock. On a bad
  // value reports it and returns nullopt.
  std::optional<shop::Micros> parse_now(const std::string& text);
};

// Adds a subcommand with a kebab-case name and a snake_case alias (if different).
CLI::App* add_command(CLI::App& app, const std::string& kebab_name, const std::string& help);

// Every command's registration function.
void register_migrate(CLI::App& app, Shopctl& ctl);
void register_create_test_data(CLI::App& app, Shopctl& ctl);
void register_create_load_test_users(CLI::App& app, Shopctl& ctl);
void register_expire_points(CLI::App& app, Shopctl& ctl);
void register_notify_expiring(CLI::App& app, Shopctl& ctl);
void register_cleanup_old_carts(CLI::App& app, Shopctl& ctl);
void register_adjust_points(CLI::App& app, Shopctl& ctl);
void register_set_tier(CLI::App& app, Shopctl& ctl);
void register_stats(CLI::App& app, Shopctl& ctl);
void register_verify(CLI::App& app, Shopctl& ctl);
void register_restock(CLI::App& app, Shopctl& ctl);

}  // namespace shopctl
