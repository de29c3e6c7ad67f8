#pragma once
// Writes the frames that pass the filter as a pcapng capture (core/wire/pcapng.h) into a
// ByteSink: a Section Header Block and two interfaces (0: radiotap + 802.11, link type
// 127; 1: bare 802.11, 105), then one Enhanced Packet Block per frame, optionally with a
// comment naming an ESP-NOW frame's sender, peer, version and payload size. Blocks are
// written whole, one ByteSink::Write (or Reserve and Commit) each, so a FIFO reader (Wireshark) never sees half a
// block.

#include <cstddef>
#include <string_view>

#include "core/base/bytes.h"
#include "core/sniff/sink.h"

namespace airlab::sniff {

struct PcapngSinkOptions {
  bool espnow_comments = false;
  std::string_view interface_name = "airlab";
  std::string_view user_appl = "airlab sniff";
};

// The scratch a PcapngSink needs: one block with the largest frame and its comment.
inline constexpr size_t kPcapngSinkScratchSize = 2600;

class PcapngSink final : public PacketSink {
 public:
  // `out` and `scratch` (at least kPcapngSinkScratchSize bytes) must outlive the sink.
  PcapngSink(ByteSink& out, MutableByteSpan scratch, const PcapngSinkOptions& options = {});

  // Writes the section header and interfaces; call once before Write. The ByteSink's
  // errors; kResourceExhausted when the scratch is too small for them.
  Status Start();
  // One Enhanced Packet Block. kFailedPrecondition before Start; kInvalidArgument for a
  // link type other than 105/127 or a timestamp before 1970; the ByteSink's errors.
  Status Write(const Packet& packet, const FrameRecord& record) override;

 private:
  Status WriteWithComment(const Packet& packet, const FrameRecord& record);

  ByteSink& out_;
  MutableByteSpan scratch_;
  PcapngSinkOptions options_;
  bool started_ = false;
};

}  // namespace airlab::sniff
