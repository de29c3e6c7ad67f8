#include "core/espnow/codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

namespace airlab::espnow {
namespace {

const MacAddress kSrc({0x24, 0x0a, 0xc4, 0x01, 0x02, 0x03});
const MacAddress kPeer({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});

std::vector<std::byte> FromHex(const std::string& hex) {
  std::vector<std::byte> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::byte> Pattern(size_t n) {
  std::vector<std::byte> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<std::byte>(i * 7 + 3);
  return p;
}

std::vector<std::byte> EncodeToVector(const EncodeOptions& options, ByteSpan payload) {
  FrameBuffer<kMaxFrameSize> buf;
  EXPECT_TRUE(Encode(options, payload, buf).ok());
  return {buf.bytes().begin(), buf.bytes().end()};
}

uint8_t At(const std::vector<std::byte>& v, size_t i) { return static_cast<uint8_t>(v[i]); }

// A frame assembled field by field, independent of Encode, for frames Encode refuses to
// write: each element is given as its raw id, length, OUI, type, version and data.
struct RawElement {
  uint8_t id = kVendorElementId;
  int length = -1;  // -1: 5 + data size
  std::array<uint8_t, 3> oui = kEspressifOui;
  uint8_t type = kEspnowType;
  uint8_t version = 0x02;
  size_t data = 0;  // bytes of Pattern()
};

struct RawFrame {
  uint16_t fc = 0x00d0;
  MacAddress addr3 = MacAddress::Broadcast();
  uint8_t category = kCategoryVendorSpecific;
  std::array<uint8_t, 3> oui = kEspressifOui;
  std::vector<RawElement> elements;
  std::vector<uint8_t> trailing;
  bool fcs = true;

  std::vector<std::byte> Build() const {
    FrameBuffer<4096> b;
    wire::MgmtHeader h;
    h.fc.raw = fc;
    h.addr1 = kPeer;
    h.addr2 = kSrc;
    h.addr3 = addr3;
    h.seq = wire::SequenceControl::Make(42);
    wire::WriteMgmtHeader(b, h);
    b.PutU8(category).Append(AsBytes(oui.data(), 3)).PutBe32(0xdeadbeef);
    for (const RawElement& e : elements) {
      const auto data = Pattern(e.data);
      b.PutU8(e.id).PutU8(static_cast<uint8_t>(e.length < 0 ? 5 + e.data : e.length));
      b.Append(AsBytes(e.oui.data(), 3)).PutU8(e.type).PutU8(e.version).Append(data);
    }
    b.Append(AsBytes(trailing.data(), trailing.size()));
    if (fcs) wire::AppendFcs(b);
    EXPECT_TRUE(b.ok());
    return {b.bytes().begin(), b.bytes().end()};
  }
};

constexpr DecodeOptions kLenientFcs{Fcs::kPresent, Strictness::kLenient};
constexpr DecodeOptions kStrictFcs{Fcs::kPresent, Strictness::kStrict};

Deviations Of(std::initializer_list<Deviation> list) {
  Deviations d;
  for (Deviation x : list) d.Add(x);
  return d;
}

std::string Names(Deviations d) {
  std::string s;
  for (Deviation x : kAllDeviations) {
    if (d.has(x)) s += std::string(s.empty() ? "" : ",") + DeviationName(x);
  }
  return s;
}

// ---------------------------------------------------------------------------------------

TEST(Encode, V1Hello_MatchesHandAssembledBytes) {
  // Assembled from the field table in docs/reference/espnow.md; the FCS is Python's
  // zlib.crc32 of the bytes before it, little endian.
  const auto golden = FromHex(
      "d0000000ffffffffffff240ac4010203ffffffffffff10007f18fe3401020304"
      "dd0a18fe34040168656c6c6fa855ff93");
  EncodeOptions o;
  o.src = kSrc;
  o.sequence = 1;
  o.random = 0x01020304;
  const auto frame = EncodeToVector(o, AsBytes("hello", 5));
  EXPECT_EQ(frame, golden);
  EXPECT_EQ(frame.size(), EncodedSize(5, true));
}

TEST(Encode, RetryAndAddr3_SetFrameControlAndHeader) {
  EncodeOptions o;
  o.src = kSrc;
  o.dst = kPeer;
  o.addr3 = kPeer;
  o.retry = true;
  o.fcs = false;
  o.duration = 314;
  o.sequence = 0x1fff;  // 13 bits: the 13th is dropped
  const auto frame = EncodeToVector(o, {});
  EXPECT_EQ(At(frame, 0), 0xd0);
  EXPECT_EQ(At(frame, 1), 0x08);
  auto view = FrameView::Parse(frame, {Fcs::kAbsent, Strictness::kStrict});
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->retry());
  EXPECT_EQ(view->duration(), 314);
  EXPECT_EQ(view->sequence(), 0xfff);
  EXPECT_EQ(view->dst(), kPeer);
  EXPECT_EQ(view->addr3(), kPeer);
  EXPECT_FALSE(view->has_fcs());
}

TEST(Encode, PayloadOverVersionMax_ReturnsInvalidArgument) {
  FrameBuffer<kMaxFrameSize + 64> buf;
  const auto big = Pattern(kMaxPayloadV2 + 1);
  EncodeOptions o;
  o.version = Version::kV1;
  EXPECT_EQ(Encode(o, ByteSpan(big).first(251), buf), Status::InvalidArgument());
  o.version = Version::kV2;
  EXPECT_EQ(Encode(o, big, buf), Status::InvalidArgument());
  o.version = static_cast<Version>(3);
  EXPECT_EQ(Encode(o, ByteSpan(big).first(1), buf), Status::InvalidArgument());
  EXPECT_EQ(buf.size(), 0u);
  EXPECT_TRUE(buf.ok());
}

TEST(Encode, BufferTooSmall_ReturnsResourceExhaustedAndWritesNothing) {
  std::array<std::byte, 60> storage{};
  ByteBuilder out(storage);
  out.PutU8(0xaa);
  const auto payload = Pattern(30);  // needs 24 + 8 + 7 + 30 + 4 = 73 bytes
  EXPECT_EQ(Encode({}, payload, out), Status::ResourceExhausted());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(out.status(), Status::ResourceExhausted());
}

TEST(Encode, AfterOtherBytes_FcsCoversOnlyTheFrame) {
  FrameBuffer<128> out;
  out.PutLe32(0x12345678);  // say, a capture header
  EncodeOptions o;
  o.src = kSrc;
  ASSERT_TRUE(Encode(o, AsBytes("x", 1), out).ok());
  const ByteSpan frame = out.bytes().subspan(4);
  EXPECT_TRUE(wire::CheckFcs(frame));
  EXPECT_TRUE(FrameView::Parse(frame, kStrictFcs).ok());
}

// Round trips over the sizes where elements split, checked against the layout itself.
struct RoundTripCase {
  Version version;
  size_t size;
};

void PrintTo(const RoundTripCase& c, std::ostream* os) {
  *os << "v" << static_cast<int>(c.version) << ", " << c.size << " bytes";
}

class RoundTrip : public testing::TestWithParam<RoundTripCase> {};

TEST_P(RoundTrip, EncodeThenParse_GivesBackEveryField) {
  const auto [version, size] = GetParam();
  const auto payload = Pattern(size);
  EncodeOptions o;
  o.src = kSrc;
  o.dst = kPeer;
  o.sequence = 0xabc;
  o.random = 0xcafef00d;
  o.version = version;
  const auto frame = EncodeToVector(o, payload);
  ASSERT_EQ(frame.size(), EncodedSize(size, true));

  Deviations found(0xffff);
  auto view = FrameView::Parse(frame, kStrictFcs, &found);
  ASSERT_TRUE(view.ok()) << view.status().str() << " " << Names(found);
  EXPECT_TRUE(found.empty());
  EXPECT_EQ(view->src(), kSrc);
  EXPECT_EQ(view->dst(), kPeer);
  EXPECT_TRUE(view->addr3().is_broadcast());
  EXPECT_EQ(view->sequence(), 0xabc);
  EXPECT_EQ(view->random(), 0xcafef00du);
  EXPECT_FALSE(view->retry());
  EXPECT_FALSE(view->encrypted());
  EXPECT_EQ(view->version(), static_cast<uint8_t>(version));
  EXPECT_EQ(view->payload_size(), size);

  const size_t elements = size == 0 ? 1 : (size + 249) / 250;
  EXPECT_EQ(view->element_count(), elements);
  // Walk the raw bytes as the table says, independently of the iterator.
  size_t offset = 24 + 8;
  size_t index = 0;
  for (const Element e : view->elements()) {
    const bool last = index + 1 == elements;
    const size_t data = last ? size - 250 * (elements - 1) : 250;
    EXPECT_EQ(At(frame, offset), 0xdd);
    EXPECT_EQ(At(frame, offset + 1), 5 + data);
    EXPECT_EQ(At(frame, offset + 2), 0x18);
    EXPECT_EQ(At(frame, offset + 5), 0x04);
    const uint8_t vb = static_cast<uint8_t>(version) | (last ? 0 : 0x10);
    EXPECT_EQ(At(frame, offset + 6), vb);
    EXPECT_EQ(e.version_byte, vb);
    EXPECT_EQ(e.more_data(), !last);
    EXPECT_EQ(e.data.size(), data);
    EXPECT_EQ(e.data.data(), reinterpret_cast<const std::byte*>(frame.data()) + offset + 7);
    offset += 7 + data;
    ++index;
  }
  EXPECT_EQ(index, elements);
  EXPECT_EQ(offset + 4, frame.size());

  std::vector<std::byte> copy(size + 3);
  const StatusWithSize copied = view->CopyPayload(copy);
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied.size(), size);
  copy.resize(size);
  EXPECT_EQ(copy, payload);

  auto contiguous = view->ContiguousPayload();
  if (elements == 1) {
    ASSERT_TRUE(contiguous.ok());
    EXPECT_EQ(std::vector<std::byte>(contiguous->begin(), contiguous->end()), payload);
  } else {
    EXPECT_EQ(contiguous.status(), Status::FailedPrecondition());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sizes, RoundTrip,
    testing::Values(RoundTripCase{Version::kV1, 0}, RoundTripCase{Version::kV1, 1},
                    RoundTripCase{Version::kV1, 250}, RoundTripCase{Version::kV2, 0},
                    RoundTripCase{Version::kV2, 1}, RoundTripCase{Version::kV2, 17},
                    RoundTripCase{Version::kV2, 250}, RoundTripCase{Version::kV2, 251},
                    RoundTripCase{Version::kV2, 500}, RoundTripCase{Version::kV2, 501},
                    RoundTripCase{Version::kV2, 1000}, RoundTripCase{Version::kV2, 1469},
                    RoundTripCase{Version::kV2, 1470}),
    [](const testing::TestParamInfo<RoundTripCase>& param_info) {
      return "V" + std::to_string(static_cast<int>(param_info.param.version)) + "_" +
             std::to_string(param_info.param.size);
    });

TEST(FrameEncoder, FillsSenderSequenceAndRandom_WrapsAt4096) {
  port::SplitMix64 rng(7);
  port::SplitMix64 expected_rng(7);
  FrameEncoder encoder(kSrc, rng, 4094);
  for (uint16_t expected_seq : {4094, 4095, 0, 1}) {
    FrameBuffer<128> buf;
    EncodeOptions o;
    o.src = kPeer;  // replaced by the encoder's sender
    ASSERT_TRUE(encoder.Encode(o, AsBytes("ab", 2), buf).ok());
    auto view = FrameView::Parse(buf.bytes(), kStrictFcs);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->src(), kSrc);
    EXPECT_EQ(view->sequence(), expected_seq);
    EXPECT_EQ(view->random(), expected_rng.NextU32());
  }
  EXPECT_EQ(encoder.next_sequence(), 2);
}

TEST(FrameEncoder, FailedEncode_DoesNotAdvanceSequence) {
  port::SplitMix64 rng(1);
  FrameEncoder encoder(kSrc, rng, 10);
  FrameBuffer<16> small;
  EXPECT_EQ(encoder.Encode({}, {}, small), Status::ResourceExhausted());
  EXPECT_EQ(encoder.next_sequence(), 10);
}

// ---------------------------------------------------------------------------------------
// Deviations, one at a time, from a good three-element v2 frame.

RawFrame GoodV2() {
  RawFrame f;
  f.elements = {{.version = 0x12, .data = 250},
                {.version = 0x12, .data = 250},
                {.version = 0x02, .data = 40}};
  return f;
}

struct DeviationCase {
  const char* name;
  RawFrame frame;
  Deviations expected;
  Status lenient;          // what lenient Parse returns
  size_t lenient_payload;  // and the payload it finds when it succeeds
};

std::vector<DeviationCase> DeviationCases() {
  std::vector<DeviationCase> cases;
  auto add = [&](const char* name, auto mutate, Deviations expected, Status lenient,
                 size_t payload) {
    RawFrame f = GoodV2();
    mutate(f);
    cases.push_back({name, f, expected, lenient, payload});
  };
  add(
      "good", [](RawFrame&) {}, Deviations(), Status::Ok(), 540);
  add(
      "bad_oui_in_action_header",
      [](RawFrame& f) {
        f.oui = {0x50, 0x6f, 0x9a};
      },
      Of({Deviation::kBadOui}), Status::NotFound(), 0);
  add(
      "bad_oui_in_first_element",
      [](RawFrame& f) {
        f.elements[0].oui = {0, 0x50, 0xf2};
      },
      Of({Deviation::kBadOui}), Status::NotFound(), 0);
  add(
      "bad_oui_in_second_element",
      [](RawFrame& f) {
        f.elements[1].oui = {0, 0x50, 0xf2};
      },
      Of({Deviation::kBadOui}), Status::Ok(), 250);
  add(
      "element_length_under_5", [](RawFrame& f) { f.elements[1].length = 4; },
      Of({Deviation::kBadLength}), Status::Ok(), 250);
  add(
      "first_element_length_under_5", [](RawFrame& f) { f.elements[0].length = 4; },
      Of({Deviation::kBadLength}), Status::OutOfRange(), 0);
  add(
      "element_runs_past_frame", [](RawFrame& f) { f.elements[2].length = 100; },
      Of({Deviation::kBadLength}), Status::Ok(), 500);
  add(
      "first_element_runs_past_frame",
      [](RawFrame& f) { f.elements = {{.length = 40, .data = 10}}; }, Of({Deviation::kBadLength}),
      Status::OutOfRange(), 0);
  add(
      "v1_payload_over_250",
      [](RawFrame& f) {
        f.elements = {{.version = 0x11, .data = 250}, {.version = 0x01, .data = 1}};
      },
      Of({Deviation::kBadLength, Deviation::kBrokenChain}), Status::Ok(), 251);
  add(
      "v2_payload_over_1470",
      [](RawFrame& f) {
        f.elements.assign(6, {.version = 0x12, .data = 250});
        f.elements.back().version = 0x02;
      },
      Of({Deviation::kBadLength}), Status::Ok(), 1500);
  add(
      "non_final_element_without_more_data", [](RawFrame& f) { f.elements[1].version = 0x02; },
      Of({Deviation::kBrokenChain}), Status::Ok(), 500);
  add(
      "more_data_on_last_element", [](RawFrame& f) { f.elements[2].version = 0x12; },
      Of({Deviation::kBrokenChain}), Status::Ok(), 540);
  add(
      "non_vendor_element_in_chain", [](RawFrame& f) { f.elements[1].id = 0x30; },
      Of({Deviation::kBrokenChain}), Status::Ok(), 250);
  add(
      "non_espnow_type_in_chain", [](RawFrame& f) { f.elements[2].type = 0x05; },
      Of({Deviation::kBrokenChain}), Status::Ok(), 500);
  add(
      "addr3_neither_broadcast_nor_da",
      [](RawFrame& f) {
        f.addr3 = MacAddress({2, 0, 0, 0, 0, 1});
      },
      Of({Deviation::kAddr3Mismatch}), Status::Ok(), 540);
  add(
      "not_action_frame", [](RawFrame& f) { f.fc = 0x0080; },  // beacon
      Of({Deviation::kNotAction}), Status::NotFound(), 0);
  add(
      "action_no_ack", [](RawFrame& f) { f.fc = 0x00e0; }, Of({Deviation::kNotAction}),
      Status::NotFound(), 0);
  add(
      "category_not_127", [](RawFrame& f) { f.category = 4; }, Of({Deviation::kBadCategory}),
      Status::NotFound(), 0);
  add(
      "first_element_not_vendor", [](RawFrame& f) { f.elements[0].id = 0x30; },
      Of({Deviation::kBadType}), Status::NotFound(), 0);
  add(
      "wrong_type", [](RawFrame& f) { f.elements[0].type = 0x05; }, Of({Deviation::kBadType}),
      Status::NotFound(), 0);
  add(
      "unknown_version", [](RawFrame& f) { f.elements = {{.version = 0x03, .data = 9}}; },
      Of({Deviation::kBadVersion}), Status::Ok(), 9);
  add(
      "versions_disagree", [](RawFrame& f) { f.elements[2].version = 0x01; },
      Of({Deviation::kBadVersion}), Status::Ok(), 540);
  add(
      "trailing_byte", [](RawFrame& f) { f.trailing = {0x00}; }, Of({Deviation::kBadLength}),
      Status::Ok(), 540);
  add(
      "several_at_once",
      [](RawFrame& f) {
        f.addr3 = MacAddress({2, 0, 0, 0, 0, 1});
        f.elements[2].version = 0x13;
      },
      Of({Deviation::kAddr3Mismatch, Deviation::kBadVersion, Deviation::kBrokenChain}),
      Status::Ok(), 540);
  return cases;
}

TEST(FrameView, Deviations_EachReportedByName_LenientAndStrict) {
  for (const DeviationCase& c : DeviationCases()) {
    SCOPED_TRACE(c.name);
    const auto frame = c.frame.Build();
    Deviations lenient_found(0xffff), strict_found(0xffff);
    auto lenient = FrameView::Parse(frame, kLenientFcs, &lenient_found);
    auto strict = FrameView::Parse(frame, kStrictFcs, &strict_found);
    EXPECT_EQ(Names(lenient_found), Names(c.expected));
    EXPECT_EQ(strict_found, lenient_found);
    EXPECT_EQ(lenient.status(), c.lenient) << lenient.status().str();
    if (lenient.ok()) {
      EXPECT_EQ(lenient->payload_size(), c.lenient_payload);
      EXPECT_EQ(lenient->deviations(), c.expected);
    }
    if (c.expected.empty()) {
      EXPECT_TRUE(strict.ok());
    } else {
      EXPECT_EQ(strict.status(), c.lenient.ok() ? Status::DataLoss() : c.lenient);
    }
  }
}

TEST(FrameView, BadFcs_LenientAcceptsStrictReports) {
  auto frame = GoodV2().Build();
  frame[40] ^= std::byte{0x01};  // a payload bit flipped on the air
  Deviations found;
  auto lenient = FrameView::Parse(frame, kLenientFcs, &found);
  ASSERT_TRUE(lenient.ok());
  EXPECT_EQ(found, Of({Deviation::kBadFcs}));
  EXPECT_EQ(FrameView::Parse(frame, kStrictFcs).status(), Status::DataLoss());
  // Without the FCS flag the same bytes are 4 stray bytes after the last element.
  EXPECT_EQ(FrameView::Parse(frame, {}, &found).status(), Status::Ok());
  EXPECT_EQ(found, Of({Deviation::kBadLength}));
}

TEST(FrameView, Addr3EqualToDestination_IsNoDeviation) {
  RawFrame f = GoodV2();
  f.addr3 = kPeer;
  EXPECT_TRUE(FrameView::Parse(f.Build(), kStrictFcs).ok());
}

TEST(FrameView, Parse_EveryTruncation_NeverOverrunsAndReportsOutOfRangeOrPartial) {
  RawFrame f = GoodV2();
  f.fcs = false;
  const auto frame = f.Build();
  for (size_t n = 0; n <= frame.size(); ++n) {
    SCOPED_TRACE(n);
    const ByteSpan cut = ByteSpan(frame).first(n);
    Deviations found;
    auto view = FrameView::Parse(cut, {}, &found);
    if (n < 24 + 8 + 7) {  // headers or the first element header incomplete
      EXPECT_EQ(view.status(), Status::OutOfRange());
    } else if (n < 24 + 8 + 7 + 250) {  // the first element runs past the end
      EXPECT_EQ(view.status(), Status::OutOfRange());
      EXPECT_TRUE(found.has(Deviation::kBadLength));
    } else if (n == frame.size()) {
      ASSERT_TRUE(view.ok());
      EXPECT_TRUE(found.empty());
      EXPECT_EQ(view->payload_size(), 540u);
    } else {  // a later element cut: lenient keeps the whole elements before it
      ASSERT_TRUE(view.ok());
      EXPECT_FALSE(found.empty());
      EXPECT_EQ(view->payload_size(), n < 24 + 8 + 2 * 257 ? 250u : 500u);
      EXPECT_EQ(FrameView::Parse(cut, {Fcs::kAbsent, Strictness::kStrict}).status(),
                Status::DataLoss());
    }
  }
}

TEST(FrameView, Parse_TooShortForFcs_ReturnsOutOfRange) {
  const std::array<std::byte, 5> tiny{std::byte{0xd0}};
  EXPECT_EQ(FrameView::Parse(tiny, kLenientFcs).status(), Status::OutOfRange());
  EXPECT_EQ(FrameView::Parse(ByteSpan(tiny).first(1)).status(), Status::OutOfRange());
  // A frame control that is not Action is told apart even when the rest is missing.
  const std::array<std::byte, 2> beacon{std::byte{0x80}, std::byte{0}};
  EXPECT_EQ(FrameView::Parse(beacon).status(), Status::NotFound());
}

TEST(FrameView, Protected_GivesAddressesAndEncrypted) {
  FrameBuffer<128> b;
  wire::MgmtHeader h;
  h.fc = wire::FrameControl::Make(wire::FrameType::kManagement, 13,
                                  wire::FrameControl::kProtectedFlag);
  h.addr1 = kPeer;
  h.addr2 = kSrc;
  h.addr3 = MacAddress::Broadcast();
  h.seq = wire::SequenceControl::Make(5);
  wire::WriteMgmtHeader(b, h);
  b.PutU8(1).PutU8(0).PutU8(0).PutU8(0x20).PutLe32(0);  // CCMP header, PN 1, key 0
  b.AppendZeros(20 + 8);                                // ciphertext + MIC
  wire::AppendFcs(b);
  auto view = FrameView::Parse(b.bytes(), kStrictFcs);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->encrypted());
  EXPECT_EQ(view->src(), kSrc);
  EXPECT_EQ(view->dst(), kPeer);
  EXPECT_EQ(view->sequence(), 5);
  EXPECT_EQ(view->payload_size(), 0u);
  EXPECT_EQ(view->element_count(), 0u);
  EXPECT_EQ(view->version(), 0);
  EXPECT_EQ(view->body().size(), 8u + 20 + 8);
  EXPECT_EQ(view->header().size(), 24u);
  EXPECT_EQ(view->ContiguousPayload().status(), Status::FailedPrecondition());

  // Less than a CCMP header and MIC: cannot be a protected ESP-NOW frame.
  EXPECT_EQ(FrameView::Parse(b.bytes().first(24 + 15)).status(), Status::OutOfRange());
}

TEST(FrameView, CopyPayload_ShortBuffer_ReturnsResourceExhaustedWithBytesCopied) {
  EncodeOptions o;
  o.version = Version::kV2;
  const auto payload = Pattern(300);
  const auto frame = EncodeToVector(o, payload);
  auto view = FrameView::Parse(frame, kStrictFcs);
  ASSERT_TRUE(view.ok());
  std::vector<std::byte> out(260);
  const StatusWithSize r = view->CopyPayload(out);
  EXPECT_EQ(r.status(), Status::ResourceExhausted());
  EXPECT_EQ(r.size(), 260u);
  EXPECT_EQ(out, std::vector<std::byte>(payload.begin(), payload.begin() + 260));
}

TEST(Deviations, Names_AreDistinctAndKnown) {
  std::vector<std::string> names;
  uint16_t all = 0;
  for (Deviation d : kAllDeviations) {
    names.push_back(DeviationName(d));
    EXPECT_NE(names.back(), "unknown");
    EXPECT_EQ(all & static_cast<uint16_t>(d), 0);  // one bit each
    all |= static_cast<uint16_t>(d);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
}

}  // namespace
}  // namespace airlab::espnow
