#include "core/espnow/codec.h"

#include <algorithm>
#include <cstring>

#include "core/espnow/ccmp.h"

namespace airlab::espnow {
namespace {

constexpr size_t kElementDataOffset = kElementHeaderSize;  // from the element's id byte
constexpr size_t kElementMinLength = 5;                    // OUI, type, version

ByteSpan OuiBytes() { return AsBytes(kEspressifOui.data(), kEspressifOui.size()); }

bool IsEspressifOui(ByteSpan b, size_t offset) {
  return std::memcmp(b.data() + offset, kEspressifOui.data(), kEspressifOui.size()) == 0;
}

}  // namespace

Status Encode(const EncodeOptions& options, ByteSpan payload, ByteBuilder& out) {
  if (options.version != Version::kV1 && options.version != Version::kV2) {
    return Status::InvalidArgument();
  }
  if (payload.size() > MaxPayload(options.version)) return Status::InvalidArgument();
  // Reserve the whole frame first: nothing half-written on failure, and the FCS covers
  // only this frame even when `out` already holds something (a radiotap header, say).
  ByteBuilder frame(out.Reserve(EncodedSize(payload.size(), options.fcs)));
  if (!out.ok()) return out.status();

  wire::MgmtHeader header;
  header.fc = wire::FrameControl::Make(wire::FrameType::kManagement,
                                       static_cast<uint8_t>(wire::MgmtSubtype::kAction),
                                       options.retry ? wire::FrameControl::kRetryFlag : 0);
  header.duration = options.duration;
  header.addr1 = options.dst;
  header.addr2 = options.src;
  header.addr3 = options.addr3;
  header.seq = wire::SequenceControl::Make(options.sequence);
  wire::WriteMgmtHeader(frame, header);
  frame.PutU8(kCategoryVendorSpecific).Append(OuiBytes()).PutBe32(options.random);

  const uint8_t version = static_cast<uint8_t>(options.version);
  size_t done = 0;
  do {  // at least one element, even for an empty payload
    const size_t chunk = std::min(kMaxElementData, payload.size() - done);
    const bool last = done + chunk == payload.size();
    frame.PutU8(kVendorElementId)
        .PutU8(static_cast<uint8_t>(kElementMinLength + chunk))
        .Append(OuiBytes())
        .PutU8(kEspnowType)
        .PutU8(last ? version : version | kMoreDataBit)
        .Append(payload.subspan(done, chunk));
    done += chunk;
  } while (done < payload.size());
  if (options.fcs) wire::AppendFcs(frame);
  AIRLAB_ASSERT(frame.ok() && frame.size() == frame.capacity());
  return Status::Ok();
}

Status FrameEncoder::Encode(EncodeOptions options, ByteSpan payload, ByteBuilder& out) {
  options.src = src_;
  options.sequence = next_sequence_;
  options.random = rng_.NextU32();
  AIRLAB_TRY(espnow::Encode(options, payload, out));
  next_sequence_ = (next_sequence_ + 1) & 0xfff;
  return Status::Ok();
}

const char* DeviationName(Deviation d) {
  switch (d) {
    case Deviation::kNotAction: return "not_action";
    case Deviation::kBadCategory: return "bad_category";
    case Deviation::kBadOui: return "bad_oui";
    case Deviation::kBadType: return "bad_type";
    case Deviation::kBadVersion: return "bad_version";
    case Deviation::kBadLength: return "bad_length";
    case Deviation::kBrokenChain: return "broken_chain";
    case Deviation::kAddr3Mismatch: return "addr3_mismatch";
    case Deviation::kBadFcs: return "bad_fcs";
  }
  return "unknown";
}

Element ElementIterator::operator*() const {
  const size_t length = load_u8(body_, offset_ + 1);
  return {load_u8(body_, offset_ + kElementDataOffset - 1),
          body_.subspan(offset_ + kElementDataOffset, length - kElementMinLength)};
}

ElementIterator& ElementIterator::operator++() {
  offset_ += 2 + load_u8(body_, offset_ + 1);
  --remaining_;
  return *this;
}

Result<FrameView> FrameView::Parse(ByteSpan mpdu, const DecodeOptions& options,
                                   Deviations* deviations) {
  FrameView view;
  const Status status = view.Init(mpdu, options.fcs);
  if (deviations != nullptr) *deviations = view.deviations_;
  if (!status.ok()) return status;
  if (options.strictness == Strictness::kStrict && !view.deviations_.empty()) {
    return Status::DataLoss();
  }
  return view;
}

// Identity (is this ESP-NOW at all?) is judged on whatever bytes are there before lengths,
// so a short frame of another kind reads as kNotFound, not as a truncated ESP-NOW frame.
Status FrameView::Init(ByteSpan mpdu, Fcs fcs) {
  bytes_ = mpdu;
  has_fcs_ = fcs == Fcs::kPresent;
  const size_t fcs_size = has_fcs_ ? wire::kFcsSize : 0;
  if (mpdu.size() < 2 + fcs_size) return Status::OutOfRange();
  const wire::FrameControl fc{load_le16(mpdu, 0)};
  if (fc.version() != 0 || fc.type() != wire::FrameType::kManagement ||
      fc.subtype() != static_cast<uint8_t>(wire::MgmtSubtype::kAction)) {
    deviations_.Add(Deviation::kNotAction);
    return Status::NotFound();
  }
  AIRLAB_TRY_ASSIGN(const wire::Dot11View dot11,
                    wire::Dot11View::Parse(mpdu.first(mpdu.size() - fcs_size)));
  header_size_ = static_cast<uint32_t>(dot11.header_size());
  body_size_ = static_cast<uint32_t>(dot11.body().size());
  if (has_fcs_ && !wire::CheckFcs(mpdu)) deviations_.Add(Deviation::kBadFcs);
  if (const MacAddress a3 = addr3(); !a3.is_broadcast() && a3 != dst()) {
    deviations_.Add(Deviation::kAddr3Mismatch);
  }
  if (fc.protected_frame()) {
    // A protected body has at least the CCMP header and MIC (802.11-2016 12.5.3.2).
    return body_size_ < kCcmpOverhead ? Status::OutOfRange() : Status::Ok();
  }
  return InitElements(dot11.body());
}

Status FrameView::InitElements(ByteSpan body) {
  if (body.empty()) return Status::OutOfRange();
  if (load_u8(body, 0) != kCategoryVendorSpecific) {
    deviations_.Add(Deviation::kBadCategory);
    return Status::NotFound();
  }
  if (body.size() < kActionHeaderSize) return Status::OutOfRange();
  bool espnow = IsEspressifOui(body, 1);
  if (!espnow) deviations_.Add(Deviation::kBadOui);

  // The first element says whether there is an ESP-NOW payload at all.
  size_t offset = kActionHeaderSize;
  if (!InBounds(body.size(), offset, kElementDataOffset - 1)) {  // id .. type
    deviations_.Add(Deviation::kBadLength);
    return espnow ? Status::OutOfRange() : Status::NotFound();
  }
  if (load_u8(body, offset) != kVendorElementId || load_u8(body, offset + 5) != kEspnowType) {
    deviations_.Add(Deviation::kBadType);
    espnow = false;
  }
  if (!IsEspressifOui(body, offset + 2)) {
    deviations_.Add(Deviation::kBadOui);
    espnow = false;
  }
  size_t length = load_u8(body, offset + 1);
  if (length < kElementMinLength || !InBounds(body.size(), offset + 2, length)) {
    deviations_.Add(Deviation::kBadLength);
    return espnow ? Status::OutOfRange() : Status::NotFound();
  }
  if (!espnow) return Status::NotFound();

  uint8_t version_byte = load_u8(body, offset + kElementDataOffset - 1);
  version_ = version_byte & 0x0f;
  if (version_ != static_cast<uint8_t>(Version::kV1) &&
      version_ != static_cast<uint8_t>(Version::kV2)) {
    deviations_.Add(Deviation::kBadVersion);
  }
  size_t payload = length - kElementMinLength;
  size_t count = 1;
  offset += 2 + length;

  // Follow "more data"; a lenient payload is the elements up to the first break.
  bool more = (version_byte & kMoreDataBit) != 0;
  while (more) {
    if (offset == body.size()) {  // more data promised on the last element
      deviations_.Add(Deviation::kBrokenChain);
      break;
    }
    if (!InBounds(body.size(), offset, 2) ||
        !InBounds(body.size(), offset + 2, load_u8(body, offset + 1))) {
      deviations_.Add(Deviation::kBadLength);
      break;
    }
    length = load_u8(body, offset + 1);
    if (load_u8(body, offset) != kVendorElementId) {
      deviations_.Add(Deviation::kBrokenChain);
      break;
    }
    if (length < kElementMinLength) {
      deviations_.Add(Deviation::kBadLength);
      break;
    }
    if (!IsEspressifOui(body, offset + 2)) {
      deviations_.Add(Deviation::kBadOui);
      break;
    }
    if (load_u8(body, offset + 5) != kEspnowType) {
      deviations_.Add(Deviation::kBrokenChain);
      break;
    }
    version_byte = load_u8(body, offset + kElementDataOffset - 1);
    if ((version_byte & 0x0f) != version_) deviations_.Add(Deviation::kBadVersion);
    payload += length - kElementMinLength;
    ++count;
    offset += 2 + length;
    more = (version_byte & kMoreDataBit) != 0;
  }
  if (!more && offset < body.size()) {
    // Bytes after the final element: a whole element there is one that should have been
    // announced by "more data"; anything else does not add up.
    const bool whole_element = InBounds(body.size(), offset, 2) &&
                               InBounds(body.size(), offset + 2, load_u8(body, offset + 1));
    deviations_.Add(whole_element ? Deviation::kBrokenChain : Deviation::kBadLength);
  }
  if (version_ == static_cast<uint8_t>(Version::kV1) && count > 1) {
    deviations_.Add(Deviation::kBrokenChain);  // v1 has no chains
  }
  if (payload > (version_ == static_cast<uint8_t>(Version::kV1) ? kMaxPayloadV1 : kMaxPayloadV2)) {
    deviations_.Add(Deviation::kBadLength);
  }
  payload_size_ = static_cast<uint32_t>(payload);
  element_count_ = static_cast<uint32_t>(count);
  return Status::Ok();
}

uint32_t FrameView::random() const { return encrypted() ? 0 : load_be32(body(), 4); }

ElementRange FrameView::elements() const {
  return {ElementIterator(body(), kActionHeaderSize, element_count_), ElementIterator()};
}

Result<ByteSpan> FrameView::ContiguousPayload() const {
  if (element_count_ != 1) return Status::FailedPrecondition();
  return (*elements().begin()).data;
}

StatusWithSize FrameView::CopyPayload(MutableByteSpan out) const {
  size_t copied = 0;
  for (const Element element : elements()) {
    const size_t n = std::min(element.data.size(), out.size() - copied);
    if (n > 0) std::memcpy(out.data() + copied, element.data.data(), n);
    copied += n;
    if (n < element.data.size()) return StatusWithSize(Status::ResourceExhausted(), copied);
  }
  return StatusWithSize(copied);
}

}  // namespace airlab::espnow
