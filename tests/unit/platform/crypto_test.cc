#include "platform/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace storeagent::crypto {
namespace {

using ::testing::HasSubstr;

std::string HexOf(const Digest& d) { return ToHex(AsBytes(d)); }

// FIPS 180-2 appendix B / NIST CSRC examples.
TEST(Sha256Test, NistAbc) {
  EXPECT_EQ(HexOf(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, Empty) {
  EXPECT_EQ(HexOf(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, NistTwoBlockMessage) {
  EXPECT_EQ(
      HexOf(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, NistMillionA) {
  EXPECT_EQ(HexOf(Sha256(std::string(1'000'000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, HandlesEmbeddedNulBytes) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Sha256(with_nul), Sha256("a"));
  EXPECT_NE(Sha256(with_nul), Sha256("ab"));
}

TEST(Sha256ConcatTest, EqualsSha256OfConcatenation) {
  const std::string prev = std::string(AsBytes(Sha256("genesis")));
  const std::string record = "{\"sale\":42,\"lines\":[1,2,3]}";
  EXPECT_EQ(Sha256Concat(prev, record), Sha256(prev + record));
  EXPECT_EQ(Sha256Concat("ab", "c"), Sha256("abc"));
  EXPECT_EQ(Sha256Concat("", "abc"), Sha256("abc"));
  EXPECT_EQ(Sha256Concat("abc", ""), Sha256("abc"));
  EXPECT_EQ(Sha256Concat("", ""), Sha256(""));
}

TEST(Sha256ConcatTest, OrderMatters) {
  EXPECT_NE(Sha256Concat("a", "b"), Sha256Concat("b", "a"));
}

// RFC 4231 section 4.2, test case 1.
TEST(HmacSha256Test, Rfc4231Case1) {
  EXPECT_EQ(HexOf(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 section 4.3, test case 2: key shorter than the output.
TEST(HmacSha256Test, Rfc4231Case2) {
  EXPECT_EQ(HexOf(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 section 4.7, test case 6: key longer than the block size.
TEST(HmacSha256Test, Rfc4231Case6LongKey) {
  EXPECT_EQ(HexOf(HmacSha256(
                std::string(131, '\xaa'),
                "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, EmptyKeyAndData) {
  EXPECT_EQ(HexOf(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Test, KeyMatters) {
  EXPECT_NE(HmacSha256("key1", "data"), HmacSha256("key2", "data"));
}

TEST(AsBytesTest, ViewsAllDigestBytes) {
  const Digest d = Sha256("abc");
  const std::string_view v = AsBytes(d);
  ASSERT_EQ(v.size(), kSha256Bytes);
  EXPECT_EQ(static_cast<const void*>(v.data()),
            static_cast<const void*>(d.data()));
  EXPECT_EQ(static_cast<uint8_t>(v[0]), 0xba);
  EXPECT_EQ(static_cast<uint8_t>(v[31]), 0xad);
}

TEST(RandomLettersTest, TwoLettersAPerByteNoDigitsAndFresh) {
  const std::string a = RandomLetters(16);
  const std::string b = RandomLetters(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("abcdefghijklmnop"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(RandomLetters(0), "");
}

TEST(HexTest, ToHexIsLowerCase) {
  EXPECT_EQ(ToHex(std::string("\x00\x01\xab\xff\x7f", 5)), "0001abff7f");
  EXPECT_EQ(ToHex(""), "");
}

TEST(HexTest, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string hex = ToHex(all);
  ASSERT_EQ(hex.size(), 512u);
  Result<std::string> back = FromHex(hex);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, all);
}

TEST(HexTest, FromHexAcceptsUpperCase) {
  Result<std::string> r = FromHex("ABcdEF09");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, std::string("\xab\xcd\xef\x09", 4));
}

TEST(HexTest, FromHexEmptyIsEmpty) {
  Result<std::string> r = FromHex("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
}

TEST(HexTest, FromHexRefusesOddLength) {
  Result<std::string> r = FromHex("abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("odd length 3"));
}

TEST(HexTest, FromHexNamesTheBadPosition) {
  Result<std::string> high = FromHex("00g1");
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(high.status().message(), HasSubstr("position 2"));

  Result<std::string> low = FromHex("000z");
  ASSERT_FALSE(low.ok());
  EXPECT_THAT(low.status().message(), HasSubstr("position 3"));

  for (const char* bad : {"0x12", " 012", "12 ", "1-", "\xff\xff"}) {
    EXPECT_FALSE(FromHex(bad).ok()) << "accepted: " << bad;
  }
}

TEST(ConstantTimeEqualsTest, ComparesBytes) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("secret-mac", "secret-mac"));
  EXPECT_FALSE(ConstantTimeEquals("secret-mac", "secret-mad"));
  EXPECT_FALSE(ConstantTimeEquals("secret-mac", "xecret-mac"));
  EXPECT_FALSE(ConstantTimeEquals("secret-mac", "secret-ma"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(RandomBytesTest, ReturnsRequestedLength) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(1).size(), 1u);
  EXPECT_EQ(RandomBytes(32).size(), 32u);
  EXPECT_EQ(RandomBytes(100'000).size(), 100'000u);
}

TEST(RandomBytesTest, CallsDifferAndBytesVary) {
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) seen.insert(RandomBytes(16));
  EXPECT_EQ(seen.size(), 16u);
  // 4096 random bytes cover far more than 100 distinct values; a stuck or
  // zeroed buffer would not.
  const std::string big = RandomBytes(4096);
  std::set<char> values(big.begin(), big.end());
  EXPECT_GT(values.size(), 100u);
}

}  // namespace
}  // namespace storeagent::crypto
