// Crypto primitives: SHA-256, HMAC-SHA256, hex, constant-time compare and
// random bytes, all on OpenSSL 3.
//
// The journal chains records with hash = SHA-256(prev_hash || canonical_bytes)
// (Sha256Concat) and signs batches with HMAC-SHA256. Byte strings travel as
// std::string / std::string_view holding raw bytes, not text.
//
// Every function here is thread-safe (OpenSSL 3 needs no locking set-up) and
// none throws. The digest functions cannot fail on valid input; if OpenSSL
// itself fails (out of memory, broken provider) they print a one-line reason
// to stderr and abort rather than return a wrong hash.
#ifndef STOREAGENT_PLATFORM_CRYPTO_H_
#define STOREAGENT_PLATFORM_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::crypto {

inline constexpr size_t kSha256Bytes = 32;
using Digest = std::array<uint8_t, kSha256Bytes>;

// SHA-256 of `data`.
Digest Sha256(std::string_view data);

// SHA-256(a || b), computed without building the concatenation. Used for the
// journal chain: hash = SHA-256(prev_hash || canonical_bytes).
Digest Sha256Concat(std::string_view a, std::string_view b);

// HMAC-SHA256 (RFC 2104) of `data` under `key`. Any key length is accepted;
// keys longer than 64 bytes are hashed first, as the RFC says.
Digest HmacSha256(std::string_view key, std::string_view data);

// A view of the 32 bytes of `d`. The view lives as long as `d`.
std::string_view AsBytes(const Digest& d);

// Lower-case hex of `bytes`, two characters per byte.
std::string ToHex(std::string_view bytes);

// Bytes from hex. Accepts upper and lower case; no prefix, no spaces.
// INVALID_ARGUMENT for an odd length or a non-hex character; the message
// names the position (0-based character offset), never the input itself.
Result<std::string> FromHex(std::string_view hex);

// True when a and b hold the same bytes. Time depends only on the lengths,
// not on where the bytes differ, so it is safe for comparing MACs and tokens.
// Different lengths compare unequal at once (lengths are not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `n` bytes from OpenSSL's CSPRNG (RAND_bytes). Aborts only if the RNG is
// broken (cannot seed); never returns weak bytes.
std::string RandomBytes(size_t n);

// `n` random bytes written as 2n letters a..p (one per 4 bits): an id with
// no digits, so no run of it can ever look like a card number to the
// agent's checks (hex can, about 1 id in 50 at 32 digits).
std::string RandomLetters(size_t n);

}  // namespace storeagent::crypto

#endif  // STOREAGENT_PLATFORM_CRYPTO_H_
