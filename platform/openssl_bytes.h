// What platform/crypto.cc and platform/seal.cc both need to hand bytes to
// OpenSSL: its unsigned-char view of a string, and the largest piece a call
// taking an int length is given at once. Internal to platform/.
#ifndef STOREAGENT_PLATFORM_OPENSSL_BYTES_H_
#define STOREAGENT_PLATFORM_OPENSSL_BYTES_H_

#include <cstddef>
#include <string_view>

namespace storeagent::crypto {

// Largest piece handed to an OpenSSL call that takes an int length.
inline constexpr size_t kMaxChunk = 1 << 30;

inline const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace storeagent::crypto

#endif  // STOREAGENT_PLATFORM_OPENSSL_BYTES_H_
