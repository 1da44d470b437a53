#include "platform/signing.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "platform/crypto.h"
#include "platform/fs.h"
#include "platform/openssl_bytes.h"

namespace storeagent::crypto {
namespace {

// Names unique to this file: the platform library is a unity build, and
// seal.cc has its own.
struct SigningFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using SigningPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, SigningFree>;
using SigningMdCtx = std::unique_ptr<EVP_MD_CTX, SigningFree>;
using SigningBio = std::unique_ptr<BIO, SigningFree>;

// A key file holds a few hundred bytes; anything larger is not one.
constexpr size_t kMaxKeyFileBytes = 16 * 1024;

[[noreturn]] void SigningDie(const char* what) {
  std::fprintf(stderr, "storeagent: OpenSSL failed in %s\n", what);
  std::abort();
}

std::string RawPublicKey(EVP_PKEY* key) {
  std::string out(kEd25519PublicKeyBytes, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(
          key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != kEd25519PublicKeyBytes) {
    SigningDie("EVP_PKEY_get_raw_public_key");
  }
  return out;
}

}  // namespace

struct SigningKey::Impl {
  explicit Impl(EVP_PKEY* k) : key(k) {}
  ~Impl() { EVP_PKEY_free(key); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  EVP_PKEY* key;
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  public_key_ = RawPublicKey(impl_->key);
  key_id_ = KeyId(public_key_);
}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::Generate() {
  SigningPkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    SigningDie("Ed25519 keygen");
  }
  return SigningKey(std::make_unique<Impl>(raw));
}

Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
  SigningBio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) SigningDie("BIO_new_mem_buf");
  auto impl = std::make_unique<Impl>(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (impl->key == nullptr || EVP_PKEY_get_id(impl->key) != EVP_PKEY_ED25519) {
    return InvalidArgument(
        "not a PEM PKCS#8 Ed25519 private key (write one with `openssl "
        "genpkey -algorithm ed25519`)");
  }
  return SigningKey(std::move(impl));
}

Result<SigningKey> SigningKey::LoadOrCreate(const std::string& path,
                                            bool* created) {
  if (created != nullptr) *created = false;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return fs::ErrnoStatus(errno, "stat", path);
    SigningKey key = Generate();
    STOREAGENT_RETURN_IF_ERROR(fs::WriteFileDurably(path, key.ToPem(), 0600));
    if (created != nullptr) *created = true;
    return key;
  }
  if (!S_ISREG(st.st_mode)) {
    return FailedPrecondition("signing key " + path + ": not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return FailedPrecondition("signing key " + path + ": mode " + mode +
                              " lets group or others read or write it; "
                              "`chmod 600 " +
                              path + "` (and check who read it)");
  }
  return Load(path);
}

Result<SigningKey> SigningKey::Load(const std::string& path) {
  Result<std::string> pem = fs::ReadFile(path, kMaxKeyFileBytes);
  if (!pem.ok()) {
    return Status(pem.status().code(),
                  "signing key " + path + ": " + pem.status().message());
  }
  Result<SigningKey> key = FromPem(*pem);
  if (!key.ok()) {
    return InvalidArgument("signing key " + path + ": " +
                           key.status().message());
  }
  return key;
}

std::string SigningKey::ToPem() const {
  SigningBio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->key, nullptr, nullptr,
                                       0, nullptr, nullptr) != 1) {
    SigningDie("PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string SigningKey::Sign(std::string_view message) const {
  SigningMdCtx ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key) !=
          1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &len, Bytes(message), message.size()) != 1 ||
      len != kEd25519SignatureBytes) {
    SigningDie("Ed25519 sign");
  }
  return sig;
}

bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes ||
      signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  std::unique_ptr<EVP_PKEY, SigningFree> key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  if (!key) return false;
  SigningMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr,
                                   key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                          Bytes(message), message.size()) == 1;
}

std::string KeyId(std::string_view public_key) {
  const Digest d = Sha256(public_key);
  return ToHex(std::string_view(reinterpret_cast<const char*>(d.data()), 8));
}

}  // namespace storeagent::crypto
