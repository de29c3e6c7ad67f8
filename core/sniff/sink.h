#pragma once
// Where the sniffer's output goes: a PacketSink takes each frame that passed the filter
// (PcapngSink writes a capture, StreamSink frames it for a serial line); a ByteSink takes
// the bytes they produce (a file, a FIFO, a UART).

#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/sniff/record.h"

namespace airlab::sniff {

// One captured packet: link type 127 (radiotap + 802.11) or 105 (802.11).
struct Packet {
  int64_t ts_ns = 0;
  uint32_t link_type = 0;
  ByteSpan data;
  uint32_t origlen = 0;  // 0: data.size()
};

class PacketSink {
 public:
  // `packet` and `record` describe the same frame and are valid only during the call.
  // Returns the sink's error (the pipeline counts it and goes on).
  virtual Status Write(const Packet& packet, const FrameRecord& record) = 0;

 protected:
  ~PacketSink() = default;
};

class ByteSink {
 public:
  // Writes all of `bytes` or fails: kUnavailable when the other end is gone (a closed FIFO
  // or port), kResourceExhausted when a bounded buffer is full, kInternal otherwise.
  virtual Status Write(ByteSpan bytes) = 0;

  // Writing in place, for a sink that gathers bytes in a buffer: Reserve returns room for
  // `size` bytes in that buffer, the caller builds its bytes there and Commit(n) appends the
  // first n (n <= size) of them, saving the copy a Write would make. Reserve returns an
  // empty span when the sink has no buffer (the default), `size` does not fit in it, or
  // writing failed; the caller then builds its bytes elsewhere and calls Write, which
  // reports the error. Commit returns Write's errors.
  virtual MutableByteSpan Reserve(size_t /*size*/) { return {}; }
  virtual Status Commit(size_t /*size*/) { return Status::FailedPrecondition(); }

 protected:
  ~ByteSink() = default;
};

}  // namespace airlab::sniff
