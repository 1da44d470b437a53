#include "platform/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "platform/openssl_bytes.h"

namespace storeagent::crypto {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "storeagent: fatal: OpenSSL %s failed\n", what);
  std::abort();
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Runs SHA-256 over each part in turn.
template <size_t N>
Digest Sha256Parts(const std::array<std::string_view, N>& parts) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) Die("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    Die("EVP_DigestInit_ex(SHA-256)");
  }
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      Die("EVP_DigestUpdate");
    }
  }
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 ||
      len != kSha256Bytes) {
    Die("EVP_DigestFinal_ex");
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Digest Sha256(std::string_view data) {
  return Sha256Parts(std::array<std::string_view, 1>{data});
}

Digest Sha256Concat(std::string_view a, std::string_view b) {
  return Sha256Parts(std::array<std::string_view, 2>{a, b});
}

Digest HmacSha256(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<size_t>(INT_MAX)) Die("HMAC key too long");
  Digest out;
  unsigned int len = 0;
  // HMAC() needs a non-null key pointer even when the key is empty.
  static constexpr unsigned char kEmpty = 0;
  const unsigned char* key_ptr = key.empty() ? &kEmpty : Bytes(key);
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), Bytes(data),
           data.size(), out.data(), &len) == nullptr ||
      len != kSha256Bytes) {
    Die("HMAC(SHA-256)");
  }
  return out;
}

std::string_view AsBytes(const Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return InvalidArgument("hex: odd length " + std::to_string(hex.size()) +
                           "; expected two characters per byte");
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t bad = hi < 0 ? i : i + 1;
      return InvalidArgument("hex: character at position " +
                             std::to_string(bad) + " is not a hex digit");
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomLetters(size_t n) {
  static constexpr char kLetters[] = "abcdefghijklmnop";
  std::string out;
  out.reserve(2 * n);
  for (unsigned char b : RandomBytes(n)) {
    out += kLetters[b >> 4];
    out += kLetters[b & 0xF];
  }
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    const size_t chunk = std::min(n - done, kMaxChunk);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done),
                   static_cast<int>(chunk)) != 1) {
      Die("RAND_bytes");
    }
    done += chunk;
  }
  return out;
}

}  // namespace storeagent::crypto
