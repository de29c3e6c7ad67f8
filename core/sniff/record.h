#pragma once
// FrameRecord: what the sniffer keeps of one captured frame after decoding it once
// (radiotap or the radio's RxInfo, the 802.11 header, ESP-NOW when it is one). The filter,
// the tables and the sinks all read this record instead of parsing the bytes again.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/port/radio.h"
#include "core/wire/dot11.h"

namespace airlab::sniff {

inline constexpr uint8_t kNoMcs = 0xff;

struct FrameRecord {
  int64_t ts_ns = 0;
  // The packet's length as the capture counts it, capture header (radiotap) included: what
  // Wireshark shows as frame.len and sums in its statistics. Byte columns count this.
  uint32_t frame_len = 0;
  // The 802.11 frame with its FCS, as it went over the air: what airtime is computed from.
  uint32_t psdu_len = 0;

  // Radio figures; each is "unknown" when the capture header does not carry it.
  uint8_t channel = 0;  // 0: unknown
  bool has_rssi = false;
  int8_t rssi_dbm = 0;
  bool has_noise = false;
  int8_t noise_dbm = 0;
  uint8_t rate_500kbps = 0;  // legacy rate; 0: unknown or an MCS rate
  uint8_t mcs = kNoMcs;      // 802.11n MCS index, kNoMcs when not an HT frame
  bool mcs_40mhz = false;
  bool mcs_short_gi = false;
  bool short_preamble = false;
  bool bad_fcs = false;  // the capture header says so, or the FCS was checked and failed

  // 802.11 header.
  wire::FrameControl fc;
  bool has_seq = false;
  wire::SequenceControl seq;
  uint8_t addr_count = 0;  // how many of addr1..addr4 the header carries
  ByteSpan mpdu;           // header and body without FCS; valid only while the frame is processed

  // Management details the tables use: the SSID of a beacon, probe response or probe
  // request (may be empty: wildcard probe, hidden network), and the beacon's DS channel.
  bool has_ssid = false;
  ByteSpan ssid;
  uint8_t ds_channel = 0;

  // ESP-NOW (espnow::FrameView, lenient): set for Action frames of category 127 with
  // Espressif's OUI whose headers parse; encrypted frames have no payload.
  bool espnow = false;
  bool espnow_encrypted = false;
  uint8_t espnow_version = 0;  // first element's version nibble; 0 when encrypted
  uint8_t espnow_elements = 0;
  uint16_t espnow_payload_len = 0;
  // The payload joined across v2 elements; valid only while the frame is processed.
  ByteSpan espnow_payload;
  // Category 127 with Espressif's OUI, but the ESP-NOW body is cut short.
  bool espnow_malformed = false;

  // Receiver and transmitter (IEEE 802.11-2016 9.3.1): RA is always addr1; TA is addr2
  // when the frame has one (not in ACK, CTS).
  MacAddress ra() const { return addr1(); }
  bool has_ta() const { return addr_count >= 2; }
  MacAddress ta() const { return addr2(); }
  // The header's addresses, read from `mpdu` when asked (most frames never need all four);
  // addrN() is all zero when addr_count < N.
  MacAddress addr1() const { return Address(1, 4); }
  MacAddress addr2() const { return Address(2, 10); }
  MacAddress addr3() const { return Address(3, 16); }
  MacAddress addr4() const { return Address(4, 24); }
  // Source, destination and BSSID as Wireshark's wlan.sa / wlan.da / wlan.bssid name them:
  // management frames A2/A1/A3; data frames by their DS bits (Table 9-26); control frames
  // have none. False when the frame has no such address.
  bool sa(MacAddress* out) const;
  bool da(MacAddress* out) const;
  bool bssid(MacAddress* out) const;
  // Type and subtype as one number, as Wireshark's wlan.fc.type_subtype (type << 4 | subtype).
  uint8_t type_subtype() const {
    return static_cast<uint8_t>(static_cast<uint8_t>(fc.type()) << 4 | fc.subtype());
  }

 private:
  // Copied whole here rather than through MacAddress::FromBytes: that call hands the six
  // octets back in a register that the caller stores byte by byte, and the tables' hashing
  // and comparing then read them as words, which stalls on every frame.
  MacAddress Address(uint8_t n, size_t offset) const {
    std::array<uint8_t, MacAddress::kSize> octets{};
    if (addr_count >= n) std::memcpy(octets.data(), mpdu.data() + offset, octets.size());
    return MacAddress(octets);
  }
};

struct DecodeOptions {
  // Check the FCS of frames that carry one and mark a mismatch bad_fcs (costs a CRC-32 per
  // frame). Off, a frame is bad only when its radiotap flags or RxInfo say so.
  bool verify_fcs = false;
  // Link type 105 frames end in an FCS (a capture that kept it; pcap cannot say).
  bool dot11_has_fcs = false;
  // Read the SSID and DS channel of beacons, probe responses and probe requests (the
  // tables show them; a pipeline without tables skips the element walk).
  bool management = true;
  // Read the radiotap fields after Flags (rate, channel, signal, noise, MCS). Off, the walk
  // stops after Flags (which says where the FCS is): a filter that tests none of them
  // decides faster.
  bool radio = true;
  // Fill FrameRecord::espnow_payload (joining a v2 payload's elements into the scratch).
  // Only the filter's espnow.payload tests read it; the sizes are filled either way.
  bool espnow_payload = true;
};

// Decodes one captured packet of link type 127 (radiotap) or 105 (bare 802.11) into
// `record`. `scratch` (at least espnow::kMaxPayloadV2 bytes) receives the payload of a
// multi-element ESP-NOW v2 frame; record.mpdu, ssid and espnow_payload point into `data`
// or `scratch`.
// kUnimplemented: another link type. kOutOfRange / kInvalidArgument / kDataLoss: a
// malformed radiotap or 802.11 header (the record is then incomplete). A broken ESP-NOW
// body or management body is not an error: the frame is kept as plain 802.11.
Status DecodePacket(uint32_t link_type, ByteSpan data, uint32_t origlen,
                    const DecodeOptions& options, MutableByteSpan scratch, FrameRecord& record);

// DecodePacket for a stream of packets: the same records, faster. A capture's radiotap
// headers nearly all have one of a few layouts (the same present words, so the same field
// offsets), so the decoder remembers the last few layouts it walked and reads the fields of
// a packet with a known layout straight from their offsets. `scratch` as DecodePacket's;
// both it and the decoder must outlive the records it fills.
class PacketDecoder {
 public:
  PacketDecoder(const DecodeOptions& options, MutableByteSpan scratch)
      : options_(options), scratch_(scratch) {}

  // As DecodePacket.
  Status Decode(uint32_t link_type, ByteSpan data, uint32_t origlen, FrameRecord& record);

  // Where a radiotap header's fields sit, for one sequence of present words.
  struct RadiotapLayout {
    static constexpr size_t kMaxKeySize = 4 + 4 * 8;  // version, pad, it_len, 8 present words
    std::array<std::byte, kMaxKeySize> key{};         // the header's bytes up to its fields
    uint8_t key_size = 0;                             // 0: an unused entry
    // Offsets from the header's start of the fields the record keeps; 0: absent.
    uint16_t flags = 0, rate = 0, channel = 0, signal = 0, noise = 0, mcs = 0;
  };

 private:
  const RadiotapLayout* Layout(ByteSpan packet) const;
  void ReadRadiotap(ByteSpan packet, const RadiotapLayout& layout, FrameRecord& r,
                    bool* fcs_at_end);

  DecodeOptions options_;
  MutableByteSpan scratch_;
  std::array<RadiotapLayout, 4> layouts_{};
  size_t next_layout_ = 0;   // the entry replaced next (round robin)
  RadiotapLayout uncached_;  // a layout that cannot be a key (vendor namespace)
  uint16_t last_freq_mhz_ = 0;
  uint8_t last_channel_ = 0;
};

// Decodes a frame handed over by a Radio (no FCS; signal figures from `info`).
// `capture_header_len` is the size of the radiotap header the frame is written with, so
// frame_len matches the written capture. Errors as DecodePacket.
Status DecodeRadioFrame(ByteSpan mpdu, const port::RxInfo& info, size_t capture_header_len,
                        const DecodeOptions& options, MutableByteSpan scratch, FrameRecord& record);

}  // namespace airlab::sniff
