// shopctl — operator commands over the shop database (safe beside a running shopd: WAL + the
// engine's serialized writes; another process's writer is waited for with a busy timeout).
#include <cstdio>
#include <filesystem>

#include "commands/command.h"
#include "shop/timefmt.h"

namespace shopctl {

std::unique_ptr<shop::Engine> Shopctl::open_engine(bool must_exist) {
  namespace fs = std::filesystem;
  if (db_path.empty()) {
    fail("--db must name a database file");
    return nullptr;
  }
  std::error_code ec;
  if (must_exist && !fs::exists(db_path, ec)) {
    fail("database '" + db_path + "' does not exist (create it with `shopctl --db " + db_path +
         " migrate` or one of the create-* commands)");
    return nullptr;
  }
  if (fs::is_directory(db_path, ec)) {
    fail("'" + db_path + "' is a directory, not a database file");
    return nullptr;
  }
  if (!must_exist) {
    if (auto dir = fs::path(db_path).parent_path(); !dir.empty() && !fs::exists(dir, ec)) {
      fs::create_directories(dir, ec);
      if (ec) {
        fail("cannot create directory '" + dir.string() + "': " + ec.message());
        return nullptr;
      }
    }
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

void Shopctl::print_json(const json& doc) const {
  std::printf("%s\n", doc.dump(2).c_str());
}

std::optional<shop::Micros> Shopctl::parse_now(const std::string& text) {
  if (text.empty()) return shop::SystemClock::instance().now();
  auto t = shop::timefmt::parse_datetime(text);
  if (!t) {
    fail("--now: cannot parse '" + text +
         "' (use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][+HH:MM|Z] or @unix-seconds)");
  }
  return t;
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
  shopctl::register_create_test_data(app, ctl);
  shopctl::register_create_load_test_users(app, ctl);
  shopctl::register_expire_points(app, ctl);
  shopctl::register_notify_expiring(app, ctl);
  shopctl::register_cleanup_old_carts(app, ctl);
  shopctl::register_adjust_points(app, ctl);
  shopctl::register_set_tier(app, ctl);
  shopctl::register_stats(app, ctl);
  shopctl::register_verify(app, ctl);
  shopctl::register_restock(app, ctl);
  CLI11_PARSE(app, argc, argv);
  return ctl.exit_code;
}
