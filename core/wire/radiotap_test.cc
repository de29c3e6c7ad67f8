#include "core/wire/radiotap.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/wire/dot11.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::wire {
namespace {

using Bytes = std::vector<std::byte>;

Bytes B(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

size_t OffsetIn(ByteSpan outer, ByteSpan inner) { return inner.data() - outer.data(); }

// A 24-byte probe request from an Espressif address, so a dissector shows where the frame
// starts; with its FCS when `fcs`.
Bytes ProbeRequest(bool fcs) {
  FrameBuffer<64> frame;
  MgmtHeader h;
  h.fc =
      FrameControl::Make(FrameType::kManagement, static_cast<uint8_t>(MgmtSubtype::kProbeRequest));
  h.addr1 = MacAddress::Broadcast();
  h.addr2 = MacAddress({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x01});
  h.addr3 = MacAddress::Broadcast();
  h.seq = SequenceControl::Make(100);
  WriteMgmtHeader(frame, h);
  if (fcs) AppendFcs(frame);
  EXPECT_TRUE(frame.ok());
  return Bytes(frame.bytes().begin(), frame.bytes().end());
}

Bytes Radiotap(const RadiotapInfo& info) {
  FrameBuffer<128> out;
  WriteRadiotap(out, info);
  EXPECT_TRUE(out.ok());
  return Bytes(out.bytes().begin(), out.bytes().end());
}

// Captured frames from libtins' tests (mfontanini/libtins tests/src/radiotap_test.cpp,
// expected_packet1, 3 and 4), cut a few bytes into the 802.11 frame. Decoded by hand in the
// tests below; tshark 4.0 prints the same values for them.
const Bytes kBeaconCapture = B({
    0x00, 0x00, 0x1a, 0x00,                          // version 0, pad, it_len 26
    0x2f, 0x48, 0x00, 0x00,                          // present 0x482f: 0 1 2 3 5 11 14
    0x07, 0xd6, 0x6e, 0xa6, 0x00, 0x00, 0x00, 0x00,  // TSFT 0xa66ed607
    0x10,                                            // Flags: FCS at end
    0x02,                                            // Rate: 1 Mb/s
    0x6c, 0x09, 0xa0, 0x00,                          // Channel 2412 MHz, CCK | 2 GHz
    0xb0,                                            // -80 dBm
    0x01,                                            // antenna 1
    0x00, 0x00,                                      // RX flags
    0x80, 0x00, 0x00, 0x00, 0xff, 0xff,              // beacon frame control, duration, DA
});

const Bytes kTwoNamespacesCapture = B({
    0x00, 0x00, 0x24, 0x00,                          // it_len 36
    0x2f, 0x40, 0x00, 0xa0,                          // 0 1 2 3 5 14, radiotap ns (29), ext
    0x20, 0x08, 0x00, 0x00,                          // radiotap ns again from 0: 5 11
    0x00, 0x00, 0x00, 0x00,                          // pad TSFT to 8
    0x4b, 0x88, 0x7e, 0xee, 0x32, 0x00, 0x00, 0x00,  // TSFT 0x32ee7e884b
    0x12,                                            // Flags: short preamble, FCS at end
    0x16,                                            // Rate: 11 Mb/s
    0x85, 0x09, 0xc0, 0x00,                          // Channel 2437 MHz, OFDM | 2 GHz
    0xb5,                                            // -75 dBm (combined)
    0x00,                                            // pad RX flags to 2
    0x00, 0x00,                                      // RX flags
    0xb5,                                            // -75 dBm (chain 0)
    0x00,                                            // antenna 0
    0x08, 0x02, 0x00, 0x00,                          // data frame control, duration
});

const Bytes kMcsCapture = B({
    0x00, 0x00, 0x27, 0x00,                          // it_len 39
    0x2b, 0x40, 0x08, 0xa0,                          // 0 1 3 5 14 19, radiotap ns, ext
    0x20, 0x08, 0x00, 0x00,                          // 5 11
    0x00, 0x00, 0x00, 0x00,                          // pad TSFT to 8
    0xde, 0x18, 0x7a, 0x5c, 0xe3, 0x01, 0x00, 0x00,  // TSFT 0x1e35c7a18de
    0x10,                                            // Flags: FCS at end
    0x00,                                            // pad Channel to 2
    0x6c, 0x09, 0x80, 0x04,                          // 2412 MHz, 2 GHz | dynamic CCK-OFDM
    0xba,                                            // -70 dBm
    0x00,                                            // pad RX flags to 2
    0x00, 0x00,                                      // RX flags
    0x27, 0x00, 0x01,                                // MCS known 0x27, flags 0, index 1
    0xba,                                            // -70 dBm (chain 0)
    0x00,                                            // antenna 0
    0x88, 0x42,                                      // QoS data frame control
});

// A vendor namespace between two radiotap namespaces (hand-built, see the offsets).
const Bytes kVendorNamespace = B({
    0x00, 0x00, 0x23, 0x00,        // it_len 35
    0x02, 0x00, 0x00, 0xc0,        // 1 (Flags), vendor namespace (30), ext
    0x03, 0x00, 0x00, 0xa0,        // vendor fields 0 1, back to radiotap (29), ext
    0x28, 0x00, 0x00, 0x00,        // 3 (Channel), 5 (dBm signal)
    0x10,                          // 16: Flags: FCS at end
    0x00,                          // pad the vendor namespace field to 2
    0x00, 0x11, 0x22, 0x07,        // 18: OUI 00:11:22, sub-namespace 7
    0x05, 0x00,                    // skip_length 5
    0xaa, 0xbb, 0xcc, 0xdd, 0xee,  // 24: vendor data, opaque
    0x00,                          // pad Channel to 2
    0x6c, 0x09, 0xa0, 0x00,        // 30: 2412 MHz, CCK | 2 GHz
    0xd8,                          // 34: -40 dBm
});

TEST(RadiotapView, Parse_BeaconCapture_MatchesHandDecoding) {
  const Bytes packet = kBeaconCapture;
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  const RadiotapInfo& info = view->info();
  EXPECT_EQ(info.tsft_us, 0xa66ed607u);
  EXPECT_EQ(info.flags, RadiotapFlags::kFcsAtEnd);
  EXPECT_TRUE(info.fcs_at_end());
  EXPECT_FALSE(info.short_preamble());
  EXPECT_FALSE(info.bad_fcs());
  EXPECT_EQ(info.rate_500kbps, 2);
  ASSERT_TRUE(info.channel);
  EXPECT_EQ(info.channel->freq_mhz, 2412);
  EXPECT_EQ(info.channel->flags, RadiotapChannelFlags::kCck | RadiotapChannelFlags::k2Ghz);
  EXPECT_EQ(info.signal_dbm, -80);
  EXPECT_EQ(info.antenna, 1);
  EXPECT_EQ(info.rx_flags, 0);
  EXPECT_FALSE(info.noise_dbm);
  EXPECT_FALSE(info.mcs);
  EXPECT_EQ(view->header().size(), 26u);
  ASSERT_EQ(view->payload().size(), 6u);
  EXPECT_EQ(view->payload()[0], std::byte{0x80});
}

TEST(RadiotapView, Parse_SecondRadiotapNamespace_KeepsCombinedSignal) {
  Bytes packet = kTwoNamespacesCapture;
  packet[34] = std::byte{0xb3};  // chain 0 at -77 dBm, to tell it from the combined -75
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  const RadiotapInfo& info = view->info();
  EXPECT_EQ(info.tsft_us, 0x32ee7e884bu);
  EXPECT_TRUE(info.short_preamble());
  EXPECT_TRUE(info.fcs_at_end());
  EXPECT_EQ(info.rate_500kbps, 22);
  EXPECT_EQ(info.channel, (RadiotapChannel{2437, 0x00c0}));
  EXPECT_EQ(info.signal_dbm, -75);
  EXPECT_EQ(info.antenna, 0);  // only in the second namespace, so it is taken from there
  EXPECT_EQ(OffsetIn(packet, view->payload()), 36u);
}

TEST(RadiotapView, Parse_McsCapture_MatchesHandDecoding) {
  const Bytes packet = kMcsCapture;
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  const RadiotapInfo& info = view->info();
  EXPECT_EQ(info.tsft_us, 0x1e35c7a18deu);
  EXPECT_EQ(info.channel, (RadiotapChannel{2412, 0x0480}));
  EXPECT_EQ(info.signal_dbm, -70);
  EXPECT_EQ(info.mcs, (RadiotapMcs{0x27, 0x00, 1}));
  EXPECT_EQ(info.antenna, 0);
  EXPECT_EQ(view->payload().size(), 2u);
}

TEST(RadiotapIterator, TwoNamespaces_YieldsEveryFieldAtItsOffset) {
  const Bytes packet = kTwoNamespacesCapture;
  RadiotapIterator it(packet);
  std::vector<std::pair<RadiotapBit, size_t>> seen;
  while (it.Next()) seen.emplace_back(it.item().bit, OffsetIn(packet, it.item().data));
  ASSERT_TRUE(it.status().ok()) << it.status().str();
  const std::vector<std::pair<RadiotapBit, size_t>> expected = {
      {RadiotapBit::kTsft, 16},         {RadiotapBit::kFlags, 24},
      {RadiotapBit::kRate, 25},         {RadiotapBit::kChannel, 26},
      {RadiotapBit::kDbmAntSignal, 30}, {RadiotapBit::kRxFlags, 32},
      {RadiotapBit::kDbmAntSignal, 34}, {RadiotapBit::kAntenna, 35},
  };
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(it.header_size(), 36u);
}

TEST(RadiotapIterator, RareFields_AlignedAndSized) {
  // Flags 1, XChannel 18 (align 4), HE 23, HE-MU-other-user 25, 0-length-PSDU 26, L-SIG 27.
  Bytes packet(44);
  packet[2] = std::byte{44};
  store_le32(packet, 4, 1u << 1 | 1u << 18 | 1u << 23 | 1u << 25 | 1u << 26 | 1u << 27);
  RadiotapIterator it(packet);
  std::vector<std::tuple<RadiotapBit, size_t, size_t>> seen;
  while (it.Next()) {
    seen.emplace_back(it.item().bit, OffsetIn(packet, it.item().data), it.item().data.size());
  }
  ASSERT_TRUE(it.status().ok()) << it.status().str();
  const std::vector<std::tuple<RadiotapBit, size_t, size_t>> expected = {
      {RadiotapBit::kFlags, 8, 1},
      {RadiotapBit::kXChannel, 12, 8},
      {RadiotapBit::kHe, 20, 12},
      {RadiotapBit::kHeMuOtherUser, 32, 6},
      {RadiotapBit::kZeroLengthPsdu, 38, 1},
      {RadiotapBit::kLSig, 40, 4},
  };
  EXPECT_EQ(seen, expected);
  // One byte less and L-SIG no longer fits.
  store_le16(packet, 2, 43);
  EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::OutOfRange());
}

TEST(RadiotapIterator, VendorNamespace_SkipsItsDataAndResumes) {
  const Bytes packet = kVendorNamespace;
  RadiotapIterator it(packet);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.item().bit, RadiotapBit::kFlags);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.item().bit, RadiotapBit::kVendorNamespace);
  EXPECT_EQ(it.item().vendor_oui, 0x001122u);
  EXPECT_EQ(it.item().vendor_sub_namespace, 7);
  EXPECT_EQ(OffsetIn(packet, it.item().data), 24u);
  EXPECT_EQ(it.item().data.size(), 5u);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.item().bit, RadiotapBit::kChannel);
  EXPECT_EQ(OffsetIn(packet, it.item().data), 30u);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.item().bit, RadiotapBit::kDbmAntSignal);
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());

  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->info().channel, (RadiotapChannel{2412, 0x00a0}));
  EXPECT_EQ(view->info().signal_dbm, -40);
}

TEST(RadiotapIterator, VendorSkipLengthPastHeader_ReturnsOutOfRange) {
  Bytes packet = kVendorNamespace;
  packet[22] = std::byte{12};  // skip_length 12 from offset 24 passes it_len 35
  EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::OutOfRange());
}

TEST(RadiotapView, Parse_TsftAfterFlagsInNextNamespace_PadsTo8) {
  const Bytes packet = B({
      0x00, 0x00, 0x18, 0x00,                          // it_len 24
      0x02, 0x00, 0x00, 0xa0,                          // Flags, radiotap ns, ext
      0x01, 0x00, 0x00, 0x00,                          // TSFT
      0x02, 0xee, 0xee, 0xee,                          // Flags at 12, three pad bytes
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // TSFT at 16
  });
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  EXPECT_EQ(view->info().flags, RadiotapFlags::kShortPreamble);
  EXPECT_EQ(view->info().tsft_us, 0x0807060504030201u);
}

TEST(RadiotapView, Parse_FieldPastWord0WithoutNamespaceReset_ReturnsUnimplemented) {
  // The same bytes without bit 29: the second word's bit 0 is field 32, which has no
  // defined size, so nothing after it can be located. The frame is still found.
  const Bytes packet =
      Concat(B({
                 0x00, 0x00, 0x18, 0x00,  // it_len 24
                 0x02, 0x00, 0x00, 0x80,  // Flags, ext
                 0x01, 0x00, 0x00, 0x00,  // field 32
                 0x02, 0xee, 0xee, 0xee, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
             }),
             B({0xd0, 0x00}));
  EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::Unimplemented());
  auto payload = RadiotapPayload(packet);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(OffsetIn(packet, *payload), 24u);
  EXPECT_EQ(payload->size(), 2u);
}

TEST(RadiotapView, Parse_EmptyExtensionWord_ParsesFieldsAfterBothWords) {
  const Bytes packet = B({
      0x00, 0x00, 0x0d, 0x00,  // it_len 13
      0x02, 0x00, 0x00, 0x80,  // Flags, ext
      0x00, 0x00, 0x00, 0x00,  // nothing more
      0x40,                    // Flags at 12: bad FCS
  });
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  EXPECT_TRUE(view->info().bad_fcs());
}

TEST(RadiotapView, Parse_TlvList_EndsTheFields) {
  const Bytes packet = B({
      0x00, 0x00, 0x14, 0x00,  // it_len 20
      0x02, 0x00, 0x00, 0x10,  // Flags, TLVs (28)
      0x10, 0x00, 0x00, 0x00,  // Flags, pad to 4
      0x05, 0x00, 0x01, 0x00,  // TLV type 5 (dBm signal), length 1
      0xd0, 0x00, 0x00, 0x00,  // -48, padded to 4
  });
  RadiotapIterator it(packet);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.item().bit, RadiotapBit::kFlags);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.item().bit, RadiotapBit::kTlv);
  EXPECT_EQ(OffsetIn(packet, it.item().data), 12u);
  EXPECT_EQ(it.item().data.size(), 8u);
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->info().fcs_at_end());
  EXPECT_FALSE(view->info().signal_dbm);  // TLV contents are not interpreted
}

TEST(RadiotapView, Parse_Truncated_ReturnsOutOfRange) {
  const Bytes packet = kMcsCapture;
  for (size_t n = 0; n < 39; ++n) {
    const ByteSpan prefix = ByteSpan(packet).first(n);
    EXPECT_EQ(RadiotapView::Parse(prefix).status(), Status::OutOfRange()) << n;
    EXPECT_EQ(RadiotapPayload(prefix).status(), Status::OutOfRange()) << n;
  }
  EXPECT_TRUE(RadiotapView::Parse(ByteSpan(packet).first(39)).ok());
}

TEST(RadiotapView, Parse_LengthShorterThanFields_ReturnsOutOfRange) {
  // it_len 8-11 cannot hold the second present word, 12-38 cuts a field; the fixed header
  // alone is fine, so the frame is still found where it_len says.
  for (uint16_t length = 8; length < 39; ++length) {
    Bytes packet = kMcsCapture;
    store_le16(packet, 2, length);
    EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::OutOfRange()) << length;
    auto payload = RadiotapPayload(packet);
    ASSERT_TRUE(payload.ok()) << length;
    EXPECT_EQ(OffsetIn(packet, *payload), length);
  }
}

TEST(RadiotapView, Parse_BadFixedHeader_ReturnsPreciseError) {
  Bytes packet = kBeaconCapture;
  store_le16(packet, 2, 7);  // below the fixed header
  EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::OutOfRange());
  store_le16(packet, 2, static_cast<uint16_t>(packet.size() + 1));  // past the buffer
  EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::OutOfRange());
  EXPECT_EQ(RadiotapPayload(packet).status(), Status::OutOfRange());
  packet = kBeaconCapture;
  packet[0] = std::byte{1};
  EXPECT_EQ(RadiotapView::Parse(packet).status(), Status::InvalidArgument());
  EXPECT_EQ(RadiotapPayload(packet).status(), Status::InvalidArgument());
  // A present chain that never ends inside it_len.
  const Bytes endless = B({0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80,
                           0x00, 0x00, 0x00, 0x00});
  EXPECT_EQ(RadiotapView::Parse(endless).status(), Status::OutOfRange());
}

TEST(RadiotapView, PayloadWithoutFcs_DropsFourBytesOnlyWhenFlagged) {
  Bytes packet = kBeaconCapture;
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->payload_without_fcs().size(), 2u);
  packet[16] = std::byte{0};  // Flags: no FCS
  view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->payload_without_fcs().size(), 6u);
  packet[16] = std::byte{RadiotapFlags::kFcsAtEnd};
  view = RadiotapView::Parse(ByteSpan(packet).first(29));  // 3 bytes after the header
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->payload_without_fcs().empty());
}

TEST(WriteRadiotap, FlagsThenChannel_PadsChannelTo2) {
  RadiotapInfo info;
  info.flags = RadiotapFlags::kFcsAtEnd;
  info.channel = RadiotapChannel{2437, 0x00a0};
  EXPECT_EQ(Radiotap(info), B({0x00, 0x00, 0x0e, 0x00, 0x0a, 0x00, 0x00, 0x00,  //
                               0x10, 0x00, 0x85, 0x09, 0xa0, 0x00}));
}

TEST(WriteRadiotap, McsThenAmpdu_PadsAmpduTo4) {
  RadiotapInfo info;
  info.tsft_us = 0x0102030405060708;
  info.mcs = RadiotapMcs{0x07, RadiotapMcs::kShortGi, 7};
  info.ampdu = RadiotapAmpdu{0xdeadbeef, 0x000c, 0x5a};
  EXPECT_EQ(Radiotap(info), B({0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x18, 0x00,  //
                               0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  //
                               0x07, 0x04, 0x07, 0x00,                          //
                               0xef, 0xbe, 0xad, 0xde, 0x0c, 0x00, 0x5a, 0x00}));
}

TEST(WriteRadiotap, TimestampAfterFlags_PadsTo8FromHeaderStart) {
  RadiotapInfo info;
  info.flags = 0;
  info.timestamp = RadiotapTimestamp{0x1122334455667788, 0x0102, 0x01, 0x02};
  FrameBuffer<64> out;
  out.PutU8(0xaa).PutU8(0xbb).PutU8(0xcc);  // a header in front must not shift alignment
  WriteRadiotap(out, info);
  ASSERT_TRUE(out.ok());
  const Bytes expected = B({0xaa, 0xbb, 0xcc,                                //
                            0x00, 0x00, 0x1c, 0x00, 0x02, 0x00, 0x40, 0x00,  //
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
                            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  //
                            0x02, 0x01, 0x01, 0x02});
  EXPECT_EQ(Bytes(out.bytes().begin(), out.bytes().end()), expected);
}

TEST(WriteRadiotap, EveryField_RoundTrips) {
  RadiotapInfo info;
  info.tsft_us = 0xfedcba9876543210;
  info.flags = RadiotapFlags::kShortPreamble | RadiotapFlags::kFcsAtEnd;
  info.rate_500kbps = 108;
  info.channel = RadiotapChannel{5180, ChannelFlagsFor(5180, RadiotapModulation::kOfdm)};
  info.signal_dbm = -128;
  info.noise_dbm = 127;
  info.antenna = 3;
  info.rx_flags = RadiotapRxFlags::kBadPlcp;
  info.tx_flags = RadiotapTxFlags::kNoAck | RadiotapTxFlags::kNoSeq;
  info.data_retries = 15;
  info.mcs = RadiotapMcs{0x7f, 0xff, 76};
  info.ampdu = RadiotapAmpdu{0x12345678, 0xabcd, 0xef};
  info.vht = RadiotapVht{0x01ff, 0x3f, 11, {0x92, 0x31, 0x00, 0xf4}, 0x0f, 63, 0x1ff};
  info.timestamp = RadiotapTimestamp{0x0123456789abcdef, 7, 0x12, 0x03};
  const Bytes packet = Concat(Radiotap(info), ProbeRequest(/*fcs=*/true));
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  EXPECT_EQ(view->info(), info);
  EXPECT_EQ(view->payload().size(), 28u);
  EXPECT_TRUE(CheckFcs(view->payload()));
  auto frame = Dot11View::Parse(view->payload_without_fcs());
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->addr2(), MacAddress({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x01}));
}

TEST(WriteRadiotap, NoFields_WritesEightByteHeader) {
  EXPECT_EQ(Radiotap(RadiotapInfo{}), B({0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST(WriteRadiotap, BufferTooSmall_ReturnsResourceExhausted) {
  RadiotapInfo info;
  info.flags = 0;
  info.channel = RadiotapChannel{2412, 0x00a0};
  FrameBuffer<13> out;  // needs 14
  WriteRadiotap(out, info);
  EXPECT_EQ(out.status(), Status::ResourceExhausted());
}

TEST(RadiotapChannels, NumbersAndFrequencies_MatchTheBandPlans) {
  const std::vector<std::pair<uint8_t, uint16_t>> plan = {
      {1, 2412},  {6, 2437},  {11, 2462},  {13, 2472},  {14, 2484},  {32, 5160},
      {36, 5180}, {64, 5320}, {100, 5500}, {144, 5720}, {165, 5825}, {177, 5885}};
  for (auto [channel, mhz] : plan) {
    EXPECT_EQ(ChannelToFrequencyMhz(channel).value_or(0), mhz) << int{channel};
    EXPECT_EQ(FrequencyMhzToChannel(mhz).value_or(0), channel) << mhz;
  }
  for (uint8_t channel : {0, 15, 31, 178, 255}) {
    EXPECT_EQ(ChannelToFrequencyMhz(channel).status(), Status::InvalidArgument()) << int{channel};
  }
  for (uint16_t mhz : {0, 2407, 2411, 2413, 2477, 2483, 2485, 5155, 5181, 5890, 5955}) {
    EXPECT_EQ(FrequencyMhzToChannel(mhz).status(), Status::InvalidArgument()) << mhz;
  }
  EXPECT_EQ(ChannelFlagsFor(2412, RadiotapModulation::kCck), 0x00a0);
  EXPECT_EQ(ChannelFlagsFor(2437, RadiotapModulation::kOfdm), 0x00c0);
  EXPECT_EQ(ChannelFlagsFor(5180, RadiotapModulation::kOfdm), 0x0140);
}

// --- Independent oracles -------------------------------------------------------------

bool HaveTool(const char* check) { return std::system(check) == 0; }

// A classic pcap (microseconds, little endian) with link type 127: the 24-byte global header
// and a 16-byte header per record, written here because the pcap writer is not ours.
void WritePcap(const std::string& path, const std::vector<Bytes>& records) {
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&f](uint32_t v) {
    const char b[4] = {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
    f.write(b, 4);
  };
  auto u16 = [&f](uint16_t v) {
    const char b[2] = {char(v), char(v >> 8)};
    f.write(b, 2);
  };
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);  // thiszone
  u32(0);  // sigfigs
  u32(65535);
  u32(127);  // LINKTYPE_IEEE802_11_RADIOTAP
  uint32_t second = 1;
  for (const Bytes& r : records) {
    u32(second++);
    u32(0);
    u32(static_cast<uint32_t>(r.size()));
    u32(static_cast<uint32_t>(r.size()));
    f.write(reinterpret_cast<const char*>(r.data()), static_cast<std::streamsize>(r.size()));
  }
}

TEST(RadiotapOracle, Tshark_ReadsWhatWeWrite) {
  if (!HaveTool("command -v tshark >/dev/null 2>&1")) GTEST_SKIP() << "tshark not installed";

  RadiotapInfo rx;  // an RX capture on a 2.4 GHz CCK channel
  rx.tsft_us = 1234567890123;
  rx.flags = RadiotapFlags::kFcsAtEnd;
  rx.rate_500kbps = 2;
  rx.channel = RadiotapChannel{2412, ChannelFlagsFor(2412, RadiotapModulation::kCck)};
  rx.signal_dbm = -40;
  rx.noise_dbm = -95;
  rx.antenna = 1;
  rx.rx_flags = 0;

  RadiotapInfo tx;  // monitor-mode injection at 6 Mb/s on channel 36
  tx.flags = 0;
  tx.rate_500kbps = 12;
  tx.channel = RadiotapChannel{5180, ChannelFlagsFor(5180, RadiotapModulation::kOfdm)};
  tx.tx_flags = RadiotapTxFlags::kNoAck | RadiotapTxFlags::kNoSeq;
  tx.data_retries = 3;

  RadiotapInfo ht;  // HT reception inside an A-MPDU, with a device timestamp
  ht.tsft_us = 42;
  ht.flags = RadiotapFlags::kShortPreamble | RadiotapFlags::kFcsAtEnd;
  ht.channel = RadiotapChannel{2437, ChannelFlagsFor(2437, RadiotapModulation::kOfdm)};
  ht.signal_dbm = -61;
  ht.noise_dbm = -92;
  ht.mcs = RadiotapMcs{
      RadiotapMcs::kKnownBandwidth | RadiotapMcs::kKnownIndex | RadiotapMcs::kKnownGuardInterval,
      RadiotapMcs::kShortGi, 7};
  ht.ampdu = RadiotapAmpdu{77, 0, 0};
  ht.timestamp = RadiotapTimestamp{123456789, 10, 0x01, 0x02};

  RadiotapInfo vht;  // VHT, 80 MHz, MCS 9, 2 streams
  vht.channel = RadiotapChannel{5745, ChannelFlagsFor(5745, RadiotapModulation::kOfdm)};
  vht.signal_dbm = -55;
  vht.vht = RadiotapVht{0x0040, 0, 4, {0x92, 0, 0, 0}, 0, 0, 0};

  const std::vector<Bytes> records = {
      Concat(Radiotap(rx), ProbeRequest(true)),     Concat(Radiotap(tx), ProbeRequest(false)),
      Concat(Radiotap(ht), ProbeRequest(true)),     Concat(Radiotap(vht), ProbeRequest(false)),
      Concat(kVendorNamespace, ProbeRequest(true)),
  };
  for (const Bytes& r : records) ASSERT_TRUE(RadiotapView::Parse(r).ok());
  const testing_tools::TempDir dir;
  const std::string path = dir.File("oracle.pcap");
  WritePcap(path, records);
  const std::string out =
      testing_tools::RunCommand(
          "tshark -r " + path +
          " -T fields -E 'separator=|'"
          " -e radiotap.length -e radiotap.mactime -e radiotap.flags.fcs -e radiotap.flags.preamble"
          " -e radiotap.datarate -e radiotap.channel.freq -e radiotap.channel.flags"
          " -e radiotap.dbm_antsignal -e radiotap.dbm_antnoise -e radiotap.antenna"
          " -e radiotap.rxflags -e radiotap.txflags -e radiotap.data_retries -e radiotap.mcs.index"
          " -e radiotap.mcs.gi -e radiotap.ampdu.reference -e radiotap.timestamp.ts"
          " -e radiotap.vht.bw -e radiotap.vht.mcs.0 -e radiotap.vht.nss.0 -e radiotap.vendor_oui"
          " -e radiotap.vendor_data_len -e wlan.sa")
          .out;
  // Columns: it_len, TSFT, FCS, short preamble, Mb/s (tshark computes HT rates: MCS 7 with
  // short GI at 20 MHz is 72.2), MHz, channel flags, dBm signal, dBm noise, antenna, RX flags,
  // TX flags, data retries, MCS index, short GI, A-MPDU reference, timestamp, VHT bandwidth
  // (4: 80 MHz), VHT MCS and NSS of user 0, vendor OUI (0x001122), vendor data length, and
  // the frame's source, found where it_len says the frame starts.
  EXPECT_EQ(out,
            "28|1234567890123|1|0|1|2412|0x00a0|-40|-95|1|0x0000||||||||||||24:0a:c4:00:00:01\n"
            "17||0|0|6|5180|0x0140|||||0x0018|3||||||||||24:0a:c4:00:00:01\n"
            "52|42|1|1|72.2222|2437|0x00c0|-61|-92|||||7|1|77|123456789||||||24:0a:c4:00:00:01\n"
            "26|||||5745|0x0140|-55||||||||||4|9|2|||24:0a:c4:00:00:01\n"
            "35||1|0||2412|0x00a0|-40|||||||||||||4386|5|24:0a:c4:00:00:01\n");
}

TEST(RadiotapOracle, Scapy_WhatItWritesParses) {
  if (!HaveTool("/usr/bin/python3 -c 'import scapy' >/dev/null 2>&1")) {
    GTEST_SKIP() << "scapy not installed";
  }
  const std::string hex =
      testing_tools::RunCommand(
          "/usr/bin/python3 -c \""
          "from scapy.layers.dot11 import RadioTap, Dot11; from scapy.compat import raw; "
          "p = RadioTap(present='TSFT+Flags+Rate+Channel+dBm_AntSignal+dBm_AntNoise+Antenna+"
          "RXFlags+TXFlags+MCS+A_MPDU', mac_timestamp=0x1122334455, Flags='FCS', Rate=5.5, "
          "ChannelFrequency=2437, ChannelFlags='CCK+2GHz', dBm_AntSignal=-42, dBm_AntNoise=-95, "
          "Antenna=2, RXFlags=0, TXFlags=0x18, knownMCS=0x07, guard_interval=1, MCS_index=5, "
          "A_MPDU_ref=0xdeadbeef, A_MPDU_flags=0x0c) / Dot11(type=0, subtype=4, "
          "addr1='ff:ff:ff:ff:ff:ff', addr2='24:0a:c4:00:00:01', addr3='ff:ff:ff:ff:ff:ff'); "
          "print(raw(p).hex())\"")
          .out;
  Bytes packet;
  for (size_t i = 0; i + 1 < hex.size() && hex[i] != '\n'; i += 2) {
    packet.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  ASSERT_GT(packet.size(), 24u) << hex;
  auto view = RadiotapView::Parse(packet);
  ASSERT_TRUE(view.ok()) << view.status().str();
  const RadiotapInfo& info = view->info();
  EXPECT_EQ(info.tsft_us, 0x1122334455u);
  EXPECT_TRUE(info.fcs_at_end());
  EXPECT_EQ(info.rate_500kbps, 11);
  EXPECT_EQ(info.channel, (RadiotapChannel{2437, 0x00a0}));
  EXPECT_EQ(info.signal_dbm, -42);
  EXPECT_EQ(info.noise_dbm, -95);
  EXPECT_EQ(info.antenna, 2);
  EXPECT_EQ(info.rx_flags, 0);
  EXPECT_EQ(info.tx_flags, 0x0018);
  EXPECT_EQ(info.mcs, (RadiotapMcs{0x07, RadiotapMcs::kShortGi, 5}));
  EXPECT_EQ(info.ampdu, (RadiotapAmpdu{0xdeadbeef, 0x000c, 0}));
  // Scapy leaves out the FCS although Flags says it is there: take the frame as it is.
  auto frame = Dot11View::Parse(view->payload());
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->addr2(), MacAddress({0x24, 0x0a, 0xc4, 0x00, 0x00, 0x01}));
}

}  // namespace
}  // namespace airlab::wire
