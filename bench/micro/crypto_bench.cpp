// crypto_bench — nanoseconds per operation for the auth primitives on the request path: signing
// and verifying a JWT (every authenticated request verifies one) and checking a password (every
// login), at the test-only cost of 1000 iterations and at the default cost.
//
// Usage: crypto_bench            (single-threaded; takes about 3 s)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "auth/crypto.h"
#include "auth/jwt.h"
#include "auth/password.h"

namespace {

using Clock = std::chrono::steady_clock;

// Keeps results observable so the optimizer cannot drop the measured calls.
volatile std::size_t g_sink = 0;

// Runs `op` at least `min_ops` times and for at least `min_seconds`, then prints ns/op.
template <typename Op>
void measure(const char* name, long min_ops, double min_seconds, Op op) {
  op();  // warm-up: first-call costs (OpenSSL provider fetches, allocations) are not steady state
  long ops = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    op();
    ++ops;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (ops < min_ops || elapsed < min_seconds);
  const double ns_per_op = elapsed * 1e9 / static_cast<double>(ops);
  std::printf("%-36s %14.0f ns/op %12.0f ops/s  (%ld ops)\n", name, ns_per_op, 1e9 / ns_per_op,
              ops);
}

}  // namespace

int main() {
  const std::string secret = "django-insecure-benchmark-secret-key-0123456789abcdef";
  const std::int64_t now = 1'700'000'000;
  const shop::jwt::Claims claims =
      shop::jwt::make_claims(shop::jwt::TokenType::kAccess, 12345, now, 1800);
  const std::string token = shop::jwt::sign(claims, secret);

  measure("crypto::hmac_sha256 (200 B)", 1000, 0.3, [&] {
    g_sink = g_sink + shop::crypto::hmac_sha256(secret, token.substr(0, 200)).size();
  });
  measure("jwt::sign", 1000, 0.5,
          [&] { g_sink = g_sink + shop::jwt::sign(claims, secret).size(); });
  measure("jwt::verify (valid)", 1000, 0.5, [&] {
    const auto result = shop::jwt::verify(token, secret, now + 60, shop::jwt::TokenType::kAccess);
    g_sink = g_sink + static_cast<std::size_t>(result.is_ok());
  });
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  measure("jwt::verify (bad signature)", 1000, 0.3, [&] {
    const auto result = shop::jwt::verify(forged, secret, now + 60, shop::jwt::TokenType::kAccess);
    g_sink = g_sink + static_cast<std::size_t>(result.is_ok());
  });

  const std::string cheap = shop::password::hash("testpass123", 1000);
  measure("password::verify (1000 iterations)", 20, 0.5, [&] {
    g_sink = g_sink + static_cast<std::size_t>(shop::password::verify("testpass123", cheap));
  });
  const std::string full = shop::password::hash("testpass123", shop::password::kDefaultIterations);
  measure("password::verify (600000 iterations)", 5, 0.0, [&] {
    g_sink = g_sink + static_cast<std::size_t>(shop::password::verify("testpass123", full));
  });
  return g_sink == 0 ? 1 : 0;  // every verify above succeeds, so the sink is non-zero
}
