#include "platform/signing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "platform/fs.h"
#include "tests/support/temp_dir.h"

namespace storeagent::crypto {
namespace {

TEST(Signing, SignsAndVerifies) {
  SigningKey key = SigningKey::Generate();
  ASSERT_EQ(key.public_key().size(), kEd25519PublicKeyBytes);
  EXPECT_EQ(key.key_id().size(), 16u);
  EXPECT_EQ(key.key_id(), KeyId(key.public_key()));
  const std::string sig = key.Sign("seq 10 hash abc");
  ASSERT_EQ(sig.size(), kEd25519SignatureBytes);
  EXPECT_TRUE(VerifyEd25519(key.public_key(), "seq 10 hash abc", sig));
  // Ed25519 is deterministic: the same message signs the same.
  EXPECT_EQ(key.Sign("seq 10 hash abc"), sig);
}

TEST(Signing, RefusesAnotherMessageKeyOrSignature) {
  SigningKey key = SigningKey::Generate();
  SigningKey other = SigningKey::Generate();
  const std::string sig = key.Sign("message");
  EXPECT_FALSE(VerifyEd25519(key.public_key(), "messagE", sig));
  EXPECT_FALSE(VerifyEd25519(other.public_key(), "message", sig));
  std::string flipped = sig;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(VerifyEd25519(key.public_key(), "message", flipped));
  EXPECT_FALSE(VerifyEd25519(key.public_key(), "message", sig.substr(1)));
  EXPECT_FALSE(VerifyEd25519(key.public_key().substr(1), "message", sig));
  EXPECT_FALSE(VerifyEd25519("", "message", sig));
}

TEST(Signing, PemRoundTripKeepsTheKey) {
  SigningKey key = SigningKey::Generate();
  const std::string pem = key.ToPem();
  EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  Result<SigningKey> back = SigningKey::FromPem(pem);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->public_key(), key.public_key());
  EXPECT_TRUE(VerifyEd25519(key.public_key(), "m", back->Sign("m")));
}

TEST(Signing, FromPemRefusesWhatIsNotAnEd25519Key) {
  Result<SigningKey> junk = SigningKey::FromPem("not a key");
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(junk.status().message().find("not a key"), std::string::npos)
      << "the text is never quoted";
}

TEST(Signing, LoadOrCreateCreatesA0600FileAndLoadsItAgain) {
  testing::TempDir dir;
  const std::string path = dir.File("signing.key");
  bool created = false;
  Result<SigningKey> first = SigningKey::LoadOrCreate(path, &created);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(created);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<SigningKey> again = SigningKey::LoadOrCreate(path, &created);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(created);
  EXPECT_EQ(again->public_key(), first->public_key());
}

TEST(Signing, LoadOrCreateRefusesAKeyOthersMayRead) {
  testing::TempDir dir;
  const std::string path = dir.File("signing.key");
  ASSERT_TRUE(SigningKey::LoadOrCreate(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  Result<SigningKey> key = SigningKey::LoadOrCreate(path);
  EXPECT_EQ(key.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(key.status().message().find("mode 0640"), std::string::npos)
      << key.status().message();
  EXPECT_NE(key.status().message().find("chmod 600"), std::string::npos);
}

TEST(Signing, LoadOrCreateRefusesAFileThatHoldsNoKey) {
  testing::TempDir dir;
  const std::string path = dir.File("signing.key");
  ASSERT_TRUE(fs::WriteFileDurably(path, "garbage\n", 0600).ok());
  Result<SigningKey> key = SigningKey::LoadOrCreate(path);
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(key.status().message().find(path), std::string::npos);
  // Nothing was overwritten.
  Result<std::string> still = fs::ReadFile(path);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(*still, "garbage\n");
}

}  // namespace
}  // namespace storeagent::crypto
