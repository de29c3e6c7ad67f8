#pragma once
// ESP-NOW frame codec (v1 and v2): an encoder into a ByteBuilder and a zero-copy FrameView.
// Frame layout (docs/reference/espnow.md, ESP-IDF docs "Frame Format"): a 24-byte management
// header (Action), category 127, OUI 18:fe:34, 4 random bytes, then one vendor element
// (v1) or a chain of them (v2, "more data" bit in each non-final element's version byte),
// each `dd len 18 fe 34 04 version data...`, and optionally the FCS.

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/port/rng.h"
#include "core/wire/dot11.h"

namespace airlab::espnow {

inline constexpr std::array<uint8_t, 3> kEspressifOui = {0x18, 0xfe, 0x34};
inline constexpr uint8_t kCategoryVendorSpecific = 127;
inline constexpr uint8_t kVendorElementId = 0xdd;
inline constexpr uint8_t kEspnowType = 0x04;
inline constexpr uint8_t kMoreDataBit = 0x10;  // in an element's version byte (v2)

inline constexpr size_t kMaxPayloadV1 = 250;
inline constexpr size_t kMaxPayloadV2 = 1470;
// A vendor element's length byte counts OUI, type and version (5) plus the data, at most 255.
inline constexpr size_t kElementHeaderSize = 7;  // id, length, OUI, type, version
inline constexpr size_t kMaxElementData = 255 - 5;
// Category, OUI and the random field, between the MAC header and the first element.
inline constexpr size_t kActionHeaderSize = 8;

enum class Version : uint8_t { kV1 = 1, kV2 = 2 };

constexpr size_t MaxPayload(Version v) { return v == Version::kV1 ? kMaxPayloadV1 : kMaxPayloadV2; }
// Vendor elements needed for `payload_size` bytes (at least one, even for an empty payload).
constexpr size_t ElementCount(size_t payload_size) {
  return payload_size == 0 ? 1 : (payload_size + kMaxElementData - 1) / kMaxElementData;
}
// Bytes Encode writes for a payload of `payload_size`.
constexpr size_t EncodedSize(size_t payload_size, bool fcs) {
  return wire::kMgmtHeaderSize + kActionHeaderSize +
         ElementCount(payload_size) * kElementHeaderSize + payload_size +
         (fcs ? wire::kFcsSize : 0);
}
inline constexpr size_t kMaxFrameSize = EncodedSize(kMaxPayloadV2, true);  // 1548

// ---------------------------------------------------------------------------------------
// Encoding

struct EncodeOptions {
  MacAddress dst = MacAddress::Broadcast();  // addr1: the peer, or broadcast
  MacAddress src;                            // addr2: the sender's interface MAC
  // ESP-IDF sends broadcast here; some senders put the DA. Anything else is for testing
  // receivers (strict decoding reports it).
  MacAddress addr3 = MacAddress::Broadcast();
  uint16_t sequence = 0;  // 12 bits; higher bits are dropped
  // The 4 random bytes, most significant first on the air (so hex text reads as the bytes).
  uint32_t random = 0;
  bool retry = false;
  Version version = Version::kV1;
  bool fcs = true;  // append the CRC-32 FCS (what the radio sends; captures often strip it)
  uint16_t duration = 0;
};

// Appends one ESP-NOW frame carrying `payload`. v2 payloads over 250 bytes are split over
// elements of 250 bytes; every element but the last has the "more data" bit (0x12).
// Returns kInvalidArgument when the payload is longer than the version allows (250 / 1470)
// and kResourceExhausted (also left sticky in `out`) when `out` cannot hold
// EncodedSize(payload.size(), options.fcs) more bytes; then nothing is written.
Status Encode(const EncodeOptions& options, ByteSpan payload, ByteBuilder& out);

// Encodes the frames of one sender: its address, its 12-bit sequence counter, and a fresh
// random field from `rng` for each frame (receivers drop duplicates by sender, sequence and
// random). Keep one per sending interface; `rng` must outlive it.
class FrameEncoder {
 public:
  FrameEncoder(MacAddress src, port::Rng& rng, uint16_t first_sequence = 0)
      : src_(src), rng_(rng), next_sequence_(first_sequence & 0xfff) {}

  // Encode() with options.src, sequence and random replaced; the counter advances (modulo
  // 4096) only when the frame was written. Same Status as Encode().
  Status Encode(EncodeOptions options, ByteSpan payload, ByteBuilder& out);

  MacAddress src() const { return src_; }
  uint16_t next_sequence() const { return next_sequence_; }

 private:
  MacAddress src_;
  port::Rng& rng_;
  uint16_t next_sequence_;
};

// ---------------------------------------------------------------------------------------
// Decoding

// What a strict decoder finds off in a frame. Lenient decoding finds the same things but
// accepts the frame when a payload can still be had (see FrameView::Parse).
enum class Deviation : uint16_t {
  kNotAction = 1u << 0,      // not a management Action frame (type, subtype or version)
  kBadCategory = 1u << 1,    // category is not 127 (vendor specific)
  kBadOui = 1u << 2,         // OUI of the action header or of an element is not 18:fe:34
  kBadType = 1u << 3,        // first element is not a vendor element of type 4 (ESP-NOW)
  kBadVersion = 1u << 4,     // version not 1 or 2, or elements of one frame disagree
  kBadLength = 1u << 5,      // element length < 5 or past the frame, trailing bytes, or
                             // payload longer than its version allows
  kBrokenChain = 1u << 6,    // more data on the last element, an element after the last,
                             // or a non-ESP-NOW element where more data was promised
  kAddr3Mismatch = 1u << 7,  // addr3 neither broadcast nor the destination
  kBadFcs = 1u << 8,         // the FCS does not match
};

inline constexpr std::array<Deviation, 9> kAllDeviations = {
    Deviation::kNotAction,   Deviation::kBadCategory,   Deviation::kBadOui,
    Deviation::kBadType,     Deviation::kBadVersion,    Deviation::kBadLength,
    Deviation::kBrokenChain, Deviation::kAddr3Mismatch, Deviation::kBadFcs};

// A stable lower-case name ("bad_oui") for printing.
const char* DeviationName(Deviation d);

class Deviations {
 public:
  constexpr Deviations() = default;
  constexpr explicit Deviations(uint16_t bits) : bits_(bits) {}
  constexpr bool has(Deviation d) const { return (bits_ & static_cast<uint16_t>(d)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint16_t bits() const { return bits_; }
  constexpr void Add(Deviation d) { bits_ |= static_cast<uint16_t>(d); }
  friend constexpr bool operator==(Deviations, Deviations) = default;

 private:
  uint16_t bits_ = 0;
};

enum class Fcs : uint8_t { kAbsent, kPresent };
enum class Strictness : uint8_t { kLenient, kStrict };

struct DecodeOptions {
  Fcs fcs = Fcs::kAbsent;  // whether the last 4 bytes of the MPDU are its FCS
  Strictness strictness = Strictness::kLenient;
};

// One vendor element of the payload chain.
struct Element {
  uint8_t version_byte = 0;  // low nibble: version; bit 4: more data
  ByteSpan data;             // this element's share of the payload

  constexpr uint8_t version() const { return version_byte & 0x0f; }
  constexpr bool more_data() const { return (version_byte & kMoreDataBit) != 0; }
};

// Walks the elements FrameView::Parse accepted into the payload chain.
class ElementIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = Element;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Element;

  constexpr ElementIterator() = default;
  constexpr ElementIterator(ByteSpan body, size_t offset, size_t remaining)
      : body_(body), offset_(offset), remaining_(remaining) {}

  Element operator*() const;
  ElementIterator& operator++();
  ElementIterator operator++(int) {
    ElementIterator before = *this;
    ++*this;
    return before;
  }
  friend constexpr bool operator==(const ElementIterator& a, const ElementIterator& b) {
    return a.remaining_ == b.remaining_;
  }

 private:
  ByteSpan body_;
  size_t offset_ = 0;
  size_t remaining_ = 0;
};

class ElementRange {
 public:
  constexpr ElementRange(ElementIterator begin, ElementIterator end) : begin_(begin), end_(end) {}
  constexpr ElementIterator begin() const { return begin_; }
  constexpr ElementIterator end() const { return end_; }

 private:
  ElementIterator begin_, end_;
};

// A zero-copy view of one ESP-NOW frame. It lives as long as the bytes it was parsed from.
class FrameView {
 public:
  // Parses an MPDU (no radiotap or other capture header) with or without its FCS.
  //
  // Lenient (default) accepts what real receivers accept: v1 in a v2 receiver, any addr3,
  // any random bytes, a bad FCS (a capture may keep those), a chain cut short (the payload
  // is then the elements up to the break). It fails only when there is no payload:
  //   kNotFound    not ESP-NOW: not an Action frame, category not 127, an OUI not
  //                Espressif's, or no ESP-NOW vendor element first;
  //   kOutOfRange  too short for the headers, or the first element runs past the end.
  // Strict additionally fails with kDataLoss when any deviation is present.
  // A protected (CCMP) frame parses as far as its header: encrypted() is true and the
  // payload is empty; decrypting it is the Stack's business (body() hands it over).
  // When `deviations` is given it receives every deviation found, on success and failure.
  static Result<FrameView> Parse(ByteSpan mpdu, const DecodeOptions& options = {},
                                 Deviations* deviations = nullptr);

  MacAddress dst() const { return MacAddress::FromBytes(bytes_.subspan(4)); }
  MacAddress src() const { return MacAddress::FromBytes(bytes_.subspan(10)); }
  MacAddress addr3() const { return MacAddress::FromBytes(bytes_.subspan(16)); }
  wire::FrameControl fc() const { return {load_le16(bytes_, 0)}; }
  uint16_t duration() const { return load_le16(bytes_, 2); }
  uint16_t sequence() const { return wire::SequenceControl{load_le16(bytes_, 22)}.sequence(); }
  bool retry() const { return fc().retry(); }
  bool encrypted() const { return fc().protected_frame(); }
  bool has_fcs() const { return has_fcs_; }

  // The random field, read most significant first (0 when encrypted).
  uint32_t random() const;
  // The version nibble of the first element (1 or 2 in well-formed frames; 0 when encrypted).
  uint8_t version() const { return version_; }
  Deviations deviations() const { return deviations_; }

  size_t element_count() const { return element_count_; }
  ElementRange elements() const;
  size_t payload_size() const { return payload_size_; }
  // The payload as one span, when it sits in one element (always for v1); kFailedPrecondition
  // when it is spread over several (use CopyPayload).
  Result<ByteSpan> ContiguousPayload() const;
  // Copies the payload, joined across elements, into `out`. kResourceExhausted with the
  // bytes copied when `out` is shorter than payload_size().
  StatusWithSize CopyPayload(MutableByteSpan out) const;

  ByteSpan bytes() const { return bytes_; }                                   // the whole MPDU
  ByteSpan header() const { return bytes_.first(header_size_); }              // the MAC header
  ByteSpan body() const { return bytes_.subspan(header_size_, body_size_); }  // no FCS

 private:
  FrameView() = default;
  // Fills the view and deviations_; returns the lenient verdict.
  Status Init(ByteSpan mpdu, Fcs fcs);
  Status InitElements(ByteSpan body);

  ByteSpan bytes_;
  uint32_t header_size_ = 0;
  uint32_t body_size_ = 0;
  uint32_t payload_size_ = 0;
  uint32_t element_count_ = 0;
  uint8_t version_ = 0;
  bool has_fcs_ = false;
  Deviations deviations_;
};

}  // namespace airlab::espnow
