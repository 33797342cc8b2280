// command.h — how shopctl commands plug in. Each command lives in its own file and registers a
// CLI11 subcommand (kebab-case name plus the reference's snake_case alias) whose callback opens the
// engine through Shopctl::open_engine() and returns an exit code via Shopctl::exit_code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "shop/engine.h"

namespace shopctl {

struct Shopctl {
  std::string db_path = "shop.db";
  bool json_output = false;
  int exit_code = 0;
  // Opens the engine on --db (no workers, no scheduler). Prints the error and returns nullptr
  // on failure (and sets exit_code).
  std::unique_ptr<shop::Engine> open_engine(bool must_exist = true);
  // Reports an engine error on stderr and sets a non-zero exit code.
  void fail(const std::string& message, int code = 1);
};

// Adds a subcommand with a kebab-case name and a snake_case alias (if different).
CLI::App* add_command(CLI::App& app, const std::string& kebab_name, const std::string& help);

// Every command's registration function.
void register_migrate(CLI::App& app, Shopctl& ctl);

}  // namespace shopctl
