// shopctl verify — checks every invariant of DESIGN.md §5; prints each violation with its ids and
// exits 1 if there is any, else one "ok" line. Pending orders are warnings (normal while shopd
// runs) unless --strict.
#include <cstdio>

#include "commands/command.h"
#include "shop/admin.h"

namespace shopctl {

namespace {
json to_json(const std::vector<shop::Violation>& vs) {
  json out = json::array();
  for (const auto& v : vs) {
    out.push_back({{"check", v.check}, {"message", v.message}, {"ids", v.ids}});
  }
  return out;
}
}  // namespace

void register_verify(CLI::App& app, Shopctl& ctl) {
  auto o = std::make_shared<shop::VerifyOptions>();
  auto* cmd = add_command(app, "verify", "Check every invariant (ledger, stock, orders)");
  cmd->add_flag("--strict", o->strict,
                "Pending orders are violations (use when no shopd is running / the queue drained)");
  cmd->callback([&ctl, o] {
    auto engine = ctl.open_engine();
    if (!engine) return;
    auto r = engine->admin().verify(*o);
    if (!r) return ctl.fail(r.error());
    if (ctl.json_output) {
      ctl.print_json({{"ok", r->ok()},
                      {"checked",
                       {{"users", r->users},
                        {"products", r->products},
                        {"orders", r->orders},
                        {"entries", r->entries}}},
                      {"violations", to_json(r->violations)},
                      {"warnings", to_json(r->warnings)}});
    } else {
      for (const auto& w : r->warnings) {
        std::printf("warning: [%s] %s\n", w.check.c_str(), w.message.c_str());
      }
      for (const auto& v : r->violations) {
        std::printf("VIOLATION: [%s] %s\n", v.check.c_str(), v.message.c_str());
      }
      auto ll = [](std::int64_t v) { return static_cast<long long>(v); };
      if (r->ok()) {
        std::printf("ok: %lld users, %lld products, %lld orders, %lld entries checked\n",
                    ll(r->users), ll(r->products), ll(r->orders), ll(r->entries));
      } else {
        std::printf(
            "FAILED: %zu violation(s) in %lld users, %lld products, %lld orders, "
            "%lld entries\n",
            r->violations.size(), ll(r->users), ll(r->products), ll(r->orders), ll(r->entries));
      }
    }
    if (!r->ok()) ctl.exit_code = 1;
  });
}

}  // namespace shopctl
