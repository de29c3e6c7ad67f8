// The credential record's bytes: round trips, and every kind of damage refused (a torn
// write, a flipped bit, counts and lengths that lie), through the codec and the memory store.
#include "core/wifi/credential_record.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

#include "core/wifi/memory_credential_store.h"
#include "core/wire/dot11.h"

namespace airlab::wifi {
namespace {

ByteSpan Bytes(std::string_view text) { return AsBytes(text.data(), text.size()); }

port::Credentials Sample() {
  port::Credentials c;
  c.network_count = 2;
  c.networks[0].ssid.Assign(Bytes("home"));
  c.networks[0].passphrase.Assign(std::string_view("correct horse battery"));
  c.networks[0].last_joined = 7;
  const std::array<std::byte, 32> raw = {std::byte{0xff}, std::byte{0x00}, std::byte{'<'}};
  c.networks[1].ssid.Assign(raw);  // 32 raw bytes, not text
  c.parameter_count = 1;
  c.parameters[0].id.Assign(std::string_view("ts_key"));
  c.parameters[0].value.Assign(std::string_view("ABCDEF0123456789"));
  c.join_counter = 7;
  return c;
}

void ExpectSame(const port::Credentials& a, const port::Credentials& b) {
  ASSERT_EQ(a.network_count, b.network_count);
  for (size_t i = 0; i < a.network_count; ++i) {
    EXPECT_EQ(a.networks[i].ssid, b.networks[i].ssid);
    EXPECT_EQ(a.networks[i].passphrase.view(), b.networks[i].passphrase.view());
    EXPECT_EQ(a.networks[i].last_joined, b.networks[i].last_joined);
  }
  ASSERT_EQ(a.parameter_count, b.parameter_count);
  for (size_t i = 0; i < a.parameter_count; ++i) {
    EXPECT_EQ(a.parameters[i].id.view(), b.parameters[i].id.view());
    EXPECT_EQ(a.parameters[i].value.view(), b.parameters[i].value.view());
  }
  EXPECT_EQ(a.join_counter, b.join_counter);
}

TEST(CredentialRecord, RoundTrip) {
  std::array<std::byte, kCredentialRecordMaxSize> buffer{};
  const StatusWithSize n = EncodeCredentials(Sample(), buffer);
  ASSERT_TRUE(n.ok());
  port::Credentials back;
  ASSERT_TRUE(DecodeCredentials(ByteSpan(buffer).first(n.size()), back).ok());
  ExpectSame(Sample(), back);
}

TEST(CredentialRecord, FullRecord_FitsTheMaxSize) {
  port::Credentials c;
  c.network_count = port::Credentials::kMaxNetworks;
  for (auto& n : c.networks) {
    n.ssid.Assign(std::array<std::byte, 32>{std::byte{'s'}});
    n.passphrase.Assign(
        std::string_view("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  }
  c.parameter_count = port::Credentials::kMaxParameters;
  for (auto& p : c.parameters) {
    p.id.Assign(std::string_view("abcdefghijklmnopqrstuvwx"));
    p.value.Assign(
        std::string_view("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  }
  std::array<std::byte, kCredentialRecordMaxSize> buffer{};
  const StatusWithSize n = EncodeCredentials(c, buffer);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.size(), kCredentialRecordMaxSize);
  std::array<std::byte, kCredentialRecordMaxSize - 1> small{};
  EXPECT_EQ(EncodeCredentials(c, small).status(), Status::ResourceExhausted());
}

TEST(CredentialRecord, InvalidRecord_NotEncoded) {
  port::Credentials c = Sample();
  c.networks[0].passphrase.Assign(std::string_view("short"));
  std::array<std::byte, kCredentialRecordMaxSize> buffer{};
  EXPECT_EQ(EncodeCredentials(c, buffer).status(), Status::InvalidArgument());
  c = Sample();
  c.parameters[0].id.Assign(std::string_view("has space"));
  EXPECT_EQ(EncodeCredentials(c, buffer).status(), Status::InvalidArgument());
}

TEST(CredentialRecord, EveryFlippedByteAndEveryTruncation_IsDataLoss) {
  std::array<std::byte, kCredentialRecordMaxSize> buffer{};
  const size_t size = EncodeCredentials(Sample(), buffer).size();
  for (size_t i = 0; i < size; ++i) {
    std::array<std::byte, kCredentialRecordMaxSize> copy = buffer;
    copy[i] ^= std::byte{0x01};
    port::Credentials out;
    EXPECT_FALSE(DecodeCredentials(ByteSpan(copy).first(size), out).ok()) << "byte " << i;
    EXPECT_EQ(out.network_count, 0u);
  }
  for (size_t n = 0; n < size; ++n) {
    port::Credentials out;
    EXPECT_EQ(DecodeCredentials(ByteSpan(buffer).first(n), out), Status::DataLoss()) << n;
  }
}

// A record whose CRC is right but whose counts or lengths lie (as a fuzzer would build).
TEST(CredentialRecord, LyingCountsWithAValidCrc_AreDataLoss) {
  std::array<std::byte, kCredentialRecordMaxSize> buffer{};
  const size_t size = EncodeCredentials(Sample(), buffer).size();
  auto reseal = [&](std::array<std::byte, kCredentialRecordMaxSize> b, size_t n) {
    store_le32(b, n - 4, wire::Crc32(ByteSpan(b).first(n - 4)));
    port::Credentials out;
    return DecodeCredentials(ByteSpan(b).first(n), out);
  };
  std::array<std::byte, kCredentialRecordMaxSize> b = buffer;
  b[5] = std::byte{3};  // three networks, two present
  EXPECT_EQ(reseal(b, size), Status::DataLoss());
  b = buffer;
  b[5] = std::byte{200};  // over the capacity
  EXPECT_EQ(reseal(b, size), Status::DataLoss());
  b = buffer;
  b[12] = std::byte{40};  // an SSID length over 32
  EXPECT_EQ(reseal(b, size), Status::DataLoss());
  b = buffer;
  b[4] = std::byte{2};  // a newer version
  EXPECT_EQ(reseal(b, size), Status::Unimplemented());
  // Trailing bytes before the CRC.
  b = buffer;
  b[size] = b[size - 1];
  EXPECT_EQ(reseal(b, size + 1), Status::DataLoss());
}

TEST(MemoryCredentialStore, SaveLoadEraseAndFailure) {
  MemoryCredentialStore store;
  port::Credentials c;
  ASSERT_TRUE(store.Load(c).ok());
  EXPECT_EQ(c.network_count, 0u);
  ASSERT_TRUE(store.Save(Sample()).ok());
  ASSERT_TRUE(store.Load(c).ok());
  ExpectSame(Sample(), c);
  port::Credentials bad = Sample();
  bad.networks[1].ssid = port::Ssid();
  EXPECT_EQ(store.Save(bad), Status::InvalidArgument());
  ASSERT_TRUE(store.Load(c).ok());
  ExpectSame(Sample(), c);  // the refused save changed nothing
  store.fail = true;
  EXPECT_EQ(store.Load(c), Status::Unavailable());
  EXPECT_EQ(c.network_count, 0u);
  store.fail = false;
  ASSERT_TRUE(store.Erase().ok());
  ASSERT_TRUE(store.Load(c).ok());
  EXPECT_EQ(c.network_count, 0u);
}

}  // namespace
}  // namespace airlab::wifi
