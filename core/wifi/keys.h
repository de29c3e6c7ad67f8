#pragma once
// WPA2-PSK keys (IEEE 802.11-2016 12.7.1): the PMK from the passphrase and SSID, the PTK
// from the PMK, both addresses and both nonces, the EAPOL-Key MIC, and AES key wrap
// (RFC 3394) for the GTK in message 3. The hashing and the block cipher come through
// port::Sha1 and port::Aes128; this file only composes them. Vectors: reference/
// wifi-join.md (PBKDF2), 802.11-2016 J.6 (PRF), RFC 3394 4.1 (key wrap), in keys_test.cc.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/port/cipher.h"
#include "core/port/sha1.h"
#include "core/port/wifi_station.h"

namespace airlab::wifi {

inline constexpr size_t kPmkSize = 32;
inline constexpr uint32_t kPmkIterations = 4096;
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kKckSize = 16;
inline constexpr size_t kKekSize = 16;
inline constexpr size_t kTkSize = 16;  // CCMP-128
inline constexpr size_t kMicSize = 16;
// The CCMP PTK: KCK || KEK || TK (PRF-384).
inline constexpr size_t kPtkSize = kKckSize + kKekSize + kTkSize;

using Pmk = std::array<std::byte, kPmkSize>;
using Nonce = std::array<std::byte, kNonceSize>;
using Kck = std::array<std::byte, kKckSize>;
using Mic = std::array<std::byte, kMicSize>;

struct Ptk {
  Kck kck{};              // authenticates EAPOL-Key frames (the MIC)
  port::Aes128Key kek{};  // wraps the key data of message 3 (the GTK)
  port::Aes128Key tk{};   // CCMP's temporal key for unicast data
};

// PMK = PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 32); a 64-hex-digit passphrase is the
// PSK itself and is decoded instead. kInvalidArgument when the passphrase is empty or not
// port::IsValidPassphrase; the Sha1 port's errors otherwise.
Result<Pmk> DerivePmk(port::Sha1& sha1, ByteSpan passphrase, const port::Ssid& ssid);

// PRF-n of 802.11-2016 12.7.1.2: HMAC-SHA1(key, label || 0 || data || i) for i = 0, 1, ...
// concatenated and cut to out.size() bytes. kInvalidArgument for an empty `out` or one of
// more than 255 blocks; the Sha1 port's errors otherwise.
Status Prf(port::Sha1& sha1, ByteSpan key, ByteSpan label, ByteSpan data, MutableByteSpan out);

// PTK = PRF-384(PMK, "Pairwise key expansion", min(AA,SPA) || max(AA,SPA) ||
// min(ANonce,SNonce) || max(ANonce,SNonce)), split into KCK, KEK and TK.
// `aa` is the authenticator's (AP's) address, `spa` the supplicant's (station's).
Result<Ptk> DerivePtk(port::Sha1& sha1, const Pmk& pmk, const MacAddress& aa, const MacAddress& spa,
                      const Nonce& anonce, const Nonce& snonce);

// Where the MIC sits in an EAPOL frame (from its 802.1X header): 4 header bytes, then
// descriptor type 1, key information 2, key length 2, replay counter 8, nonce 32, IV 16,
// RSC 8, reserved 8.
inline constexpr size_t kEapolMicOffset = 81;

// The MIC of an EAPOL-Key frame with key descriptor version 2: the first 16 bytes of
// HMAC-SHA1(KCK, frame), the frame hashed with its MIC field taken as zeros (whatever it
// holds). `eapol_frame` starts at the 802.1X header and ends with its key data.
// kOutOfRange when shorter than the MIC's end; the Sha1 port's errors otherwise.
Result<Mic> EapolMic(port::Sha1& sha1, const Kck& kck, ByteSpan eapol_frame);

// AES key wrap (RFC 3394 2.2.1, the default IV A6A6A6A6A6A6A6A6) of `plaintext` under
// `kek`, appending plaintext.size() + 8 bytes to `out`. Written here over single AES
// blocks because Debian's mbedTLS 2.28 is built without MBEDTLS_NIST_KW_C (and ESP-IDF's
// may be too). kInvalidArgument unless the plaintext is a multiple of 8 bytes and at least
// 16; kResourceExhausted when `out` is too small (then `out` keeps its size); the Aes128
// port's errors otherwise.
inline constexpr size_t kKeyWrapOverhead = 8;
Status AesKeyWrap(port::Aes128& aes, const port::Aes128Key& kek, ByteSpan plaintext,
                  ByteBuilder& out);

// The reverse: appends ciphertext.size() - 8 bytes to `out`. kPermissionDenied when the
// integrity check fails (wrong KEK, altered data): nothing is appended. kInvalidArgument
// unless the ciphertext is a multiple of 8 bytes and at least 24; others as AesKeyWrap.
Status AesKeyUnwrap(port::Aes128& aes, const port::Aes128Key& kek, ByteSpan ciphertext,
                    ByteBuilder& out);

}  // namespace airlab::wifi
