#pragma once
// The capture stream: how a device (an ESP32 in promiscuous mode) sends what it captures
// to a host over a serial line, and how the host reads it back. Framing (README "Capture
// stream"): every frame is COBS-encoded between 0x00 delimiters, so a reader that starts
// mid-stream or meets garbage (boot messages, line noise) resynchronises at the next 0x00;
// inside, a magic byte, a type, a sequence number, a length and a CRC-32 reject what is not
// a whole frame and tell lost frames from lost bytes.
//
//   frame   = 00 COBS(magic type seq len body crc) 00
//   magic   = A5, type u8, seq u16 LE (+1 per frame), len u16 LE (body bytes),
//   crc     = CRC-32 (IEEE, as the 802.11 FCS) LE over magic..body
//   kPacket body = ts_ns i64 LE, link_type u16 LE, origlen u32 LE, packet bytes
//   kDrops  body = u32 LE: frames the device dropped so far (its queue was full)
//   kLog    body = text

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/port/radio.h"
#include "core/sniff/sink.h"

namespace airlab::sniff {

enum class StreamType : uint8_t { kPacket = 1, kDrops = 2, kLog = 3 };

inline constexpr uint8_t kStreamMagic = 0xa5;
inline constexpr size_t kStreamHeaderSize = 6;         // magic, type, seq, len
inline constexpr size_t kStreamPacketHeaderSize = 14;  // ts, link type, origlen
// The largest body: a radio's biggest MPDU behind a generous radiotap header.
inline constexpr size_t kStreamMaxBody = kStreamPacketHeaderSize + 256 + port::Radio::kMaxMpduSize;
inline constexpr size_t kStreamMaxFrame = kStreamHeaderSize + kStreamMaxBody + 4;
// COBS adds one byte per 254 and the two delimiters.
inline constexpr size_t kStreamMaxEncoded = kStreamMaxFrame + kStreamMaxFrame / 254 + 1 + 2;
inline constexpr size_t kStreamEncoderScratchSize = kStreamMaxFrame + kStreamMaxEncoded;

// COBS (Cheshire and Baker, 1999): `in` without zeros into `out`; returns the size, or 0
// when `out` (at least in.size() + in.size() / 254 + 1 bytes) is too small.
size_t CobsEncode(ByteSpan in, MutableByteSpan out);
// The reverse, in place allowed (`out` may be `in`'s storage). kDataLoss when `in` holds a
// zero or a code runs past the end.
Result<size_t> CobsDecode(ByteSpan in, MutableByteSpan out);

class StreamEncoder {
 public:
  // `out` and `scratch` (kStreamEncoderScratchSize bytes) must outlive the encoder.
  StreamEncoder(ByteSink& out, MutableByteSpan scratch) : out_(out), scratch_(scratch) {}

  // kInvalidArgument when the body exceeds kStreamMaxBody; the ByteSink's errors. The
  // sequence number advances either way, so the reader counts a failed frame as lost.
  Status WritePacket(const Packet& packet);
  Status WriteDrops(uint32_t dropped_total);
  Status WriteLog(ByteSpan text);

 private:
  Status WriteFrame(StreamType type, ByteSpan head, ByteSpan body);

  ByteSink& out_;
  MutableByteSpan scratch_;
  uint16_t sequence_ = 0;
};

// A PacketSink that streams every frame: the device side of `airlab sniff --stream`.
class StreamSink final : public PacketSink {
 public:
  explicit StreamSink(StreamEncoder& encoder) : encoder_(encoder) {}
  Status Write(const Packet& packet, const FrameRecord&) override {
    return encoder_.WritePacket(packet);
  }

 private:
  StreamEncoder& encoder_;
};

class StreamListener {
 public:
  // A packet; its data is valid only during the call.
  virtual void OnStreamPacket(const Packet& packet) = 0;
  virtual void OnStreamLog(ByteSpan text) = 0;

 protected:
  ~StreamListener() = default;
};

struct StreamStats {
  uint64_t frames = 0;        // whole frames accepted
  uint64_t bytes_lost = 0;    // bytes that were not part of an accepted frame
  uint64_t bad_frames = 0;    // delimited runs rejected (COBS, magic, length, CRC, size)
  uint64_t frames_lost = 0;   // gaps in the sequence numbers of accepted frames
  uint32_t device_drops = 0;  // the device's own count, from its last kDrops frame
};

class StreamDecoder {
 public:
  // `buffer` (kStreamMaxEncoded bytes) holds one frame being received; it and `listener`
  // must outlive the decoder.
  StreamDecoder(MutableByteSpan buffer, StreamListener& listener)
      : buffer_(buffer), listener_(listener) {}

  // Takes the next bytes of the stream, in pieces of any size; calls the listener for each
  // frame completed by them.
  void Feed(ByteSpan bytes);

  const StreamStats& stats() const { return stats_; }
  // Bytes waiting for their frame's closing delimiter.
  size_t pending() const { return overflow_ ? 0 : size_; }

 private:
  void EndOfFrame();
  bool Accept(ByteSpan frame);

  MutableByteSpan buffer_;
  StreamListener& listener_;
  size_t size_ = 0;
  size_t overflow_bytes_ = 0;
  bool overflow_ = false;
  bool have_sequence_ = false;
  uint16_t next_sequence_ = 0;
  StreamStats stats_;
};

}  // namespace airlab::sniff
