#pragma once
// EAPOL-Key frames (IEEE 802.1X-2010 11.3 header, IEEE 802.11-2016 12.7.2 key frame): a
// bounds-checked view, a builder, the Key Information bits, the MIC written and checked in
// place, and the key data's elements and KDEs (the GTK KDE of message 3, the station's RSN
// element of message 2). Carried in data frames after LLC/SNAP with ethertype 0x888E
// (wire::BuildDataFrame / DataView::llc_snap).
//
// Layout, offsets from the 802.1X header:
//   0 protocol version, 1 packet type (3 = Key), 2-3 body length (big endian)
//   4 descriptor type (2 = RSN), 5-6 key information, 7-8 key length,
//   9-16 replay counter, 17-48 nonce, 49-64 key IV, 65-72 key RSC, 73-80 reserved,
//   81-96 MIC, 97-98 key data length, 99.. key data.
// Every multi-byte field is big endian except the key RSC, which is the PN, low byte first.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/port/cipher.h"
#include "core/port/sha1.h"
#include "core/wifi/keys.h"

namespace airlab::wifi {

inline constexpr uint16_t kEapolEthertype = 0x888e;
inline constexpr uint8_t kEapolPacketTypeKey = 3;
inline constexpr uint8_t kKeyDescriptorRsn = 2;
inline constexpr size_t kEapolHeaderSize = 4;
// The 802.1X header and the key frame's fields before the key data.
inline constexpr size_t kEapolKeyFixedSize = 99;
inline constexpr size_t kEapolKeyDataLengthOffset = 97;
// The most key data the handshake unwraps (a station's buffer on its stack).
inline constexpr size_t kMaxEapolKeyData = 256;
static_assert(kEapolMicOffset + kMicSize == kEapolKeyDataLengthOffset);

// Key Information (12.7.2 b)). Descriptor version 2: HMAC-SHA1-128 MIC, AES key wrap.
struct KeyInfo {
  static constexpr uint16_t kVersionMask = 0x0007;
  static constexpr uint16_t kVersionHmacSha1Aes = 0x0002;
  static constexpr uint16_t kPairwise = 0x0008;
  static constexpr uint16_t kInstall = 0x0040;
  static constexpr uint16_t kAck = 0x0080;
  static constexpr uint16_t kMic = 0x0100;
  static constexpr uint16_t kSecure = 0x0200;
  static constexpr uint16_t kError = 0x0400;
  static constexpr uint16_t kRequest = 0x0800;
  static constexpr uint16_t kEncryptedKeyData = 0x1000;
  // The four messages of the 4-way handshake as every WPA2 AP and station sends them.
  static constexpr uint16_t kMessage1 = kVersionHmacSha1Aes | kPairwise | kAck;  // 0x008a
  static constexpr uint16_t kMessage2 = kVersionHmacSha1Aes | kPairwise | kMic;  // 0x010a
  static constexpr uint16_t kMessage3 = kVersionHmacSha1Aes | kPairwise | kInstall | kAck | kMic |
                                        kSecure | kEncryptedKeyData;                       // 0x13ca
  static constexpr uint16_t kMessage4 = kVersionHmacSha1Aes | kPairwise | kMic | kSecure;  // 0x030a
};
static_assert(KeyInfo::kMessage1 == 0x008a && KeyInfo::kMessage2 == 0x010a);
static_assert(KeyInfo::kMessage3 == 0x13ca && KeyInfo::kMessage4 == 0x030a);

// One EAPOL-Key frame. Views borrow the bytes they were parsed from.
class EapolKeyView {
 public:
  // `eapol` starts at the 802.1X header; bytes after its body length (link padding) are
  // left out of frame(). kOutOfRange: shorter than the header, than its body length says,
  // or than the key frame's fixed fields, or a key data length running past the body.
  // kInvalidArgument: not a Key packet (another 802.1X packet type). kUnimplemented: a
  // descriptor type other than RSN (WPA1's 254).
  static Result<EapolKeyView> Parse(ByteSpan eapol);

  // The whole EAPOL frame, header to key data: what the MIC covers.
  ByteSpan frame() const { return bytes_; }
  uint8_t protocol_version() const { return load_u8(bytes_, 0); }
  uint16_t key_info() const { return load_be16(bytes_, 5); }
  bool Has(uint16_t key_info_bits) const { return (key_info() & key_info_bits) == key_info_bits; }
  uint8_t descriptor_version() const { return key_info() & KeyInfo::kVersionMask; }
  uint16_t key_length() const { return load_be16(bytes_, 7); }
  uint64_t replay_counter() const { return load_be64(bytes_, 9); }
  ByteSpan nonce() const { return bytes_.subspan(17, kNonceSize); }
  ByteSpan key_iv() const { return bytes_.subspan(49, 16); }
  uint64_t key_rsc() const { return load_le64(bytes_, 65); }
  ByteSpan mic() const { return bytes_.subspan(kEapolMicOffset, kMicSize); }
  ByteSpan key_data() const;

  // Ok when the MIC field holds EapolMic(kck, frame()); kPermissionDenied when not (wrong
  // passphrase, altered frame); the Sha1 port's errors otherwise.
  Status VerifyMic(port::Sha1& sha1, const Kck& kck) const;

 private:
  explicit EapolKeyView(ByteSpan bytes) : bytes_(bytes) {}
  ByteSpan bytes_;
};

// What a builder writes; the MIC field is written as zeros (see WriteEapolMic).
struct EapolKeyFields {
  uint8_t protocol_version = 2;  // 802.1X-2004; wpa_supplicant's stations send 1
  uint16_t key_info = 0;
  uint16_t key_length = 0;  // 16 (CCMP) in messages 1 and 3, 0 in 2 and 4
  uint64_t replay_counter = 0;
  ByteSpan nonce;  // kNonceSize bytes, or empty for zeros
  uint64_t key_rsc = 0;
  ByteSpan key_data;  // as it goes on the air (already wrapped when encrypted)
};

// Appends an EAPOL-Key frame (802.1X header included) to `out`.
// kInvalidArgument: a nonce that is neither empty nor 32 bytes, or key data over 65535
// bytes. kResourceExhausted: `out` is full. On error `out` keeps its size.
Status BuildEapolKey(ByteBuilder& out, const EapolKeyFields& fields);

// Computes the MIC of `frame` (a whole EAPOL-Key frame, as BuildEapolKey wrote it) and
// writes it into the frame's MIC field. kOutOfRange: too short to hold a MIC.
Status WriteEapolMic(port::Sha1& sha1, const Kck& kck, MutableByteSpan frame);

// ---------------------------------------------------------------------------------------
// Key data: elements (the RSN element, id 48) and KDEs (id 0xdd, OUI 00-0F-AC, a type).

inline constexpr uint8_t kKdeGtk = 1;
inline constexpr size_t kGtkSize = 16;  // CCMP-128

struct GtkKde {
  uint8_t key_id = 1;  // 1..3; a GTK never uses 0, which the pairwise key holds
  bool tx = false;
  port::Aes128Key gtk{};
};

// Appends a GTK KDE: DD len 00-0F-AC 01, key id / Tx, a reserved byte, the GTK.
Status AppendGtkKde(ByteBuilder& out, const GtkKde& kde);
// Pads plaintext key data as 12.7.2 asks before wrapping: 0xDD then zeros up to a
// multiple of 8 bytes and at least 16.
Status PadKeyData(ByteBuilder& out, size_t start);

// The first GTK KDE of (unwrapped) key data. kNotFound: none; kOutOfRange: an element
// runs past the data; kInvalidArgument: a GTK KDE whose key is not 16 bytes or whose key
// id is 0. The padding (0xDD then zeros) ends the search.
Result<GtkKde> FindGtkKde(ByteSpan key_data);
// The first RSN element (id, length and body) of key data; errors as FindGtkKde.
Result<ByteSpan> FindRsnElement(ByteSpan key_data);

}  // namespace airlab::wifi
