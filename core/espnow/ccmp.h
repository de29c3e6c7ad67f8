#pragma once
// ESP-NOW encryption: CCMP (IEEE 802.11-2016 12.5.3) around the AES-CCM of port::Aes128.
//
// What ESP32s put on the air, checked against a frame captured from two ESP32s
// (https://esp32.com/viewtopic.php?t=16414, PMK = LMK = zeros) and against ESPythoNOW,
// a Linux peer that interoperates with them:
// - temporal key = AES-128-ECB(key = PMK, block = LMK) (Espressif in espressif/esp-now#128);
// - CCMP header PN0 PN1 00 (0x20 | key id << 6) PN2..PN5, ESP32s send key id 3;
// - nonce and AAD as 802.11i-2004 built them for every frame: no Management flag in the
//   nonce and the subtype masked out of the AAD's frame control, where 802.11w (and
//   802.11-2016) would set the flag and keep the subtype for a management frame. The
//   captured frame's MIC verifies only this way; see kEspNowMgmtCcmp.
//
// Frames are MPDUs without FCS: check and strip it before decrypting, append it after
// encrypting. Headers of 24 bytes only (management, and data without QoS or addr4), which
// is all ESP-NOW sends.

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/port/cipher.h"

namespace airlab::espnow {

inline constexpr size_t kCcmpHeaderSize = 8;
inline constexpr size_t kCcmpMicSize = port::kCcmTagSize;
// Bytes a frame grows by when protected.
inline constexpr size_t kCcmpOverhead = kCcmpHeaderSize + kCcmpMicSize;
// The PN is a 48-bit counter.
inline constexpr uint64_t kMaxPn = (uint64_t{1} << 48) - 1;
inline constexpr uint8_t kMaxKeyId = 3;
// The key id ESP32s write into the CCMP header (the captured frame; ESPythoNOW sends the
// same). It is not authenticated, and receivers do not check it.
inline constexpr uint8_t kEspNowKeyId = 3;

// How the nonce and the AAD treat a management frame (802.11-2016 12.5.3.3.3-4); data
// frames are the same under every rule set.
struct MgmtCcmpRules {
  bool management_nonce_flag;  // nonce flags bit 4, added for protected management frames
  bool mask_subtype;           // clear frame-control subtype bits 4-6 in the AAD
};
// ESP-NOW's action frames: 802.11i-2004 rules, which treated every frame like data.
inline constexpr MgmtCcmpRules kEspNowMgmtCcmp{.management_nonce_flag = false,
                                               .mask_subtype = true};
// Standard protected management frames (802.11w, 802.11-2016): not what ESP32s do.
inline constexpr MgmtCcmpRules kIeee80211MgmtCcmp{.management_nonce_flag = true,
                                                  .mask_subtype = false};

// The key CCMP uses with a peer: AES-128-ECB(key = pmk, block = lmk).
// kInternal if the cipher backend fails.
Result<port::Aes128Key> DeriveTemporalKey(port::Aes128& aes, const port::Aes128Key& pmk,
                                          const port::Aes128Key& lmk);

// Appends the protected form of `mpdu` (24-byte header + body) to `out`: the header with
// the Protected bit set, the CCMP header with `pn` and `key_id`, the encrypted body and
// the MIC. `mpdu` must not overlap `out`'s storage.
// kInvalidArgument: pn > kMaxPn, key_id > kMaxKeyId, a control or extension frame, a
//   protocol version other than 0, or a body longer than CCM allows.
// kOutOfRange: shorter than its header. kUnimplemented: a header other than 24 bytes.
// kResourceExhausted: `out` is too small. On any error `out` keeps its previous size.
Status CcmpEncrypt(port::Aes128& aes, const port::Aes128Key& tk, ByteSpan mpdu, uint64_t pn,
                   uint8_t key_id, ByteBuilder& out, const MgmtCcmpRules& rules = kEspNowMgmtCcmp);

// The PN of a protected MPDU, read without decrypting (to drop a replay before paying for
// AES). kOutOfRange: too short to hold header, CCMP header and MIC. kInvalidArgument: the
// Protected bit is clear, or not a management/data frame. kDataLoss: the CCMP header's
// Extended IV bit is clear (not CCMP). kUnimplemented: a header other than 24 bytes.
Result<uint64_t> CcmpPacketNumber(ByteSpan mpdu);

// Verifies and decrypts a protected MPDU, appending the plaintext MPDU to `out` (the
// header with the Protected bit cleared, then the body) and returning its PN.
// kPermissionDenied: the MIC does not match (wrong key, altered frame); nothing is
// appended. Other errors as CcmpPacketNumber, plus kResourceExhausted when `out` is too
// small. On any error `out` keeps its previous size. The caller checks the PN against a
// ReplayGuard.
Result<uint64_t> CcmpDecrypt(port::Aes128& aes, const port::Aes128Key& tk, ByteSpan mpdu,
                             ByteBuilder& out, const MgmtCcmpRules& rules = kEspNowMgmtCcmp);

// Replay protection for one peer (802.11-2016 12.5.3.4.4): accept only PNs strictly larger
// than the last one accepted. Transmitters start PNs at 1, so a fresh guard accepts any PN
// but 0. Reset it when the peer's key changes.
class ReplayGuard {
 public:
  // Ok when `pn` is fresh; kAlreadyExists when it is not larger than the last accepted.
  Status Check(uint64_t pn) const { return pn > last_pn_ ? Status::Ok() : Status::AlreadyExists(); }
  // Check, then remember `pn`. Call only after the frame's MIC verified: accepting the PN
  // of a forged frame would let it lock the real sender out.
  Status Accept(uint64_t pn) {
    AIRLAB_TRY(Check(pn));
    last_pn_ = pn;
    return Status::Ok();
  }
  void Reset() { last_pn_ = 0; }
  uint64_t last_pn() const { return last_pn_; }

 private:
  uint64_t last_pn_ = 0;
};

}  // namespace airlab::espnow
