// Ed25519 signatures (RFC 8032) over OpenSSL 3: the store's checkpoint key.
//
// The private key lives in a file of its own, PEM PKCS#8 ("-----BEGIN
// PRIVATE KEY-----", what `openssl genpkey -algorithm ed25519` writes), mode
// 0600, never in a database or a log line. Public keys travel as their raw
// 32 bytes; a key is named by its key id, the first 16 hex digits of
// SHA-256 of those bytes.
#ifndef STOREAGENT_PLATFORM_SIGNING_H_
#define STOREAGENT_PLATFORM_SIGNING_H_

#include <memory>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::crypto {

inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

// An Ed25519 private key. Thread-safe (signing only reads the key);
// movable, not copyable.
class SigningKey {
 public:
  // A new random key.
  static SigningKey Generate();
  // The key in `pem` (PKCS#8). INVALID_ARGUMENT when it is not an Ed25519
  // private key; the message never quotes the text.
  static Result<SigningKey> FromPem(std::string_view pem);

  // Loads the key at `path`, or, when the file does not exist, generates
  // one and writes it there (0600, crash-atomically; the directory must
  // exist). `created`, when set, says which. FAILED_PRECONDITION when the
  // file is readable or writable by group or others (the message says how
  // to fix the mode), or is not a regular file; INVALID_ARGUMENT when it
  // holds no Ed25519 private key.
  static Result<SigningKey> LoadOrCreate(const std::string& path,
                                         bool* created = nullptr);
  // The key at `path`, read only (for its public half: `journal verify`,
  // `journal key`). Errors name the path; no check of the file's mode.
  static Result<SigningKey> Load(const std::string& path);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  // PKCS#8 PEM of the private key (for the file only).
  std::string ToPem() const;
  // The raw 32-byte public key and its key id.
  const std::string& public_key() const { return public_key_; }
  const std::string& key_id() const { return key_id_; }
  // The 64-byte signature of `message`.
  std::string Sign(std::string_view message) const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string public_key_;
  std::string key_id_;
};

// True when `signature` is `public_key`'s Ed25519 signature of `message`.
// False for a key or signature of the wrong length, never an error.
bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature);

// The first 16 hex digits of SHA-256(public_key).
std::string KeyId(std::string_view public_key);

}  // namespace storeagent::crypto

#endif  // STOREAGENT_PLATFORM_SIGNING_H_
