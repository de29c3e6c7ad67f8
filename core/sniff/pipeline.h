#pragma once
// The capture pipeline: packets from a capture file or stream (AddPacket), or frames from
// any Radio in promiscuous mode (as its RadioListener), are decoded once into a
// FrameRecord, run through the filter, then counted in the tables and written to a sink.
// A malformed frame is counted and skipped; nothing a frame contains stops the pipeline.
//
// Calling context: as a RadioListener it runs in the radio's context; the tables and sink
// are touched from there, so a display reads them from the same context (or between
// frames in a single-threaded host loop).

#include <array>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/espnow/codec.h"
#include "core/port/radio.h"
#include "core/sniff/filter.h"
#include "core/sniff/record.h"
#include "core/sniff/sink.h"
#include "core/sniff/tables.h"

namespace airlab::sniff {

struct PipelineConfig {
  DecodeOptions decode;
  // Frames with a bad FCS are counted and dropped; kept, they reach the filter and sinks,
  // and the tables count only their airtime (their addresses may be corrupt).
  bool keep_bad_fcs = false;
  // Added to RxInfo timestamps, which count from the radio's start (the sim's time 0), so
  // records and written captures carry wall-clock time.
  int64_t radio_time_offset_ns = 0;
};

struct PipelineStats {
  uint64_t packets = 0;           // everything offered
  uint64_t malformed = 0;         // radiotap or 802.11 header broken: skipped
  uint64_t unsupported = 0;       // a link type other than 105/127: skipped
  uint64_t bad_fcs = 0;           // FCS failed (radiotap flag, RxInfo, or checked)
  uint64_t espnow_malformed = 0;  // ESP-NOW by category and OUI, body cut short
  uint64_t espnow = 0;            // ESP-NOW frames decoded (before the filter)
  uint64_t filtered_out = 0;
  uint64_t matched = 0;  // passed the filter: counted and written
  uint64_t sink_errors = 0;
};

// The radiotap header the pipeline writes in front of a radio's frames: flags, rate,
// channel, signal and noise (16 bytes).
inline constexpr size_t kRadioCaptureHeaderSize = 16;

class Pipeline final : public port::RadioListener {
 public:
  // `filter` must outlive the pipeline; `tables` and `sink` may be null (not wanted).
  Pipeline(const Filter& filter, Tables* tables, PacketSink* sink,
           const PipelineConfig& config = {});
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // One packet from a capture. Returns kOk when it was decoded (matched or not), else the
  // decoder's error for a packet that was counted and skipped (see DecodePacket).
  Status AddPacket(const Packet& packet);

  // port::RadioListener: a frame from a radio in promiscuous mode. The transmit reports of
  // a sniffing radio carry nothing to count.
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport&) override {}

  const PipelineStats& stats() const { return stats_; }

 private:
  void Process(FrameRecord& record, const Packet& packet);

  const Filter& filter_;
  Tables* tables_;
  PacketSink* sink_;
  PipelineConfig config_;
  PipelineStats stats_;
  FrameRecord record_;
  std::array<std::byte, espnow::kMaxPayloadV2> scratch_{};
  PacketDecoder decoder_;  // over config_.decode and scratch_
  FrameBuffer<kRadioCaptureHeaderSize + port::Radio::kMaxMpduSize> radio_packet_;
};

}  // namespace airlab::sniff
