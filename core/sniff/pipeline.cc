#include "core/sniff/pipeline.h"

#include "core/wire/pcap.h"
#include "core/wire/radiotap.h"

namespace airlab::sniff {
namespace {

// Decode only what someone reads: the tables show everything, a filter alone may not need
// the radio figures or SSIDs, and only the filter reads an ESP-NOW payload's bytes.
PipelineConfig WhatToDecode(PipelineConfig config, const Filter& filter, const Tables* tables) {
  config.decode.management = tables != nullptr;
  config.decode.radio = tables != nullptr || filter.needs_radio();
  config.decode.espnow_payload = filter.needs_payload();
  return config;
}

}  // namespace

Pipeline::Pipeline(const Filter& filter, Tables* tables, PacketSink* sink,
                   const PipelineConfig& config)
    : filter_(filter),
      tables_(tables),
      sink_(sink),
      config_(WhatToDecode(config, filter, tables)),
      decoder_(config_.decode, scratch_) {}

Status Pipeline::AddPacket(const Packet& packet) {
  ++stats_.packets;
  const Status status = decoder_.Decode(packet.link_type, packet.data, packet.origlen, record_);
  if (!status.ok()) {
    ++(status == Status::Unimplemented() ? stats_.unsupported : stats_.malformed);
    return status;
  }
  record_.ts_ns = packet.ts_ns;
  Process(record_, packet);
  return Status::Ok();
}

void Pipeline::OnReceive(ByteSpan mpdu, const port::RxInfo& info) {
  ++stats_.packets;
  // The frame as a capture holds it: the radio's figures in radiotap, then the MPDU.
  radio_packet_.Truncate(0);
  wire::RadiotapInfo radiotap;
  radiotap.flags = info.fcs_ok ? uint8_t{0} : wire::RadiotapFlags::kBadFcs;
  radiotap.rate_500kbps = static_cast<uint8_t>(info.rate);
  if (auto freq = wire::ChannelToFrequencyMhz(info.channel); freq.ok()) {
    radiotap.channel = wire::RadiotapChannel{
        *freq,
        wire::ChannelFlagsFor(*freq, port::IsDsss(info.rate) ? wire::RadiotapModulation::kCck
                                                             : wire::RadiotapModulation::kOfdm)};
  }
  radiotap.signal_dbm = info.rssi_dbm;
  radiotap.noise_dbm = info.noise_dbm;
  wire::WriteRadiotap(radio_packet_, radiotap);
  const size_t header_size = radio_packet_.size();
  radio_packet_.Append(mpdu);

  const Status status =
      DecodeRadioFrame(mpdu, info, header_size, config_.decode, scratch_, record_);
  if (!status.ok() || !radio_packet_.ok()) {
    ++stats_.malformed;
    return;
  }
  record_.ts_ns = info.timestamp + config_.radio_time_offset_ns;
  const Packet packet{record_.ts_ns, wire::kLinkTypeIeee80211Radiotap, radio_packet_.bytes(), 0};
  Process(record_, packet);
}

void Pipeline::Process(FrameRecord& record, const Packet& packet) {
  if (record.espnow) ++stats_.espnow;
  if (record.espnow_malformed) ++stats_.espnow_malformed;
  if (record.bad_fcs) {
    ++stats_.bad_fcs;
    if (!config_.keep_bad_fcs) return;
  }
  if (!filter_.Matches(record)) {
    ++stats_.filtered_out;
    return;
  }
  ++stats_.matched;
  if (tables_ != nullptr) {
    if (record.bad_fcs) {
      tables_->channels().Add(record);
    } else {
      tables_->Add(record);
    }
  }
  if (sink_ != nullptr && !sink_->Write(packet, record).ok()) ++stats_.sink_errors;
}

}  // namespace airlab::sniff
