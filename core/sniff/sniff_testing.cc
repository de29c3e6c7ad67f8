#include "core/sniff/sniff_testing.h"

#include <cstdio>
#include <stdexcept>

#include "core/port/rng.h"
#include "core/wire/dot11.h"
#include "core/wire/mgmt.h"
#include "core/wire/pcap.h"
#include "core/wire/radiotap.h"

namespace airlab::sniff::testing {
namespace {

using wire::FrameControl;
using wire::FrameType;

Bytes Take(const ByteBuilder& b) {
  if (!b.ok()) throw std::runtime_error("sniff_testing: a frame did not fit its buffer");
  return Bytes(b.bytes().begin(), b.bytes().end());
}

wire::MgmtHeader Header(wire::MgmtSubtype subtype, const MacAddress& a1, const MacAddress& a2,
                        const MacAddress& a3, uint16_t seq, bool retry) {
  wire::MgmtHeader h;
  h.fc = FrameControl::Make(FrameType::kManagement, static_cast<uint8_t>(subtype),
                            retry ? FrameControl::kRetryFlag : 0);
  h.addr1 = a1;
  h.addr2 = a2;
  h.addr3 = a3;
  h.seq = wire::SequenceControl::Make(seq);
  return h;
}

ByteSpan Text(const std::string& s) { return AsBytes(s.data(), s.size()); }

MacAddress Mac(uint8_t kind, uint8_t index) {
  return MacAddress({0x02, 0xa1, 0x1a, 0xb0, kind, index});
}

}  // namespace

Bytes Beacon(const MacAddress& bssid, const std::string& ssid, uint8_t channel, uint16_t seq,
             bool retry) {
  FrameBuffer<256> b;
  static constexpr uint8_t kRates[] = {0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24};
  wire::BssFields bss;
  bss.ssid = Text(ssid);
  bss.rates = kRates;
  bss.channel = channel;
  bss.timestamp_us = seq * 102400ull;
  wire::BuildBeacon(
      b, Header(wire::MgmtSubtype::kBeacon, MacAddress::Broadcast(), bssid, bssid, seq, retry), bss)
      .IgnoreError();
  return Take(b);
}

Bytes ProbeRequest(const MacAddress& sa, const std::string& ssid, uint16_t seq) {
  FrameBuffer<128> b;
  static constexpr uint8_t kRates[] = {0x82, 0x84, 0x8b, 0x96};
  wire::ProbeRequestFields fields;
  fields.ssid = Text(ssid);
  fields.rates = kRates;
  wire::BuildProbeRequest(b,
                          Header(wire::MgmtSubtype::kProbeRequest, MacAddress::Broadcast(), sa,
                                 MacAddress::Broadcast(), seq, false),
                          fields)
      .IgnoreError();
  return Take(b);
}

Bytes Data(uint8_t ds, const MacAddress& a1, const MacAddress& a2, const MacAddress& a3,
           size_t payload_size, uint16_t seq, bool retry, bool qos) {
  FrameBuffer<2400> b;
  const uint16_t flags =
      static_cast<uint16_t>((ds & 0x3) << 8 | (retry ? FrameControl::kRetryFlag : 0));
  b.PutLe16(FrameControl::Make(FrameType::kData, qos ? 8 : 0, flags).raw).PutLe16(44);
  b.Append(a1.bytes()).Append(a2.bytes()).Append(a3.bytes());
  b.PutLe16(wire::SequenceControl::Make(seq).raw);
  if (qos) b.PutLe16(0);
  // LLC/SNAP with the local experimental EtherType (88b5), so dissectors take the payload
  // as opaque data.
  static constexpr uint8_t kSnap[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x88, 0xb5};
  b.Append(AsBytes(kSnap, sizeof kSnap));
  for (size_t i = 0; i < payload_size; ++i) b.PutU8(static_cast<uint8_t>(i * 7 + seq));
  return Take(b);
}

Bytes Ack(const MacAddress& ra) {
  FrameBuffer<16> b;
  b.PutLe16(FrameControl::Make(FrameType::kControl, 13).raw).PutLe16(0).Append(ra.bytes());
  return Take(b);
}

Bytes Rts(const MacAddress& ra, const MacAddress& ta) {
  FrameBuffer<16> b;
  b.PutLe16(FrameControl::Make(FrameType::kControl, 11).raw).PutLe16(500);
  b.Append(ra.bytes()).Append(ta.bytes());
  return Take(b);
}

Bytes EspNow(const MacAddress& src, const MacAddress& dst, ByteSpan payload,
             espnow::Version version, uint16_t seq, bool retry, bool encrypted) {
  FrameBuffer<espnow::kMaxFrameSize> b;
  if (encrypted) {
    wire::MgmtHeader h =
        Header(wire::MgmtSubtype::kAction, dst, src, MacAddress::Broadcast(), seq, retry);
    h.fc.raw |= FrameControl::kProtectedFlag;
    wire::WriteMgmtHeader(b, h);
    // CCMP header (PN 0..5 around the key id byte), ciphertext, MIC: opaque to a sniffer.
    b.PutU8(static_cast<uint8_t>(seq)).PutU8(0).PutU8(0).PutU8(0x20).PutLe32(0);
    const size_t body = espnow::kActionHeaderSize + espnow::kElementHeaderSize + payload.size() + 8;
    for (size_t i = 0; i < body; ++i) b.PutU8(static_cast<uint8_t>(i * 31 + seq));
    return Take(b);
  }
  espnow::EncodeOptions o;
  o.src = src;
  o.dst = dst;
  o.sequence = seq;
  o.random = 0x5eed0000u | seq;
  o.retry = retry;
  o.version = version;
  o.fcs = false;
  if (!espnow::Encode(o, payload, b).ok())
    throw std::runtime_error("sniff_testing: ESP-NOW encode failed");
  return Take(b);
}

Bytes WithRadiotap(const Bytes& mpdu, const RadioFields& radio) {
  FrameBuffer<2600> b;
  wire::RadiotapInfo info;
  uint8_t flags = radio.fcs ? wire::RadiotapFlags::kFcsAtEnd : 0;
  if (radio.bad_fcs) flags |= wire::RadiotapFlags::kBadFcs;
  info.flags = flags;
  info.rate_500kbps = radio.rate_500kbps;
  const uint16_t freq = wire::ChannelToFrequencyMhz(radio.channel).value();
  const bool cck = radio.rate_500kbps == 2 || radio.rate_500kbps == 4 || radio.rate_500kbps == 11 ||
                   radio.rate_500kbps == 22;
  info.channel = wire::RadiotapChannel{
      freq, wire::ChannelFlagsFor(
                freq, cck ? wire::RadiotapModulation::kCck : wire::RadiotapModulation::kOfdm)};
  info.signal_dbm = radio.rssi_dbm;
  wire::WriteRadiotap(b, info);
  b.Append(mpdu);
  if (radio.fcs) {
    uint32_t fcs = wire::Crc32(mpdu);
    if (radio.bad_fcs) fcs ^= 0xdeadbeef;
    b.PutLe32(fcs);
  }
  return Take(b);
}

MixedCaptureSummary WriteMixedCapture(const std::string& path, const MixedCaptureOptions& options) {
  port::SplitMix64 rng(options.seed);
  auto chance = [&](uint32_t per_mille) { return rng.Uniform(1000) < per_mille; };

  MixedCaptureSummary summary;
  constexpr size_t kNodes = 6, kAps = 2, kStations = 4;
  std::vector<MacAddress> nodes, aps, stas;
  for (uint8_t i = 0; i < kNodes; ++i) nodes.push_back(Mac(0x0e, i));
  for (uint8_t i = 0; i < kAps; ++i) aps.push_back(Mac(0x0a, i));
  for (uint8_t i = 0; i < kStations; ++i) stas.push_back(Mac(0x05, i));
  const MacAddress internet = Mac(0x99, 0);
  summary.espnow_nodes = nodes;
  summary.access_points = aps;
  const char* ssids[kAps] = {"airlab-lab", "cafe"};
  const uint8_t ap_channel[kAps] = {1, 6};
  std::vector<uint16_t> node_seq(kNodes, 0), ap_seq(kAps, 0), sta_seq(kStations, 0),
      qos_seq(kStations, 0);

  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("sniff_testing: cannot write " + path);
  wire::PcapHeader header;
  header.nanosecond = true;
  header.link_type = wire::kLinkTypeIeee80211Radiotap;
  std::vector<std::byte> out(1 << 20);
  ByteBuilder buffer(out);
  wire::WritePcapHeader(buffer, header);

  int64_t now = options.start_ns;
  // Exactly options.frames packets: what does not fit the count is not written.
  auto emit = [&](const Bytes& packet) {
    if (summary.packets == options.frames) return false;
    if (buffer.size() + packet.size() + 64 > buffer.capacity()) {
      std::fwrite(buffer.bytes().data(), 1, buffer.size(), file);
      buffer.Truncate(0);
    }
    wire::WritePcapRecord(buffer, header, now, packet).IgnoreError();
    now += 100'000 + rng.Uniform(1'900'000);
    ++summary.packets;
    return true;
  };
  auto radio = [&](uint8_t channel, uint8_t rate, int8_t base_rssi) {
    RadioFields r;
    r.channel = channel;
    r.rate_500kbps = rate;
    r.rssi_dbm = static_cast<int8_t>(base_rssi - static_cast<int8_t>(rng.Uniform(8)));
    return r;
  };
  std::vector<std::byte> payload(1470);

  // One ESP-NOW frame from a random node; in the busy room, unicast ones are retried now and
  // then and ACKed.
  auto send_espnow = [&](bool retries_and_acks) {
    const size_t n = rng.Uniform(kNodes);
    const bool unicast = n >= 2;
    const MacAddress dst = unicast ? nodes[(n + 1) % kNodes] : MacAddress::Broadcast();
    const espnow::Version version = n == 4 ? espnow::Version::kV2 : espnow::Version::kV1;
    const size_t size = n == 4 ? 200 + rng.Uniform(900) : 1 + rng.Uniform(120);
    for (size_t i = 0; i < size; ++i) payload[i] = static_cast<std::byte>("airlab"[i % 6]);
    if (chance(30)) node_seq[n] = static_cast<uint16_t>(node_seq[n] + 1 + rng.Uniform(3));  // lost
    const uint16_t seq = node_seq[n]++;
    const Bytes frame =
        EspNow(nodes[n], dst, ByteSpan(payload).first(size), version, seq, false, n == 5);
    const RadioFields r = radio(1, 2, static_cast<int8_t>(-45 - 5 * n));
    if (emit(WithRadiotap(frame, r))) ++summary.espnow;
    if (!retries_and_acks) return;
    if (unicast && chance(60)) {
      const Bytes again =
          EspNow(nodes[n], dst, ByteSpan(payload).first(size), version, seq, true, n == 5);
      if (emit(WithRadiotap(again, r))) ++summary.espnow;
    }
    if (unicast) emit(WithRadiotap(Ack(nodes[n]), radio(1, 2, -50)));
  };

  while (summary.packets < options.frames) {
    uint32_t pick = 0;
    if (options.espnow_per_mille == 0) {
      pick = rng.Uniform(1000);
    } else if (chance(options.espnow_per_mille)) {
      send_espnow(false);
      continue;
    } else {
      pick = 380 + rng.Uniform(620);  // the room's other kinds
    }
    if (options.malformed && pick < 3) {
      // A management header cut after 8 bytes: no addresses to count.
      Bytes cut = Beacon(aps[0], ssids[0], 1, 0);
      cut.resize(8);
      if (emit(WithRadiotap(cut, radio(1, 2, -40)))) ++summary.malformed_headers;
    } else if (options.malformed && pick < 5) {
      // ESP-NOW by category and OUI whose vendor element is cut short.
      const size_t n = rng.Uniform(kNodes);
      Bytes cut =
          EspNow(nodes[n], MacAddress::Broadcast(), {}, espnow::Version::kV1, node_seq[n]++);
      cut.resize(wire::kMgmtHeaderSize + espnow::kActionHeaderSize + 3);
      if (emit(WithRadiotap(cut, radio(1, 2, -60)))) ++summary.malformed_espnow;
    } else if (options.malformed && pick < 6) {
      RadioFields r = radio(6, 108, -70);
      r.bad_fcs = true;
      if (emit(WithRadiotap(Data(1, aps[1], stas[3], internet, 40, 77), r))) ++summary.bad_fcs;
    } else if (pick < 380) {
      send_espnow(true);
    } else if (pick < 530) {
      const size_t a = rng.Uniform(kAps);
      emit(WithRadiotap(Beacon(aps[a], ssids[a], ap_channel[a], ap_seq[a]++),
                        radio(ap_channel[a], 2, -35)));
    } else if (pick < 580) {
      const size_t s = rng.Uniform(kStations);
      emit(WithRadiotap(ProbeRequest(stas[s], chance(500) ? "" : ssids[0], sta_seq[s]++),
                        radio(1 + 5 * (s % 2), 2, -65)));
    } else if (pick < 940) {
      const size_t s = rng.Uniform(kStations);
      const size_t a = s % kAps;
      const bool qos = chance(500);
      const bool up = chance(500);
      const uint8_t rate = chance(300) ? 22 : 108;
      const size_t size = 20 + rng.Uniform(1400);
      Bytes frame;
      if (up) {
        uint16_t& seq = qos ? qos_seq[s] : sta_seq[s];
        if (chance(20)) seq = static_cast<uint16_t>(seq + 1 + rng.Uniform(4));
        frame = Data(1, aps[a], stas[s], internet, size, seq++, false, qos);
      } else {
        if (chance(20)) ap_seq[a] = static_cast<uint16_t>(ap_seq[a] + 1 + rng.Uniform(4));
        frame = Data(2, stas[s], aps[a], internet, size, ap_seq[a]++, false, false);
      }
      const RadioFields r = radio(ap_channel[a], rate, up ? -60 : -40);
      emit(WithRadiotap(frame, r));
      if (chance(50)) {
        frame[1] = static_cast<std::byte>(static_cast<uint8_t>(frame[1]) | 0x08);  // the retry bit
        emit(WithRadiotap(frame, r));
      }
      emit(WithRadiotap(Ack(up ? stas[s] : aps[a]), radio(ap_channel[a], 2, -50)));
    } else {
      const size_t s = rng.Uniform(kStations);
      emit(WithRadiotap(Rts(aps[s % kAps], stas[s]), radio(ap_channel[s % kAps], 2, -60)));
    }
  }
  std::fwrite(buffer.bytes().data(), 1, buffer.size(), file);
  if (std::fclose(file) != 0) throw std::runtime_error("sniff_testing: cannot write " + path);
  return summary;
}

}  // namespace airlab::sniff::testing
