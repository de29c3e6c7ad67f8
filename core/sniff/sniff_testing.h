#pragma once
// Host-only helpers for the sniffer's tests and benchmark: 802.11 frames of every kind the
// tables count, radiotap around them, and a deterministic mixed capture (ESP-NOW nodes, two
// access points, their stations, control frames, retries, lost frames, malformed frames)
// written as a pcap file for tshark, tcpdump and airlab to read side by side.
//
// Not the simulated air's traffic generator (platform/sim/traffic.h): core/ cannot depend on
// platform/, and these captures need what no air sends - truncated and malformed frames,
// exact counts of each kind for the tests to check.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/espnow/codec.h"

namespace airlab::sniff::testing {

using Bytes = std::vector<std::byte>;

// 802.11 frames without FCS.
Bytes Beacon(const MacAddress& bssid, const std::string& ssid, uint8_t channel, uint16_t seq,
             bool retry = false);
Bytes ProbeRequest(const MacAddress& sa, const std::string& ssid, uint16_t seq);
// A data frame; `ds` is the To DS / From DS pair as bits 0 (to) and 1 (from).
Bytes Data(uint8_t ds, const MacAddress& a1, const MacAddress& a2, const MacAddress& a3,
           size_t payload_size, uint16_t seq, bool retry = false, bool qos = false);
Bytes Ack(const MacAddress& ra);
Bytes Rts(const MacAddress& ra, const MacAddress& ta);
// An ESP-NOW frame; `encrypted` makes a CCMP-shaped body (header, `payload_size` + MIC of
// pseudo-random bytes) with the Protected bit, as a sniffer without the key sees it.
Bytes EspNow(const MacAddress& src, const MacAddress& dst, ByteSpan payload,
             espnow::Version version, uint16_t seq, bool retry = false, bool encrypted = false);

struct RadioFields {
  uint8_t channel = 1;
  int8_t rssi_dbm = -50;
  uint8_t rate_500kbps = 2;
  bool fcs = true;  // append the FCS and set the radiotap flag
  bool bad_fcs = false;
};
// Radiotap (flags, rate, channel, signal) in front of `mpdu`, with its FCS when asked.
Bytes WithRadiotap(const Bytes& mpdu, const RadioFields& radio);

struct MixedCaptureOptions {
  size_t frames = 10000;
  uint64_t seed = 1;
  bool malformed = true;  // a few truncated headers and ESP-NOW bodies, and a bad FCS
  // 0: the mix of a busy room (about a third ESP-NOW). Else each frame is one ESP-NOW frame
  // with this chance in 1000 (without the retries and ACKs of the busy room's, so the share
  // is what is asked), otherwise one of the room's other kinds.
  uint32_t espnow_per_mille = 0;
  int64_t start_ns = 1'700'000'000'000'000'000;
};

// What went into a mixed capture, for tests to check against.
struct MixedCaptureSummary {
  size_t packets = 0;
  size_t espnow = 0;             // well-formed ESP-NOW frames (encrypted included)
  size_t malformed_headers = 0;  // radiotap or 802.11 header cut short
  size_t malformed_espnow = 0;
  size_t bad_fcs = 0;
  std::vector<MacAddress> espnow_nodes;
  std::vector<MacAddress> access_points;
};

// Writes a pcap (radiotap, link type 127, nanosecond timestamps) of `options.frames`
// packets. Throws std::runtime_error when the file cannot be written.
MixedCaptureSummary WriteMixedCapture(const std::string& path, const MixedCaptureOptions& options);

}  // namespace airlab::sniff::testing
