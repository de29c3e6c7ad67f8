#include "core/espnow/ccmp.h"

#include <array>
#include <cstring>

#include "core/base/mac_address.h"
#include "core/wire/dot11.h"

namespace airlab::espnow {
namespace {

using wire::FrameControl;
using wire::FrameType;

constexpr size_t kHeaderSize = wire::kMgmtHeaderSize;
constexpr size_t kAddr1Offset = 4;
constexpr size_t kAddr2Offset = 10;
constexpr size_t kSeqOffset = 22;
constexpr size_t kAddressesSize = 18;  // A1, A2, A3
constexpr size_t kAadSize = 2 + kAddressesSize + 2;
constexpr size_t kKeyIdOctet = 3;  // of the CCMP header
constexpr uint8_t kExtIvBit = 0x20;
constexpr uint8_t kManagementNonceFlag = 0x10;
// The AAD hides what may change on a retransmission or with power state: Retry, PwrMgt,
// MoreData (802.11-2016 12.5.3.3.3).
constexpr uint16_t kAadClearedFlags = 0x0800 | 0x1000 | 0x2000;
constexpr uint16_t kSubtypeLowBits = 0x0070;
constexpr uint16_t kFragmentNumberMask = 0x000f;

using Aad = std::array<std::byte, kAadSize>;

// CCMP here takes management and data frames with a 24-byte header; tells which it is.
Result<bool> IsManagement(ByteSpan mpdu) {
  AIRLAB_TRY_ASSIGN(const wire::Dot11View view, wire::Dot11View::Parse(mpdu));
  const FrameType type = view.fc().type();
  if (type != FrameType::kManagement && type != FrameType::kData) {
    return Status::InvalidArgument();
  }
  if (view.header_size() != kHeaderSize) return Status::Unimplemented();
  return type == FrameType::kManagement;
}

// Nonce: flags (priority 0, as no QoS header is accepted here), A2, PN5..PN0.
port::CcmNonce MakeNonce(ByteSpan header, bool management, uint64_t pn,
                         const MgmtCcmpRules& rules) {
  port::CcmNonce nonce{};
  const MutableByteSpan n(nonce);
  store_u8(n, 0, management && rules.management_nonce_flag ? kManagementNonceFlag : 0);
  std::memcpy(&nonce[1], &header[kAddr2Offset], MacAddress::kSize);
  store_be16(n, 7, static_cast<uint16_t>(pn >> 32));
  store_be32(n, 9, static_cast<uint32_t>(pn));
  return nonce;
}

// AAD: masked frame control, A1, A2, A3, sequence control with the sequence number masked.
Aad MakeAad(ByteSpan header, bool management, const MgmtCcmpRules& rules) {
  uint16_t fc = load_le16(header, 0);
  fc = static_cast<uint16_t>(fc & ~kAadClearedFlags);
  if (!management || rules.mask_subtype) fc = static_cast<uint16_t>(fc & ~kSubtypeLowBits);
  fc |= FrameControl::kProtectedFlag;
  Aad aad{};
  const MutableByteSpan a(aad);
  store_le16(a, 0, fc);
  std::memcpy(&aad[2], &header[kAddr1Offset], kAddressesSize);
  store_le16(a, 2 + kAddressesSize,
             static_cast<uint16_t>(load_le16(header, kSeqOffset) & kFragmentNumberMask));
  return aad;
}

struct ProtectedMpdu {
  bool management;
  uint64_t pn;
};

Result<ProtectedMpdu> ParseProtected(ByteSpan mpdu) {
  AIRLAB_TRY_ASSIGN(const bool management, IsManagement(mpdu));
  if (!FrameControl{load_le16(mpdu, 0)}.protected_frame()) return Status::InvalidArgument();
  if (mpdu.size() < kHeaderSize + kCcmpOverhead) return Status::OutOfRange();
  const ByteSpan ccmp = mpdu.subspan(kHeaderSize, kCcmpHeaderSize);
  if ((load_u8(ccmp, kKeyIdOctet) & kExtIvBit) == 0) return Status::DataLoss();
  // PN0 PN1 in octets 0-1, PN2..PN5 in octets 4-7.
  const uint64_t pn = uint64_t{load_le16(ccmp, 0)} | (uint64_t{load_le32(ccmp, 4)} << 16);
  return ProtectedMpdu{management, pn};
}

}  // namespace

Result<port::Aes128Key> DeriveTemporalKey(port::Aes128& aes, const port::Aes128Key& pmk,
                                          const port::Aes128Key& lmk) {
  port::Aes128Key tk{};
  AIRLAB_TRY(aes.EcbEncryptBlock(pmk, lmk, tk));
  return tk;
}

Status CcmpEncrypt(port::Aes128& aes, const port::Aes128Key& tk, ByteSpan mpdu, uint64_t pn,
                   uint8_t key_id, ByteBuilder& out, const MgmtCcmpRules& rules) {
  if (pn > kMaxPn || key_id > kMaxKeyId) return Status::InvalidArgument();
  AIRLAB_TRY_ASSIGN(const bool management, IsManagement(mpdu));
  const ByteSpan header = mpdu.first(kHeaderSize);
  const ByteSpan body = mpdu.subspan(kHeaderSize);

  const size_t start = out.size();
  const MutableByteSpan dst = out.Reserve(kHeaderSize + kCcmpOverhead + body.size());
  if (dst.empty()) return out.status();
  std::memcpy(dst.data(), header.data(), kHeaderSize);
  store_le16(dst, 0, static_cast<uint16_t>(load_le16(header, 0) | FrameControl::kProtectedFlag));
  const MutableByteSpan ccmp = dst.subspan(kHeaderSize, kCcmpHeaderSize);
  store_le16(ccmp, 0, static_cast<uint16_t>(pn));
  store_u8(ccmp, 2, 0);
  store_u8(ccmp, kKeyIdOctet, static_cast<uint8_t>(kExtIvBit | (key_id << 6)));
  store_le32(ccmp, 4, static_cast<uint32_t>(pn >> 16));

  const port::CcmNonce nonce = MakeNonce(header, management, pn, rules);
  const Aad aad = MakeAad(header, management, rules);
  const Status status =
      aes.CcmEncrypt(tk, nonce, aad, body, dst.subspan(kHeaderSize + kCcmpHeaderSize, body.size()),
                     dst.last<kCcmpMicSize>());
  if (!status.ok()) out.Truncate(start);
  return status;
}

Result<uint64_t> CcmpPacketNumber(ByteSpan mpdu) {
  AIRLAB_TRY_ASSIGN(const ProtectedMpdu parsed, ParseProtected(mpdu));
  return parsed.pn;
}

Result<uint64_t> CcmpDecrypt(port::Aes128& aes, const port::Aes128Key& tk, ByteSpan mpdu,
                             ByteBuilder& out, const MgmtCcmpRules& rules) {
  AIRLAB_TRY_ASSIGN(const ProtectedMpdu parsed, ParseProtected(mpdu));
  const ByteSpan header = mpdu.first(kHeaderSize);
  const ByteSpan ciphertext =
      mpdu.subspan(kHeaderSize + kCcmpHeaderSize, mpdu.size() - kHeaderSize - kCcmpOverhead);

  const size_t start = out.size();
  const MutableByteSpan dst = out.Reserve(kHeaderSize + ciphertext.size());
  if (dst.empty()) return out.status();
  std::memcpy(dst.data(), header.data(), kHeaderSize);
  store_le16(dst, 0, static_cast<uint16_t>(load_le16(header, 0) & ~FrameControl::kProtectedFlag));

  const port::CcmNonce nonce = MakeNonce(header, parsed.management, parsed.pn, rules);
  const Aad aad = MakeAad(header, parsed.management, rules);
  if (Status status = aes.CcmDecrypt(tk, nonce, aad, ciphertext, mpdu.last<kCcmpMicSize>(),
                                     dst.subspan(kHeaderSize));
      !status.ok()) {
    out.Truncate(start);
    return status;
  }
  return parsed.pn;
}

}  // namespace airlab::espnow
