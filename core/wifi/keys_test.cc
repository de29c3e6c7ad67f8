#include "core/wifi/keys.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/base/bytes_testing.h"
#include "core/wire/dot11_testing.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::wifi {
namespace {

using wire::testing::Bytes;
using wire::testing::FromHex;

ByteSpan Text(std::string_view s) { return AsBytes(s.data(), s.size()); }

port::Ssid MakeSsid(std::string_view s) {
  port::Ssid ssid;
  EXPECT_TRUE(ssid.Assign(Text(s)));
  return ssid;
}

template <size_t N>
std::array<std::byte, N> Array(std::string_view hex) {
  const Bytes bytes = FromHex(hex);
  std::array<std::byte, N> out{};
  EXPECT_EQ(bytes.size(), N);
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

class KeysTest : public ::testing::Test {
 protected:
  mbedtls::MbedtlsSha1 sha1_;
  mbedtls::MbedtlsAes128 aes_;
};

// reference/wifi-join.md (802.11-2016 J.4), checked there with Python's hashlib.
TEST_F(KeysTest, DerivePmk_PassphraseVectors) {
  Result<Pmk> ieee = DerivePmk(sha1_, Text("password"), MakeSsid("IEEE"));
  ASSERT_TRUE(ieee.ok());
  AIRLAB_EXPECT_BYTES_EQ(
      *ieee, FromHex("f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e"));
  Result<Pmk> other = DerivePmk(sha1_, Text("ThisIsAPassword"), MakeSsid("ThisIsASSID"));
  ASSERT_TRUE(other.ok());
  AIRLAB_EXPECT_BYTES_EQ(
      *other, FromHex("0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af"));
  // 802.11-2016 J.4 third case: 32 'a's, SSID of 32 'Z's (the longest SSID).
  Result<Pmk> longest =
      DerivePmk(sha1_, Text(std::string(32, 'a')), MakeSsid(std::string(32, 'Z')));
  ASSERT_TRUE(longest.ok());
  AIRLAB_EXPECT_BYTES_EQ(
      *longest, FromHex("becb93866bb8c3832cb777c2f559807c8c59afcb6eae734885001300a981cc62"));
}

TEST_F(KeysTest, DerivePmk_SixtyFourHexDigitsAreThePskItself) {
  const std::string_view psk = "F42C6FC52DF0EBEF9EBB4B90B38A5F902E83FE1B135A70E23AED762E9710a12e";
  Result<Pmk> pmk = DerivePmk(sha1_, Text(psk), MakeSsid("anything"));
  ASSERT_TRUE(pmk.ok());
  AIRLAB_EXPECT_BYTES_EQ(*pmk, FromHex(psk));
}

TEST_F(KeysTest, DerivePmk_BadPassphrase_InvalidArgument) {
  EXPECT_EQ(DerivePmk(sha1_, Text(""), MakeSsid("x")).status(), Status::InvalidArgument());
  EXPECT_EQ(DerivePmk(sha1_, Text("short"), MakeSsid("x")).status(), Status::InvalidArgument());
  EXPECT_EQ(DerivePmk(sha1_, Text("tab\there!"), MakeSsid("x")).status(),
            Status::InvalidArgument());
  EXPECT_EQ(DerivePmk(sha1_, Text(std::string(64, 'g')), MakeSsid("x")).status(),
            Status::InvalidArgument());
}

// 802.11-2016 J.3 (PRF test cases 1-4), the values also reproduced with Python's hmac.
TEST_F(KeysTest, Prf_AnnexJ3Vectors) {
  struct Case {
    Bytes key;
    std::string_view label, data, expected;
  };
  const std::string key3(80, '\xaa');
  const Case cases[] = {
      {Bytes(20, std::byte{0x0b}), "prefix", "Hi There",
       "bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606e17d8da35402ffee"
       "75df78c3d31e0f889f012120c0862beb67753e7439ae242edb8373698356cf5a"},
      {FromHex("4a656665"), "prefix-2", "what do ya want for nothing?",
       "47c4908e30c947521ad20be9053450ecbea23d3aa604b77326d8b3825ff7475c"},
      {Bytes(80, std::byte{0xaa}), "prefix-3",
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "0ab6c33ccf70d0d736f4b04c8a7373255511abc5073713163bd0b8c9eeb7e195"
       "6fa066820a73ddee3f6d3bd407e0682a"},
      {Bytes(20, std::byte{0x0b}), "prefix-4", "Hi There Again",
       "248cfbc532ab38ffa483c8a2e40bf170eb542a2e0916d7bf6d97da2c4c5ca877"
       "736c53a65b03fa4b3745ce7613f6ad68e0e4a798b7cf691c96176fd634a59a49"},
  };
  for (const Case& c : cases) {
    const Bytes expected = FromHex(c.expected);
    Bytes out(expected.size());
    ASSERT_TRUE(Prf(sha1_, c.key, Text(c.label), Text(c.data), out).ok()) << c.label;
    AIRLAB_EXPECT_BYTES_EQ(out, expected);
  }
}

TEST_F(KeysTest, Prf_EmptyOrTooLongOutput_InvalidArgument) {
  Bytes none;
  EXPECT_EQ(Prf(sha1_, Text("k"), Text("l"), Text("d"), none), Status::InvalidArgument());
  Bytes huge(256 * port::kSha1DigestSize);
  EXPECT_EQ(Prf(sha1_, Text("k"), Text("l"), Text("d"), huge), Status::InvalidArgument());
}

// Expected PTK from Python's hmac over min/max-ordered inputs (the PRF-384 of 12.7.1.3).
TEST_F(KeysTest, DerivePtk_PythonOracle_AndOrderOfRolesDoesNotMatter) {
  const Pmk pmk =
      Array<kPmkSize>("0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af");
  const MacAddress low({0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5});
  const MacAddress high({0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5});
  Nonce small, large;
  for (size_t i = 0; i < kNonceSize; ++i) {
    small[i] = std::byte(0x20 + i);
    large[i] = std::byte(0x40 + i);
  }
  const Bytes expected = FromHex(
      "24a1d218fd74b1b185e5ee27b6ae2743"    // KCK
      "5fc0160d5320051f85fdf92a8317adcc"    // KEK
      "ccf7ea2f02701d19d546522f1b69de03");  // TK
  Result<Ptk> a = DerivePtk(sha1_, pmk, low, high, small, large);
  Result<Ptk> b = DerivePtk(sha1_, pmk, high, low, large, small);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  for (const Ptk& ptk : {*a, *b}) {
    AIRLAB_EXPECT_BYTES_EQ(ptk.kck, ByteSpan(expected).first(16));
    AIRLAB_EXPECT_BYTES_EQ(ptk.kek, ByteSpan(expected).subspan(16, 16));
    AIRLAB_EXPECT_BYTES_EQ(ptk.tk, ByteSpan(expected).subspan(32, 16));
  }
  Result<Ptk> other_nonce = DerivePtk(sha1_, pmk, low, high, small, small);
  ASSERT_TRUE(other_nonce.ok());
  EXPECT_NE(other_nonce->tk, a->tk);
}

TEST_F(KeysTest, EapolMic_IgnoresTheMicFieldsContent) {
  const Kck kck = Array<kKckSize>("000102030405060708090a0b0c0d0e0f");
  Bytes frame(kEapolMicOffset + kMicSize + 22, std::byte{0x5a});
  Result<Mic> first = EapolMic(sha1_, kck, frame);
  ASSERT_TRUE(first.ok());
  std::fill_n(frame.begin() + kEapolMicOffset, kMicSize, std::byte{0});
  Result<Mic> zeroed = EapolMic(sha1_, kck, frame);
  ASSERT_TRUE(zeroed.ok());
  EXPECT_EQ(*first, *zeroed);
  // HMAC-SHA1 of the zeroed frame, cut to 16 bytes: the same as a one-part HMAC.
  std::array<std::byte, port::kSha1DigestSize> whole;
  const ByteSpan parts[] = {frame};
  ASSERT_TRUE(sha1_.HmacSha1(kck, parts, whole).ok());
  AIRLAB_EXPECT_BYTES_EQ(*zeroed, ByteSpan(whole).first(kMicSize));
  frame.back() ^= std::byte{1};
  EXPECT_NE(*EapolMic(sha1_, kck, frame), *zeroed);
  EXPECT_EQ(EapolMic(sha1_, kck, ByteSpan(frame).first(kEapolMicOffset + 15)).status(),
            Status::OutOfRange());
}

// RFC 2202 test case 1, through the Sha1 port with the message split in parts.
TEST_F(KeysTest, HmacSha1_Rfc2202_InParts) {
  const Bytes key(20, std::byte{0x0b});
  const ByteSpan parts[] = {Text("Hi "), Text(""), Text("There")};
  std::array<std::byte, port::kSha1DigestSize> out;
  ASSERT_TRUE(sha1_.HmacSha1(key, parts, out).ok());
  AIRLAB_EXPECT_BYTES_EQ(out, FromHex("b617318655057264e28bc0b6fb378c8ef146be00"));
}

TEST_F(KeysTest, Pbkdf2_ZeroIterationsOrEmptyOutput_InvalidArgument) {
  Bytes out(32);
  EXPECT_EQ(sha1_.Pbkdf2HmacSha1(Text("p"), Text("s"), 0, out), Status::InvalidArgument());
  EXPECT_EQ(sha1_.Pbkdf2HmacSha1(Text("p"), Text("s"), 1, MutableByteSpan()),
            Status::InvalidArgument());
}

// FIPS 197 C.1, both ways through the Aes128 port.
TEST_F(KeysTest, AesEcb_Fips197_EncryptAndDecrypt) {
  const port::Aes128Key key = Array<16>("000102030405060708090a0b0c0d0e0f");
  const port::AesBlock plain = Array<16>("00112233445566778899aabbccddeeff");
  port::AesBlock cipher, back;
  ASSERT_TRUE(aes_.EcbEncryptBlock(key, plain, cipher).ok());
  AIRLAB_EXPECT_BYTES_EQ(cipher, FromHex("69c4e0d86a7b0430d8cdb78070b4c55a"));
  ASSERT_TRUE(aes_.EcbDecryptBlock(key, cipher, back).ok());
  EXPECT_EQ(back, plain);
}

// RFC 3394 4.1: 128 bits of key data with a 128-bit KEK.
TEST_F(KeysTest, AesKeyWrap_Rfc3394Section4_1) {
  const port::Aes128Key kek = Array<16>("000102030405060708090A0B0C0D0E0F");
  const Bytes key_data = FromHex("00112233445566778899AABBCCDDEEFF");
  const Bytes wrapped = FromHex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
  FrameBuffer<64> out;
  out.PutU8(0x77);  // appends after what the builder holds
  ASSERT_TRUE(AesKeyWrap(aes_, kek, key_data, out).ok());
  AIRLAB_EXPECT_BYTES_EQ(out.bytes().subspan(1), wrapped);
  FrameBuffer<64> back;
  ASSERT_TRUE(AesKeyUnwrap(aes_, kek, wrapped, back).ok());
  AIRLAB_EXPECT_BYTES_EQ(back.bytes(), key_data);
}

TEST_F(KeysTest, AesKeyUnwrap_WrongKeyOrAlteredData_PermissionDeniedAndNothingAppended) {
  const port::Aes128Key kek = Array<16>("000102030405060708090A0B0C0D0E0F");
  port::Aes128Key wrong_kek = kek;
  wrong_kek[0] ^= std::byte{1};
  Bytes gtk_kde(40);
  for (size_t i = 0; i < gtk_kde.size(); ++i) gtk_kde[i] = std::byte(i * 7);
  FrameBuffer<64> wrapped;
  ASSERT_TRUE(AesKeyWrap(aes_, kek, gtk_kde, wrapped).ok());
  ASSERT_EQ(wrapped.size(), gtk_kde.size() + kKeyWrapOverhead);

  FrameBuffer<64> back;
  EXPECT_EQ(AesKeyUnwrap(aes_, wrong_kek, wrapped.bytes(), back), Status::PermissionDenied());
  EXPECT_EQ(back.size(), 0u);
  Bytes altered(wrapped.bytes().begin(), wrapped.bytes().end());
  altered[20] ^= std::byte{0x80};
  EXPECT_EQ(AesKeyUnwrap(aes_, kek, altered, back), Status::PermissionDenied());
  EXPECT_EQ(back.size(), 0u);
  ASSERT_TRUE(AesKeyUnwrap(aes_, kek, wrapped.bytes(), back).ok());
  AIRLAB_EXPECT_BYTES_EQ(back.bytes(), gtk_kde);
}

TEST_F(KeysTest, AesKeyWrap_BadSizes) {
  const port::Aes128Key kek{};
  FrameBuffer<64> out;
  EXPECT_EQ(AesKeyWrap(aes_, kek, Bytes(8), out), Status::InvalidArgument());
  EXPECT_EQ(AesKeyWrap(aes_, kek, Bytes(20), out), Status::InvalidArgument());
  EXPECT_EQ(AesKeyUnwrap(aes_, kek, Bytes(16), out), Status::InvalidArgument());
  EXPECT_EQ(AesKeyUnwrap(aes_, kek, Bytes(25), out), Status::InvalidArgument());
  FrameBuffer<20> small;
  EXPECT_EQ(AesKeyWrap(aes_, kek, Bytes(16), small), Status::ResourceExhausted());
  EXPECT_EQ(small.size(), 0u);
}

}  // namespace
}  // namespace airlab::wifi
