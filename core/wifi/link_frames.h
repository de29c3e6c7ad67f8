#pragma once
// What the access point and the station both put in and take out of their frames: the
// rates they advertise, the management header between them, and data frames carrying an
// ethertype (EAPOL, IPv4) in LLC/SNAP, CCMP-protected with a pairwise or group key once
// the keys are installed (IEEE 802.11-2016 12.5.3).

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/espnow/ccmp.h"
#include "core/port/cipher.h"
#include "core/port/clock.h"
#include "core/wire/dot11.h"

namespace airlab::wifi {

// 802.11b's rates (1, 2, 5.5, 11 Mb/s, all basic), what ESP32s put first.
inline constexpr uint8_t kDsssRates[] = {0x82, 0x84, 0x8b, 0x96};
// Channel Switch Announcement (9.4.2.19): mode, new channel, count of beacons to go.
inline constexpr uint8_t kElementChannelSwitch = 37;
// A beacon interval's time unit.
inline constexpr port::TimeNs kTimeUnit = 1024 * port::kMicrosecond;

wire::MgmtHeader MgmtTo(const MacAddress& to, const MacAddress& from, const MacAddress& bssid,
                        uint16_t sequence);

// The CCMP key of a link: the TK (key id 0) or the GTK (its key id), and the last PN sent.
struct LinkKey {
  port::Aes128Key key{};
  uint8_t key_id = 0;
  uint64_t tx_pn = 0;
};

// Appends the data frame `header` (To DS or From DS, see wire::MakeDataHeader) with
// LLC/SNAP, `ethertype` and `payload`, protected with `key` (its next PN) when `key` is
// given. `scratch` holds the plaintext meanwhile (at least the frame's size).
// kResourceExhausted when `out` or `scratch` is too small; CcmpEncrypt's errors.
Status BuildLinkData(ByteBuilder& out, MutableByteSpan scratch, const wire::MgmtHeader& header,
                     uint16_t ethertype, ByteSpan payload, LinkKey* key, port::Aes128& aes);

// The LLC/SNAP content of a received data frame. A protected frame is decrypted into
// `scratch` with `key` (kFailedPrecondition when there is none yet) and its PN checked
// and accepted by `replay` (kAlreadyExists for a replay); CcmpDecrypt's errors (a wrong
// key: kPermissionDenied). The result points into `mpdu` or `scratch`.
Result<wire::LlcSnap> OpenLinkData(ByteSpan mpdu, const port::Aes128Key* key,
                                   espnow::ReplayGuard& replay, port::Aes128& aes,
                                   ByteBuilder& scratch);

}  // namespace airlab::wifi
