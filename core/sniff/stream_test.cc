#include "core/sniff/stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/port/rng.h"
#include "core/sniff/sniff_testing.h"
#include "core/wire/pcap.h"

namespace airlab::sniff {
namespace {

using testing::Bytes;

struct MemoryBytes final : ByteSink {
  Status Write(ByteSpan bytes) override {
    data.insert(data.end(), bytes.begin(), bytes.end());
    return Status::Ok();
  }
  Bytes data;
};

struct Received final : StreamListener {
  void OnStreamPacket(const Packet& p) override {
    packets.emplace_back(p.data.begin(), p.data.end());
    times.push_back(p.ts_ns);
    link_types.push_back(p.link_type);
    origlens.push_back(p.origlen);
  }
  void OnStreamLog(ByteSpan text) override {
    logs.emplace_back(reinterpret_cast<const char*>(text.data()), text.size());
  }
  std::vector<Bytes> packets;
  std::vector<int64_t> times;
  std::vector<uint32_t> link_types, origlens;
  std::vector<std::string> logs;
};

Bytes Pattern(size_t n, uint8_t zero_every) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::byte>(zero_every && i % zero_every == 0 ? 0 : i % 251 + 1);
  return b;
}

TEST(Cobs, RoundTrip_AtBlockBoundaries) {
  for (size_t n : {0, 1, 253, 254, 255, 508, 509, 1000}) {
    for (uint8_t zeros : {0, 1, 3, 254}) {
      const Bytes in = Pattern(n, zeros);
      Bytes encoded(n + n / 254 + 1);
      const size_t size = CobsEncode(in, encoded);
      ASSERT_GT(size, 0u);
      encoded.resize(size);
      for (std::byte b : encoded) ASSERT_NE(b, std::byte{0}) << n;
      Bytes out(n + 1);
      auto decoded = CobsDecode(encoded, out);
      ASSERT_TRUE(decoded.ok()) << n;
      out.resize(*decoded);
      EXPECT_EQ(out, in) << "size " << n << " zero every " << int{zeros};
    }
  }
}

TEST(Cobs, KnownVectors) {
  // From the COBS paper / Wikipedia's examples.
  const Bytes in = {std::byte{0x11}, std::byte{0x22}, std::byte{0x00}, std::byte{0x33}};
  Bytes out(8);
  ASSERT_EQ(CobsEncode(in, out), 5u);
  EXPECT_EQ(
      Bytes(out.begin(), out.begin() + 5),
      (Bytes{std::byte{0x03}, std::byte{0x11}, std::byte{0x22}, std::byte{0x02}, std::byte{0x33}}));
  const Bytes zero = {std::byte{0}};
  ASSERT_EQ(CobsEncode(zero, out), 2u);
  EXPECT_EQ(out[0], std::byte{1});
  EXPECT_EQ(out[1], std::byte{1});
  const Bytes bad = {std::byte{0x05}, std::byte{0x11}};
  EXPECT_EQ(CobsDecode(bad, out).status(), Status::DataLoss());
}

class StreamTest : public ::testing::Test {
 protected:
  StreamTest() : encoder_(wire_, encoder_scratch_), decoder_(decoder_buffer_, received_) {}

  MemoryBytes wire_;
  std::vector<std::byte> encoder_scratch_ = std::vector<std::byte>(kStreamEncoderScratchSize);
  StreamEncoder encoder_;
  std::vector<std::byte> decoder_buffer_ = std::vector<std::byte>(kStreamMaxEncoded);
  Received received_;
  StreamDecoder decoder_;
};

TEST_F(StreamTest, Packets_RoundTripFedByteByByte) {
  const MacAddress a({2, 0, 0, 0, 0, 1});
  std::vector<Bytes> sent;
  for (uint16_t i = 0; i < 5; ++i) {
    sent.push_back(testing::WithRadiotap(testing::Data(1, a, a, a, 300u * i, i), {}));
    ASSERT_TRUE(
        encoder_.WritePacket(Packet{1000 + i, wire::kLinkTypeIeee80211Radiotap, sent.back(), 9999})
            .ok());
  }
  ASSERT_TRUE(encoder_.WriteLog(AsBytes("booted", 6)).ok());
  for (std::byte b : wire_.data) decoder_.Feed(ByteSpan(&b, 1));
  EXPECT_EQ(received_.packets, sent);
  EXPECT_EQ(received_.times, (std::vector<int64_t>{1000, 1001, 1002, 1003, 1004}));
  EXPECT_EQ(received_.link_types[0], wire::kLinkTypeIeee80211Radiotap);
  EXPECT_EQ(received_.origlens[0], 9999u);
  EXPECT_EQ(received_.logs, (std::vector<std::string>{"booted"}));
  EXPECT_EQ(decoder_.stats().frames, 6u);
  EXPECT_EQ(decoder_.stats().bytes_lost, 0u);
  EXPECT_EQ(decoder_.stats().frames_lost, 0u);
  EXPECT_EQ(decoder_.pending(), 0u);
}

TEST_F(StreamTest, GarbageBetweenFrames_IsSkippedAndCounted) {
  const Bytes frame = testing::Ack(MacAddress::Broadcast());
  ASSERT_TRUE(encoder_.WritePacket(Packet{1, wire::kLinkTypeIeee80211, frame, 0}).ok());
  const Bytes first = wire_.data;
  wire_.data.clear();
  ASSERT_TRUE(encoder_.WritePacket(Packet{2, wire::kLinkTypeIeee80211, frame, 0}).ok());
  const Bytes second = wire_.data;

  // A reader that starts mid-frame, a boot message without zeros, then whole frames.
  const std::string boot = "ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\n";
  Bytes stream(first.begin() + 5, first.end());
  stream.insert(stream.end(), reinterpret_cast<const std::byte*>(boot.data()),
                reinterpret_cast<const std::byte*>(boot.data()) + boot.size());
  stream.insert(stream.end(), second.begin(), second.end());
  decoder_.Feed(stream);
  ASSERT_EQ(received_.packets.size(), 1u);
  EXPECT_EQ(received_.times[0], 2);
  // The tail of the first frame (up to its closing zero) and the boot text (up to the
  // second frame's opening zero) were not frames.
  EXPECT_EQ(decoder_.stats().bytes_lost, (first.size() - 5 - 1) + boot.size());
  EXPECT_EQ(decoder_.stats().bad_frames, 2u);
}

TEST_F(StreamTest, CorruptFrame_IsRejectedAndItsLossSeenInTheSequence) {
  const Bytes frame = testing::Ack(MacAddress::Broadcast());
  std::vector<size_t> ends;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(encoder_.WritePacket(Packet{i, wire::kLinkTypeIeee80211, frame, 0}).ok());
    ends.push_back(wire_.data.size());
  }
  // Flip a bit inside the second frame (never into or out of zero: COBS stays valid).
  std::byte& b = wire_.data[ends[0] + 8];
  b = b == std::byte{1}                    ? std::byte{3}
      : (b ^ std::byte{1}) == std::byte{0} ? std::byte{2}
                                           : b ^ std::byte{1};
  decoder_.Feed(wire_.data);
  EXPECT_EQ(received_.times, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(decoder_.stats().bad_frames, 1u);
  EXPECT_EQ(decoder_.stats().frames_lost, 1u);
  EXPECT_EQ(decoder_.stats().bytes_lost, ends[1] - ends[0] - 2);  // the frame minus its zeros
}

TEST_F(StreamTest, OverlongGarbage_ResynchronisesAtTheNextZero) {
  Bytes noise(kStreamMaxEncoded * 2, std::byte{0x55});
  decoder_.Feed(noise);
  EXPECT_EQ(decoder_.pending(), 0u);
  ASSERT_TRUE(encoder_.WriteDrops(17).ok());
  decoder_.Feed(wire_.data);
  EXPECT_EQ(decoder_.stats().bytes_lost, noise.size());
  EXPECT_EQ(decoder_.stats().frames, 1u);
  EXPECT_EQ(decoder_.stats().device_drops, 17u);
}

TEST_F(StreamTest, RandomNoiseAndFrames_NeverLoseAWholeFrame) {
  port::SplitMix64 rng(11);
  const Bytes frame = testing::Beacon(MacAddress({2, 0, 0, 0, 0, 9}), "x", 1, 1);
  size_t sent = 0;
  Bytes stream;
  for (int i = 0; i < 200; ++i) {
    wire_.data.clear();
    ASSERT_TRUE(encoder_.WritePacket(Packet{i, wire::kLinkTypeIeee80211, frame, 0}).ok());
    stream.insert(stream.end(), wire_.data.begin(), wire_.data.end());
    ++sent;
    for (uint32_t n = rng.Uniform(40); n > 0; --n)
      stream.push_back(static_cast<std::byte>(rng.NextU32() | 1));
  }
  decoder_.Feed(stream);
  EXPECT_EQ(received_.packets.size(), sent);
  EXPECT_EQ(decoder_.stats().frames_lost, 0u);
}

TEST_F(StreamTest, OversizeBody_IsRefused) {
  const Bytes huge(kStreamMaxBody, std::byte{1});
  EXPECT_EQ(encoder_.WritePacket(Packet{0, 105, huge, 0}), Status::InvalidArgument());
  EXPECT_TRUE(wire_.data.empty());
}

}  // namespace
}  // namespace airlab::sniff
