#include "platform/seal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "platform/crypto.h"

namespace storeagent::crypto {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// RFC 7748 section 6.1 key pairs.
constexpr char kAlicePrivHex[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr char kAlicePubHex[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr char kBobPrivHex[] =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr char kBobPubHex[] =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";

// Seal of kGoldenPlaintext/kGoldenAad to Bob with Alice's key as the
// ephemeral key, computed independently with Python `cryptography` 48
// (X25519 exchange, HKDF(SHA256, 44, salt=eph_pub||bob_pub,
// info="storeagent seal v1"), AESGCM). Pins the v1 wire format.
constexpr char kGoldenPlaintext[] = "store 0042 end-of-day totals";
constexpr char kGoldenAad[] = "store-0042/2024-01-01.journal";
constexpr char kGoldenSealedHex[] =
    "018520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a4634"
    "4918ec4fe3718c26852b30ce8e379a55da8571b0b416eb1a557fc074c705859da7ec0b"
    "e2fc440e795b9c";

std::string Unhex(std::string_view hex) {
  Result<std::string> r = FromHex(hex);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

X25519KeyPair NewPair() {
  Result<X25519KeyPair> r = GenerateX25519KeyPair();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : X25519KeyPair{};
}

// --- OpenSSL helpers that build PEM text the way the openssl CLI does. ---
struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Free>;
using Bio = std::unique_ptr<BIO, Free>;

Pkey OpenSslKey(const char* type) {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, type));
  EXPECT_NE(key, nullptr) << type;
  return key;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string PublicPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio.get(), key), 1);
  return BioText(bio.get());
}

std::string PrivatePem(EVP_PKEY* key, const char* passphrase = nullptr) {
  Bio bio(BIO_new(BIO_s_mem()));
  std::string pass = passphrase == nullptr ? "" : passphrase;
  EXPECT_EQ(
      PEM_write_bio_PrivateKey(
          bio.get(), key, passphrase == nullptr ? nullptr : EVP_aes_256_cbc(),
          reinterpret_cast<unsigned char*>(pass.data()),
          static_cast<int>(pass.size()), nullptr, nullptr),
      1);
  return BioText(bio.get());
}

std::string RawOf(EVP_PKEY* key, bool is_private) {
  std::string out(kX25519KeyBytes, '\0');
  size_t len = out.size();
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  EXPECT_EQ(is_private ? EVP_PKEY_get_raw_private_key(key, buf, &len)
                       : EVP_PKEY_get_raw_public_key(key, buf, &len),
            1);
  return out;
}

// --- Keys ---

TEST(X25519KeysTest, GeneratedPairIsConsistentAndFresh) {
  const X25519KeyPair a = NewPair();
  const X25519KeyPair b = NewPair();
  EXPECT_EQ(a.private_key.size(), kX25519KeyBytes);
  EXPECT_EQ(a.public_key.size(), kX25519KeyBytes);
  EXPECT_NE(a.private_key, b.private_key);
  EXPECT_NE(a.public_key, b.public_key);
  Result<std::string> pub = X25519PublicKeyFromPrivate(a.private_key);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(*pub, a.public_key);
}

TEST(X25519KeysTest, PublicFromPrivateMatchesRfc7748) {
  Result<std::string> alice = X25519PublicKeyFromPrivate(Unhex(kAlicePrivHex));
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  EXPECT_EQ(ToHex(*alice), kAlicePubHex);
  Result<std::string> bob = X25519PublicKeyFromPrivate(Unhex(kBobPrivHex));
  ASSERT_TRUE(bob.ok()) << bob.status().ToString();
  EXPECT_EQ(ToHex(*bob), kBobPubHex);
}

TEST(X25519KeysTest, PublicFromPrivateRefusesWrongLength) {
  Result<std::string> r = X25519PublicKeyFromPrivate(std::string(31, 'k'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("32 bytes"));
}

// --- Seal / Unseal ---

TEST(SealTest, MatchesIndependentGoldenVector) {
  Result<std::string> sealed = internal::SealWithEphemeralKey(
      Unhex(kBobPubHex), Unhex(kAlicePrivHex), kGoldenPlaintext, kGoldenAad);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(ToHex(*sealed), kGoldenSealedHex);
}

TEST(SealTest, UnsealsIndependentGoldenVector) {
  Result<std::string> opened =
      Unseal(Unhex(kBobPrivHex), Unhex(kGoldenSealedHex), kGoldenAad);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, kGoldenPlaintext);
}

TEST(SealTest, RoundTripsManySizes) {
  const X25519KeyPair head_office = NewPair();
  for (size_t size : {0u, 1u, 15u, 16u, 17u, 1000u, 100'000u}) {
    const std::string plaintext = RandomBytes(size);
    Result<std::string> sealed = Seal(head_office.public_key, plaintext, "aad");
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    ASSERT_EQ(sealed->size(), size + kSealOverheadBytes);
    EXPECT_EQ(static_cast<uint8_t>((*sealed)[0]), kSealVersion);
    if (size >= 16) {
      EXPECT_EQ(sealed->find(plaintext), std::string::npos);
    }
    Result<std::string> opened =
        Unseal(head_office.private_key, *sealed, "aad");
    ASSERT_TRUE(opened.ok()) << size << ": " << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(SealTest, EmptyAadRoundTrips) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> sealed = Seal(kp.public_key, "payload", "");
  ASSERT_TRUE(sealed.ok());
  Result<std::string> opened = Unseal(kp.private_key, *sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "payload");
}

TEST(SealTest, TwoSealsOfTheSameInputDiffer) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> a = Seal(kp.public_key, "same", "aad");
  Result<std::string> b = Seal(kp.public_key, "same", "aad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  // The ephemeral keys differ, not just the ciphertext.
  EXPECT_NE(a->substr(1, kX25519KeyBytes), b->substr(1, kX25519KeyBytes));
}

TEST(SealTest, FlippedBitAnywhereFailsToUnseal) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> sealed = Seal(kp.public_key, "twenty bytes of data", "a");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    for (uint8_t mask : {0x01, 0x80}) {
      std::string bad = *sealed;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      Result<std::string> r = Unseal(kp.private_key, bad, "a");
      ASSERT_FALSE(r.ok()) << "byte " << i << " mask " << int{mask};
      EXPECT_THAT(r.status().code(),
                  AnyOf(StatusCode::kDataLoss, StatusCode::kInvalidArgument))
          << "byte " << i;
    }
  }
}

TEST(SealTest, TruncatedOrExtendedBlobFails) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> sealed = Seal(kp.public_key, "payload", "");
  ASSERT_TRUE(sealed.ok());
  for (size_t len = 0; len < sealed->size(); ++len) {
    Result<std::string> r = Unseal(kp.private_key, sealed->substr(0, len), "");
    EXPECT_FALSE(r.ok()) << "length " << len;
  }
  Result<std::string> too_short =
      Unseal(kp.private_key, sealed->substr(0, kSealOverheadBytes - 1), "");
  EXPECT_EQ(too_short.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Unseal(kp.private_key, *sealed + "x", "").ok());
}

TEST(SealTest, UnknownVersionIsRefused) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> sealed = Seal(kp.public_key, "payload", "");
  ASSERT_TRUE(sealed.ok());
  std::string v2 = *sealed;
  v2[0] = 0x02;
  Result<std::string> r = Unseal(kp.private_key, v2, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("version"));
}

TEST(SealTest, WrongPrivateKeyFails) {
  const X25519KeyPair right = NewPair();
  const X25519KeyPair wrong = NewPair();
  Result<std::string> sealed = Seal(right.public_key, "payload", "aad");
  ASSERT_TRUE(sealed.ok());
  Result<std::string> r = Unseal(wrong.private_key, *sealed, "aad");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  // No key material in the message, raw or hex.
  EXPECT_THAT(r.status().message(), Not(HasSubstr(ToHex(wrong.private_key))));
  EXPECT_THAT(r.status().message(), Not(HasSubstr(wrong.private_key)));
}

TEST(SealTest, WrongAadFails) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> sealed = Seal(kp.public_key, "payload", "store-1");
  ASSERT_TRUE(sealed.ok());
  for (const char* aad : {"store-2", "", "store-1 ", "Store-1"}) {
    Result<std::string> r = Unseal(kp.private_key, *sealed, aad);
    ASSERT_FALSE(r.ok()) << "aad '" << aad << "' accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
}

TEST(SealTest, RefusesKeysOfTheWrongLength) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> s = Seal(kp.public_key.substr(0, 31), "p", "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("got 31"));

  Result<std::string> sealed = Seal(kp.public_key, "p", "");
  ASSERT_TRUE(sealed.ok());
  Result<std::string> u = Unseal(kp.private_key + "x", *sealed, "");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
}

TEST(SealTest, RefusesLowOrderRecipientKey) {
  Result<std::string> r = Seal(std::string(kX25519KeyBytes, '\0'), "p", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(SealTest, LowOrderEphemeralKeyInBlobFails) {
  const X25519KeyPair kp = NewPair();
  Result<std::string> sealed = Seal(kp.public_key, "payload", "");
  ASSERT_TRUE(sealed.ok());
  std::string bad = *sealed;
  bad.replace(1, kX25519KeyBytes, std::string(kX25519KeyBytes, '\0'));
  Result<std::string> r = Unseal(kp.private_key, bad, "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

// --- PEM ---

TEST(PemTest, ParsesKeysWrittenByOpenSsl) {
  Pkey key = OpenSslKey("X25519");
  ASSERT_NE(key, nullptr);
  const std::string pub_pem = PublicPem(key.get());
  const std::string priv_pem = PrivatePem(key.get());
  ASSERT_THAT(pub_pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
  ASSERT_THAT(priv_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));

  Result<std::string> pub = X25519PublicKeyFromPem(pub_pem);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(*pub, RawOf(key.get(), /*is_private=*/false));
  Result<std::string> priv = X25519PrivateKeyFromPem(priv_pem);
  ASSERT_TRUE(priv.ok()) << priv.status().ToString();
  EXPECT_EQ(*priv, RawOf(key.get(), /*is_private=*/true));

  Result<std::string> sealed = Seal(*pub, "via pem", "aad");
  ASSERT_TRUE(sealed.ok());
  Result<std::string> opened = Unseal(*priv, *sealed, "aad");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "via pem");
}

TEST(PemTest, RefusesGarbage) {
  for (const std::string& garbage :
       {std::string(""), std::string("hello"),
        std::string("-----BEGIN PUBLIC KEY-----\nnot base64!\n"
                    "-----END PUBLIC KEY-----\n"),
        std::string("-----BEGIN PUBLIC KEY-----\nAAAA\n"
                    "-----END PUBLIC KEY-----\n")}) {
    Result<std::string> pub = X25519PublicKeyFromPem(garbage);
    ASSERT_FALSE(pub.ok()) << garbage;
    EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(pub.status().message(), HasSubstr("public key PEM"));
    Result<std::string> priv = X25519PrivateKeyFromPem(garbage);
    ASSERT_FALSE(priv.ok()) << garbage;
    EXPECT_EQ(priv.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(PemTest, RefusesTruncatedPem) {
  Pkey key = OpenSslKey("X25519");
  ASSERT_NE(key, nullptr);
  const std::string pem = PublicPem(key.get());
  EXPECT_FALSE(X25519PublicKeyFromPem(pem.substr(0, pem.size() / 2)).ok());
}

TEST(PemTest, RefusesPrivateWherePublicIsExpectedAndViceVersa) {
  Pkey key = OpenSslKey("X25519");
  ASSERT_NE(key, nullptr);
  Result<std::string> pub = X25519PublicKeyFromPem(PrivatePem(key.get()));
  ASSERT_FALSE(pub.ok());
  EXPECT_THAT(pub.status().message(), HasSubstr("BEGIN PUBLIC KEY"));
  Result<std::string> priv = X25519PrivateKeyFromPem(PublicPem(key.get()));
  ASSERT_FALSE(priv.ok());
  EXPECT_THAT(priv.status().message(), HasSubstr("BEGIN PRIVATE KEY"));
}

TEST(PemTest, RefusesOtherAlgorithmsAndSaysWhich) {
  Pkey ed = OpenSslKey("ED25519");
  ASSERT_NE(ed, nullptr);
  Result<std::string> pub = X25519PublicKeyFromPem(PublicPem(ed.get()));
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(pub.status().message(), HasSubstr("ED25519"));
  Result<std::string> priv = X25519PrivateKeyFromPem(PrivatePem(ed.get()));
  ASSERT_FALSE(priv.ok());
  EXPECT_THAT(priv.status().message(), HasSubstr("not X25519"));
}

TEST(PemTest, RefusesEncryptedPrivateKeyWithoutPrompting) {
  Pkey key = OpenSslKey("X25519");
  ASSERT_NE(key, nullptr);
  const std::string pem = PrivatePem(key.get(), "passphrase");
  ASSERT_THAT(pem, HasSubstr("ENCRYPTED"));
  Result<std::string> r = X25519PrivateKeyFromPem(pem);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(PemTest, RefusesOversizedInputAndNamesTheLimit) {
  Pkey key = OpenSslKey("X25519");
  ASSERT_NE(key, nullptr);
  const std::string pem = PublicPem(key.get());
  // At the limit (padded with trailing text OpenSSL ignores) is accepted.
  std::string at_limit = pem + std::string(kMaxPemBytes - pem.size(), '\n');
  EXPECT_TRUE(X25519PublicKeyFromPem(at_limit).ok());
  Result<std::string> r = X25519PublicKeyFromPem(at_limit + "\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr(std::to_string(kMaxPemBytes)));
}

}  // namespace
}  // namespace storeagent::crypto
