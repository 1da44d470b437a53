// Seal: hybrid public-key encryption so a store can seal data that only head
// office can open. The store holds head office's X25519 public key; head
// office holds the private key.
//
// Scheme ("storeagent seal v1"):
//   eph = fresh X25519 key pair, used once
//   shared = X25519(eph_priv, recipient_pub)
//   key(32) || nonce(12) = HKDF-SHA256(ikm = shared,
//                                      salt = eph_pub || recipient_pub,
//                                      info = "storeagent seal v1")
//   ct || tag(16) = AES-256-GCM(key, nonce, plaintext, aad)
// Wire format: 0x01 || eph_pub(32) || ct || tag(16); 49 bytes of overhead.
//
// The aad is authenticated but not stored: Unseal must be given the same aad
// (e.g. the store id and file name) or it fails. Seal gives confidentiality
// and integrity towards the recipient, not sender authentication: anyone with
// the public key can seal.
//
// All functions are thread-safe and never throw. Key material never appears
// in error messages; intermediate secrets are wiped before return.
#ifndef STOREAGENT_PLATFORM_SEAL_H_
#define STOREAGENT_PLATFORM_SEAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::crypto {

inline constexpr size_t kX25519KeyBytes = 32;
inline constexpr uint8_t kSealVersion = 0x01;
inline constexpr size_t kSealTagBytes = 16;
// Bytes Seal adds to the plaintext: version + ephemeral key + GCM tag.
inline constexpr size_t kSealOverheadBytes =
    1 + kX25519KeyBytes + kSealTagBytes;
// Largest PEM text the parsers accept; an X25519 key PEM is about 120 bytes.
inline constexpr size_t kMaxPemBytes = 64 * 1024;

// Raw 32-byte keys, as RFC 7748 lays them out.
struct X25519KeyPair {
  std::string private_key;
  std::string public_key;
};

// A fresh key pair from OpenSSL's CSPRNG. INTERNAL only if OpenSSL fails.
Result<X25519KeyPair> GenerateX25519KeyPair();

// The public key that belongs to a raw 32-byte private key.
// INVALID_ARGUMENT if private_key is not 32 bytes.
Result<std::string> X25519PublicKeyFromPrivate(std::string_view private_key);

// Raw 32-byte key from PEM as written by `openssl pkey -pubout`
// ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo). INVALID_ARGUMENT
// when the text is not PEM, is longer than kMaxPemBytes, or holds a key of
// another algorithm (the message says which).
Result<std::string> X25519PublicKeyFromPem(std::string_view pem);

// Raw 32-byte key from PEM as written by `openssl genpkey -algorithm X25519`
// ("-----BEGIN PRIVATE KEY-----", unencrypted PKCS#8). Encrypted keys are
// refused (no passphrase prompt). Errors as for X25519PublicKeyFromPem.
Result<std::string> X25519PrivateKeyFromPem(std::string_view pem);

// Seals `plaintext` for the holder of the private key matching
// `recipient_public_key` (raw 32 bytes), binding `aad`. Two seals of the same
// input differ (fresh ephemeral key). INVALID_ARGUMENT for a key of the wrong
// length or a low-order (all-zero shared secret) public key.
Result<std::string> Seal(std::string_view recipient_public_key,
                         std::string_view plaintext, std::string_view aad);

// Opens a blob made by Seal. INVALID_ARGUMENT if the key is not 32 bytes, the
// blob is shorter than kSealOverheadBytes or has an unknown version byte.
// DATA_LOSS if the blob was altered, or the private key or aad is wrong
// (these cannot be told apart); no plaintext is returned then.
Result<std::string> Unseal(std::string_view recipient_private_key,
                           std::string_view sealed, std::string_view aad);

namespace internal {
// Seal with a caller-chosen ephemeral private key, so tests can check the
// wire format against fixed vectors. Never use outside tests: reusing an
// ephemeral key for two messages to the same recipient reuses key and nonce.
Result<std::string> SealWithEphemeralKey(std::string_view recipient_public_key,
                                         std::string_view ephemeral_private_key,
                                         std::string_view plaintext,
                                         std::string_view aad);
}  // namespace internal

}  // namespace storeagent::crypto

#endif  // STOREAGENT_PLATFORM_SEAL_H_
