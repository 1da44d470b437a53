#include "platform/seal.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "platform/openssl_bytes.h"

namespace storeagent::crypto {
namespace {

constexpr size_t kAesKeyBytes = 32;
constexpr size_t kGcmNonceBytes = 12;
constexpr size_t kOkmBytes = kAesKeyBytes + kGcmNonceBytes;

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter>;
using Kdf = std::unique_ptr<EVP_KDF, Deleter>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter>;
using Bio = std::unique_ptr<BIO, Deleter>;

// A fixed-size secret buffer, wiped when it goes out of scope.
template <size_t N>
struct Secret {
  std::array<unsigned char, N> b{};
  Secret() = default;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() { OPENSSL_cleanse(b.data(), b.size()); }
};

// The reason of the newest queued OpenSSL error (a fixed string such as "no
// start line", never data), and clears this thread's error queue.
std::string TakeOpenSslError() {
  const unsigned long err = ERR_peek_last_error();
  ERR_clear_error();
  const char* reason = err == 0 ? nullptr : ERR_reason_error_string(err);
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

Status OpenSslFailure(const char* what) {
  return Internal(std::string("seal: OpenSSL ") + what +
                  " failed: " + TakeOpenSslError());
}

std::string RawKey(EVP_PKEY* key, bool is_private) {
  std::string out(kX25519KeyBytes, '\0');
  size_t len = out.size();
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  const int ok = is_private ? EVP_PKEY_get_raw_private_key(key, buf, &len)
                            : EVP_PKEY_get_raw_public_key(key, buf, &len);
  if (ok != 1 || len != kX25519KeyBytes) {
    OPENSSL_cleanse(out.data(), out.size());
    out.clear();
  }
  return out;
}

Result<Pkey> PrivateKeyFromRaw(std::string_view raw) {
  if (raw.size() != kX25519KeyBytes) {
    return InvalidArgument("X25519 private key must be 32 bytes, got " +
                           std::to_string(raw.size()));
  }
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, Bytes(raw),
                                        raw.size()));
  if (!key) return OpenSslFailure("EVP_PKEY_new_raw_private_key");
  return key;
}

Result<Pkey> NewX25519Key() {
  PkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return OpenSslFailure("X25519 keygen");
  }
  return Pkey(raw);
}

// X25519(priv, peer) into `shared`. False if OpenSSL refuses, which it does
// when the shared secret is all zero (a low-order peer key).
bool DeriveShared(EVP_PKEY* priv, std::string_view peer_raw,
                  Secret<kX25519KeyBytes>* shared) {
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr,
                                        Bytes(peer_raw), peer_raw.size()));
  if (!peer) return false;
  PkeyCtx ctx(EVP_PKEY_CTX_new(priv, nullptr));
  size_t len = shared->b.size();
  const bool ok = ctx && EVP_PKEY_derive_init(ctx.get()) == 1 &&
                  EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1 &&
                  EVP_PKEY_derive(ctx.get(), shared->b.data(), &len) == 1 &&
                  len == kX25519KeyBytes;
  if (!ok) ERR_clear_error();
  return ok;
}

// key || nonce = HKDF-SHA256(shared, eph_pub || recipient_pub, info).
Status DeriveKeyAndNonce(const Secret<kX25519KeyBytes>& shared,
                         std::string_view eph_pub,
                         std::string_view recipient_pub,
                         Secret<kOkmBytes>* okm) {
  std::array<unsigned char, 2 * kX25519KeyBytes> salt;
  std::copy(eph_pub.begin(), eph_pub.end(), salt.begin());
  std::copy(recipient_pub.begin(), recipient_pub.end(),
            salt.begin() + kX25519KeyBytes);
  char digest[] = "SHA256";
  char info[] = "storeagent seal v1";
  Secret<kX25519KeyBytes> ikm;
  ikm.b = shared.b;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.b.data(),
                                        ikm.b.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
                                        sizeof(info) - 1),
      OSSL_PARAM_construct_end()};
  Kdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpenSslFailure("EVP_KDF_fetch(HKDF)");
  KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx ||
      EVP_KDF_derive(ctx.get(), okm->b.data(), okm->b.size(), params) != 1) {
    return OpenSslFailure("HKDF derive");
  }
  return Status::Ok();
}

// Feeds `in` to the cipher in int-sized pieces; `out` may be null for aad.
bool CipherUpdate(EVP_CIPHER_CTX* ctx, std::string_view in,
                  unsigned char* out) {
  for (size_t done = 0; done < in.size();) {
    const size_t n = std::min(in.size() - done, kMaxChunk);
    int out_len = 0;
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + done, &out_len,
                         Bytes(in.substr(done, n)), static_cast<int>(n)) != 1) {
      return false;
    }
    done += n;
  }
  return true;
}

// AES-256-GCM set up for one direction with the derived key and nonce.
Result<CipherCtx> GcmContext(const Secret<kOkmBytes>& okm, bool encrypt) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr,
                        encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                          static_cast<int>(kGcmNonceBytes), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, okm.b.data(),
                        okm.b.data() + kAesKeyBytes, encrypt ? 1 : 0) != 1) {
    return OpenSslFailure("AES-256-GCM init");
  }
  return ctx;
}

Result<std::string> SealWith(EVP_PKEY* eph, std::string_view recipient_pub,
                             std::string_view plaintext, std::string_view aad) {
  if (recipient_pub.size() != kX25519KeyBytes) {
    return InvalidArgument("seal: recipient public key must be 32 bytes, got " +
                           std::to_string(recipient_pub.size()));
  }
  const std::string eph_pub = RawKey(eph, /*is_private=*/false);
  if (eph_pub.empty()) return OpenSslFailure("EVP_PKEY_get_raw_public_key");
  Secret<kX25519KeyBytes> shared;
  if (!DeriveShared(eph, recipient_pub, &shared)) {
    return InvalidArgument(
        "seal: recipient public key is invalid (low-order point)");
  }
  Secret<kOkmBytes> okm;
  STOREAGENT_RETURN_IF_ERROR(
      DeriveKeyAndNonce(shared, eph_pub, recipient_pub, &okm));
  Result<CipherCtx> ctx = GcmContext(okm, /*encrypt=*/true);
  if (!ctx.ok()) return ctx.status();

  std::string out(kSealOverheadBytes + plaintext.size(), '\0');
  out[0] = static_cast<char>(kSealVersion);
  out.replace(1, kX25519KeyBytes, eph_pub);
  auto* ct = reinterpret_cast<unsigned char*>(out.data()) + 1 + kX25519KeyBytes;
  int final_len = 0;
  if (!CipherUpdate(ctx->get(), aad, nullptr) ||
      !CipherUpdate(ctx->get(), plaintext, ct) ||
      EVP_CipherFinal_ex(ctx->get(), ct + plaintext.size(), &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_GET_TAG,
                          static_cast<int>(kSealTagBytes),
                          ct + plaintext.size()) != 1) {
    return OpenSslFailure("AES-256-GCM encrypt");
  }
  return out;
}

std::string_view PemKind(bool is_private) {
  return is_private ? "PRIVATE KEY" : "PUBLIC KEY";
}

int RefusePassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

Result<std::string> RawKeyFromPem(std::string_view pem, bool is_private) {
  const std::string where =
      is_private ? "X25519 private key PEM" : "X25519 public key PEM";
  if (pem.empty()) return InvalidArgument(where + ": empty");
  if (pem.size() > kMaxPemBytes) {
    return InvalidArgument(where + ": " + std::to_string(pem.size()) +
                           " bytes, over the limit of " +
                           std::to_string(kMaxPemBytes));
  }
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslFailure("BIO_new_mem_buf");
  Pkey key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                                RefusePassphrase, nullptr)
                      : PEM_read_bio_PUBKEY(bio.get(), nullptr,
                                            RefusePassphrase, nullptr));
  if (!key) {
    return InvalidArgument(where + ": no readable '-----BEGIN " +
                           std::string(PemKind(is_private)) + "-----' block (" +
                           TakeOpenSslError() + ")");
  }
  if (EVP_PKEY_is_a(key.get(), "X25519") != 1) {
    const char* type = EVP_PKEY_get0_type_name(key.get());
    return InvalidArgument(where + ": holds a " +
                           std::string(type != nullptr ? type : "unknown") +
                           " key, not X25519");
  }
  std::string raw = RawKey(key.get(), is_private);
  if (raw.empty()) return OpenSslFailure("EVP_PKEY_get_raw_*_key");
  return raw;
}

}  // namespace

Result<X25519KeyPair> GenerateX25519KeyPair() {
  Result<Pkey> key = NewX25519Key();
  if (!key.ok()) return key.status();
  X25519KeyPair pair{RawKey(key->get(), /*is_private=*/true),
                     RawKey(key->get(), /*is_private=*/false)};
  if (pair.private_key.empty() || pair.public_key.empty()) {
    return OpenSslFailure("EVP_PKEY_get_raw_*_key");
  }
  return pair;
}

Result<std::string> X25519PublicKeyFromPrivate(std::string_view private_key) {
  Result<Pkey> key = PrivateKeyFromRaw(private_key);
  if (!key.ok()) return key.status();
  std::string pub = RawKey(key->get(), /*is_private=*/false);
  if (pub.empty()) return OpenSslFailure("EVP_PKEY_get_raw_public_key");
  return pub;
}

Result<std::string> X25519PublicKeyFromPem(std::string_view pem) {
  return RawKeyFromPem(pem, /*is_private=*/false);
}

Result<std::string> X25519PrivateKeyFromPem(std::string_view pem) {
  return RawKeyFromPem(pem, /*is_private=*/true);
}

Result<std::string> Seal(std::string_view recipient_public_key,
                         std::string_view plaintext, std::string_view aad) {
  Result<Pkey> eph = NewX25519Key();
  if (!eph.ok()) return eph.status();
  return SealWith(eph->get(), recipient_public_key, plaintext, aad);
}

Result<std::string> Unseal(std::string_view recipient_private_key,
                           std::string_view sealed, std::string_view aad) {
  Result<Pkey> priv = PrivateKeyFromRaw(recipient_private_key);
  if (!priv.ok()) return priv.status();
  if (sealed.size() < kSealOverheadBytes) {
    return InvalidArgument("unseal: blob is " + std::to_string(sealed.size()) +
                           " bytes, shorter than the " +
                           std::to_string(kSealOverheadBytes) +
                           "-byte minimum");
  }
  if (static_cast<uint8_t>(sealed[0]) != kSealVersion) {
    return InvalidArgument(
        "unseal: unknown version byte " +
        std::to_string(static_cast<unsigned>(static_cast<uint8_t>(sealed[0]))) +
        "; expected 1");
  }
  const std::string_view eph_pub = sealed.substr(1, kX25519KeyBytes);
  const std::string_view ct =
      sealed.substr(1 + kX25519KeyBytes, sealed.size() - kSealOverheadBytes);
  std::array<unsigned char, kSealTagBytes> tag;
  const std::string_view tag_bytes =
      sealed.substr(sealed.size() - kSealTagBytes);
  std::copy(tag_bytes.begin(), tag_bytes.end(), tag.begin());

  const std::string recipient_pub = RawKey(priv->get(), /*is_private=*/false);
  if (recipient_pub.empty())
    return OpenSslFailure("EVP_PKEY_get_raw_public_key");
  Secret<kX25519KeyBytes> shared;
  if (!DeriveShared(priv->get(), eph_pub, &shared)) {
    return DataLoss("unseal: ephemeral public key in the blob is invalid");
  }
  Secret<kOkmBytes> okm;
  STOREAGENT_RETURN_IF_ERROR(
      DeriveKeyAndNonce(shared, eph_pub, recipient_pub, &okm));
  Result<CipherCtx> ctx = GcmContext(okm, /*encrypt=*/false);
  if (!ctx.ok()) return ctx.status();

  std::string out(ct.size(), '\0');
  auto* pt = reinterpret_cast<unsigned char*>(out.data());
  int final_len = 0;
  if (!CipherUpdate(ctx->get(), aad, nullptr) ||
      !CipherUpdate(ctx->get(), ct, pt) ||
      EVP_CIPHER_CTX_ctrl(ctx->get(), EVP_CTRL_GCM_SET_TAG,
                          static_cast<int>(kSealTagBytes), tag.data()) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return OpenSslFailure("AES-256-GCM decrypt");
  }
  if (EVP_CipherFinal_ex(ctx->get(), pt + ct.size(), &final_len) != 1) {
    ERR_clear_error();
    OPENSSL_cleanse(out.data(), out.size());
    return DataLoss(
        "unseal: authentication failed (blob altered, wrong private key or "
        "wrong aad)");
  }
  return out;
}

namespace internal {

Result<std::string> SealWithEphemeralKey(std::string_view recipient_public_key,
                                         std::string_view ephemeral_private_key,
                                         std::string_view plaintext,
                                         std::string_view aad) {
  Result<Pkey> eph = PrivateKeyFromRaw(ephemeral_private_key);
  if (!eph.ok()) return eph.status();
  return SealWith(eph->get(), recipient_public_key, plaintext, aad);
}

}  // namespace internal
}  // namespace storeagent::crypto
