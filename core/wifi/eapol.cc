#include "core/wifi/eapol.h"

#include <algorithm>
#include <cstring>

namespace airlab::wifi {
namespace {

constexpr size_t kEapolBodyLengthOffset = 2;
constexpr size_t kKeyIvAndRscAndReservedSize = 16 + 8 + 8;
constexpr uint8_t kElementIdRsn = 48;
constexpr uint8_t kElementIdVendor = 0xdd;
constexpr uint8_t kOuiIeee[] = {0x00, 0x0f, 0xac};
constexpr size_t kKdeHeaderSize = 4;    // OUI and data type, after the element header
constexpr size_t kGtkKdeFixedSize = 2;  // key id / Tx, reserved
constexpr size_t kKeyWrapBlock = 8;
constexpr size_t kMinWrappedPlaintext = 16;

// One element of key data: id and body.
struct KeyDataElement {
  uint8_t id;
  ByteSpan body;
};

// The rest of the key data after a 0xDD: zeros only (all_of stops at the first other byte).
bool IsPadding(ByteSpan rest) {
  return std::all_of(rest.begin(), rest.end(), [](std::byte b) { return b == std::byte{0}; });
}

// Walks key data element by element until `visit` returns true. The padding (0xDD then
// zeros to the end) ends the walk. kOutOfRange when an element runs past the data.
template <typename Visit>
Status WalkKeyData(ByteSpan key_data, Visit visit) {
  size_t offset = 0;
  while (offset < key_data.size()) {
    const uint8_t id = load_u8(key_data, offset);
    if (id == kElementIdVendor && IsPadding(key_data.subspan(offset + 1))) break;
    if (!InBounds(key_data.size(), offset, 2)) return Status::OutOfRange();
    const size_t length = load_u8(key_data, offset + 1);
    if (!InBounds(key_data.size(), offset + 2, length)) return Status::OutOfRange();
    if (visit(KeyDataElement{id, key_data.subspan(offset + 2, length)})) break;
    offset += 2 + length;
  }
  return Status::Ok();
}

bool IsKde(const KeyDataElement& e, uint8_t type) {
  return e.id == kElementIdVendor && e.body.size() >= kKdeHeaderSize &&
         std::equal(e.body.begin(), e.body.begin() + 3, AsBytes(kOuiIeee, 3).begin()) &&
         load_u8(e.body, 3) == type;
}

}  // namespace

Result<EapolKeyView> EapolKeyView::Parse(ByteSpan eapol) {
  if (eapol.size() < kEapolHeaderSize) return Status::OutOfRange();
  const size_t body_length = load_be16(eapol, kEapolBodyLengthOffset);
  if (!InBounds(eapol.size(), kEapolHeaderSize, body_length)) return Status::OutOfRange();
  if (load_u8(eapol, 1) != kEapolPacketTypeKey) return Status::InvalidArgument();
  const ByteSpan frame = eapol.first(kEapolHeaderSize + body_length);
  if (frame.size() < kEapolKeyFixedSize) return Status::OutOfRange();
  if (load_u8(frame, kEapolHeaderSize) != kKeyDescriptorRsn) return Status::Unimplemented();
  const size_t key_data_length = load_be16(frame, kEapolKeyDataLengthOffset);
  if (key_data_length > frame.size() - kEapolKeyFixedSize) return Status::OutOfRange();
  return EapolKeyView(frame);
}

ByteSpan EapolKeyView::key_data() const {
  return bytes_.subspan(kEapolKeyFixedSize, load_be16(bytes_, kEapolKeyDataLengthOffset));
}

Status EapolKeyView::VerifyMic(port::Sha1& sha1, const Kck& kck) const {
  AIRLAB_TRY_ASSIGN(const Mic expected, EapolMic(sha1, kck, bytes_));
  // Compared without an early exit, so the time taken does not tell how much matched.
  uint8_t diff = 0;
  for (size_t i = 0; i < kMicSize; ++i) diff |= static_cast<uint8_t>(expected[i] ^ mic()[i]);
  return diff == 0 ? Status::Ok() : Status::PermissionDenied();
}

Status BuildEapolKey(ByteBuilder& out, const EapolKeyFields& fields) {
  if (!fields.nonce.empty() && fields.nonce.size() != kNonceSize) return Status::InvalidArgument();
  const size_t body_length = kEapolKeyFixedSize - kEapolHeaderSize + fields.key_data.size();
  if (fields.key_data.size() > 0xffff || body_length > 0xffff) return Status::InvalidArgument();
  const size_t start = out.size();
  out.PutU8(fields.protocol_version).PutU8(kEapolPacketTypeKey);
  out.PutBe16(static_cast<uint16_t>(body_length));
  out.PutU8(kKeyDescriptorRsn).PutBe16(fields.key_info).PutBe16(fields.key_length);
  out.PutBe16(static_cast<uint16_t>(fields.replay_counter >> 48));
  out.PutBe16(static_cast<uint16_t>(fields.replay_counter >> 32));
  out.PutBe32(static_cast<uint32_t>(fields.replay_counter));
  if (fields.nonce.empty()) {
    out.AppendZeros(kNonceSize);
  } else {
    out.Append(fields.nonce);
  }
  out.AppendZeros(16);  // key IV: zero with descriptor version 2
  out.PutLe64(fields.key_rsc);
  out.AppendZeros(kKeyIvAndRscAndReservedSize - 16 - 8);  // reserved
  out.AppendZeros(kMicSize);
  out.PutBe16(static_cast<uint16_t>(fields.key_data.size())).Append(fields.key_data);
  if (!out.ok()) {
    out.Truncate(start);
    return out.status();
  }
  return Status::Ok();
}

Status WriteEapolMic(port::Sha1& sha1, const Kck& kck, MutableByteSpan frame) {
  AIRLAB_TRY_ASSIGN(const Mic mic, EapolMic(sha1, kck, frame));
  std::memcpy(frame.data() + kEapolMicOffset, mic.data(), kMicSize);
  return Status::Ok();
}

Status AppendGtkKde(ByteBuilder& out, const GtkKde& kde) {
  if (kde.key_id == 0 || kde.key_id > 3) return Status::InvalidArgument();
  out.PutU8(kElementIdVendor).PutU8(kKdeHeaderSize + kGtkKdeFixedSize + kGtkSize);
  out.Append(AsBytes(kOuiIeee, 3)).PutU8(kKdeGtk);
  out.PutU8(static_cast<uint8_t>(kde.key_id | (kde.tx ? 0x04 : 0))).PutU8(0);
  out.Append(kde.gtk);
  return out.status();
}

Status PadKeyData(ByteBuilder& out, size_t start) {
  const size_t length = out.size() - start;
  size_t padded =
      std::max(kMinWrappedPlaintext, (length + kKeyWrapBlock - 1) / kKeyWrapBlock * kKeyWrapBlock);
  if (padded == length) return out.status();
  out.PutU8(kElementIdVendor).AppendZeros(padded - length - 1);
  return out.status();
}

Result<GtkKde> FindGtkKde(ByteSpan key_data) {
  Result<GtkKde> found = Status::NotFound();
  const Status walked = WalkKeyData(key_data, [&](const KeyDataElement& e) {
    if (!IsKde(e, kKdeGtk)) return false;
    const ByteSpan data = e.body.subspan(kKdeHeaderSize);
    if (data.size() != kGtkKdeFixedSize + kGtkSize || (load_u8(data, 0) & 0x03) == 0) {
      found = Status::InvalidArgument();
      return true;
    }
    GtkKde kde;
    kde.key_id = load_u8(data, 0) & 0x03;
    kde.tx = (load_u8(data, 0) & 0x04) != 0;
    std::memcpy(kde.gtk.data(), data.data() + kGtkKdeFixedSize, kGtkSize);
    found = kde;
    return true;
  });
  if (!walked.ok()) return walked;
  return found;
}

Result<ByteSpan> FindRsnElement(ByteSpan key_data) {
  Result<ByteSpan> found = Status::NotFound();
  const Status walked = WalkKeyData(key_data, [&](const KeyDataElement& e) {
    if (e.id != kElementIdRsn) return false;
    // The element whole: its header sits just before the body.
    found = ByteSpan(e.body.data() - 2, e.body.size() + 2);
    return true;
  });
  if (!walked.ok()) return walked;
  return found;
}

}  // namespace airlab::wifi
