// auth/crypto.cpp — see crypto.h.
#include "auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>

namespace shop::crypto {
namespace {

constexpr std::string_view kBase64Chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64UrlChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kAlphanumeric =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

using DecodeTable = std::array<signed char, 256>;

constexpr DecodeTable make_decode_table(std::string_view alphabet) {
  DecodeTable table{};
  for (auto& entry : table) entry = -1;
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  }
  return table;
}

constexpr DecodeTable kBase64Table = make_decode_table(kBase64Chars);
constexpr DecodeTable kBase64UrlTable = make_decode_table(kBase64UrlChars);

void fill_random(unsigned char* out, size_t n) {
  // RAND_bytes takes an int length; feed it in chunks.
  while (n > 0) {
    const int chunk = n > (1u << 20) ? (1 << 20) : static_cast<int>(n);
    if (RAND_bytes(out, chunk) != 1) {
      std::fputs("shop::crypto: OpenSSL RAND_bytes failed; refusing to continue\n", stderr);
      std::abort();
    }
    out += chunk;
    n -= static_cast<size_t>(chunk);
  }
}

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned v = in[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const unsigned v = (in[i] << 16) | (in[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes unpadded base64 data (padding already stripped and validated by the caller).
std::optional<std::string> decode(std::string_view text, const DecodeTable& table) {
  if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot make a byte
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  unsigned acc = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits (2 or 4) must be zero, else two texts would decode to the same bytes.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0) fill_random(reinterpret_cast<unsigned char*>(out.data()), n);
  return out;
}

std::string random_hex(size_t nbytes) {
  return hex(random_bytes(nbytes));
}

std::string random_urlsafe(size_t nchars) {
  return random_string(nchars, kBase64UrlChars);
}

std::string random_string(size_t n, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > 256) return {};
  // Accept only bytes below the largest multiple of the alphabet size, so `% size` is uniform.
  const unsigned size = static_cast<unsigned>(alphabet.size());
  const unsigned limit = 256 - (256 % size);
  std::string out;
  out.reserve(n);
  unsigned char buf[64];
  while (out.size() < n) {
    fill_random(buf, sizeof buf);
    for (const unsigned char b : buf) {
      if (b >= limit) continue;
      out += alphabet[b % size];
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string random_alphanumeric(size_t n) {
  return random_string(n, kAlphanumeric);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kBase64Chars, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 2) return std::nullopt;
  return decode(text.substr(0, text.size() - pad), kBase64Table);
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kBase64UrlChars, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode(text, kBase64UrlTable);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // A null data pointer with length 0 is fine for OpenSSL, but an empty key needs a valid pointer.
  static const char kEmpty = 0;
  // HMAC replaces a key longer than the block size by its digest, so doing that here for keys
  // too long for OpenSSL's int length gives the same MAC.
  std::string hashed_key;
  if (key.size() > static_cast<size_t>(INT_MAX)) {
    hashed_key = sha256(key);
    key = hashed_key;
  }
  const void* key_ptr = key.empty() ? &kEmpty : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &out_len) == nullptr) {
    std::fputs("shop::crypto: OpenSSL HMAC failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &out_len, EVP_sha256(), nullptr) != 1) {
    std::fputs("shop::crypto: OpenSSL EVP_Digest failed\n", stderr);
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shop::crypto
