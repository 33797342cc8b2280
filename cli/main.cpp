// shopctl — operator commands over the shop database (safe beside a running shopd: WAL + the
// engine's serialized writes; another process's writer is waited for with a busy timeout).
#include <cstdio>
#include <filesystem>

#include "commands/command.h"

namespace shopctl {

std::unique_ptr<shop::Engine> Shopctl::open_engine(bool must_exist) {
  if (must_exist && !std::filesystem::exists(db_path)) {
    fail("database '" + db_path + "' does not exist (run `shopctl --db " + db_path + " migrate`)");
    return nullptr;
  }
  shop::EngineOptions o;
  o.db_path = db_path;
  o.order_workers = 0;
  o.run_scheduler = false;
  o.read_connections = 1;
  auto e = shop::Engine::open(o);
  if (!e) {
    fail(e.error().message);
    return nullptr;
  }
  return std::move(*e);
}

void Shopctl::fail(const std::string& message, int code) {
  std::fprintf(stderr, "shopctl: %s\n", message.c_str());
  exit_code = code;
}

CLI::App* add_command(CLI::App& app, const std::string& kebab_name, const std::string& help) {
  CLI::App* cmd = app.add_subcommand(kebab_name, help);
  std::string snake = kebab_name;
  for (char& c : snake) c = c == '-' ? '_' : c;
  if (snake != kebab_name) cmd->alias(snake);
  return cmd;
}

}  // namespace shopctl

int main(int argc, char** argv) {
  CLI::App app{"shopctl - operator commands for a shopd database"};
  shopctl::Shopctl ctl;
  app.add_option("--db", ctl.db_path, "SQLite database file")->envname("SHOP_DB");
  app.add_flag("--json", ctl.json_output, "Machine-readable JSON output");
  app.require_subcommand(1);
  app.fallthrough();  // --db/--json may also follow the command name
  shopctl::register_migrate(app, ctl);
  CLI11_PARSE(app, argc, argv);
  return ctl.exit_code;
}
