#pragma once
// Writes the frames that pass the filter as a pcap capture (core/wire/pcap.h, nanosecond
// timestamps) into a ByteSink, for users whose tools want pcap. A pcap file has one link
// type: 127 (radiotap + 802.11). A bare 802.11 frame (105, from a capture without radiotap)
// gets an empty 8-byte radiotap header in front, which loses nothing. pcap has no place for
// comments. Records are written whole, one ByteSink::Write (or Reserve and Commit) each.

#include <cstddef>

#include "core/base/bytes.h"
#include "core/sniff/sink.h"

namespace airlab::sniff {

// The scratch a PcapSink needs: one record with the largest frame (a record is built there
// when the ByteSink lends no buffer of its own; either way a larger one is refused).
inline constexpr size_t kPcapSinkScratchSize = 2600;

class PcapSink final : public PacketSink {
 public:
  // `out` and `scratch` (at least kPcapSinkScratchSize bytes) must outlive the sink.
  PcapSink(ByteSink& out, MutableByteSpan scratch);

  // Writes the file header; call once before Write. The ByteSink's errors.
  Status Start();
  // One record. kFailedPrecondition before Start; kInvalidArgument for a link type other
  // than 105/127 or a timestamp before 1970 or after 2106; kResourceExhausted for a frame
  // larger than the scratch; the ByteSink's errors.
  Status Write(const Packet& packet, const FrameRecord& record) override;

 private:
  ByteSink& out_;
  MutableByteSpan scratch_;
  bool started_ = false;
};

}  // namespace airlab::sniff
