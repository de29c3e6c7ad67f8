#include "core/sniff/stream.h"

#include <array>

#include "core/wire/dot11.h"

namespace airlab::sniff {

size_t CobsEncode(ByteSpan in, MutableByteSpan out) {
  if (out.size() < in.size() + in.size() / 254 + 1) return 0;
  size_t code_at = 0;
  size_t o = 1;
  uint8_t code = 1;
  for (std::byte b : in) {
    if (b == std::byte{0}) {
      out[code_at] = std::byte{code};
      code_at = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    if (++code == 0xff) {
      out[code_at] = std::byte{code};
      code_at = o++;
      code = 1;
    }
  }
  out[code_at] = std::byte{code};
  return o;
}

Result<size_t> CobsDecode(ByteSpan in, MutableByteSpan out) {
  size_t i = 0;
  size_t o = 0;
  while (i < in.size()) {
    const uint8_t code = static_cast<uint8_t>(in[i++]);
    if (code == 0 || i + code - 1 > in.size() || o + code - 1 > out.size()) {
      return Status::DataLoss();
    }
    for (uint8_t k = 1; k < code; ++k) {
      if (in[i] == std::byte{0}) return Status::DataLoss();
      out[o++] = in[i++];
    }
    // A block shorter than 254 bytes stands for a zero, except at the very end.
    if (code != 0xff && i < in.size()) {
      if (o == out.size()) return Status::DataLoss();
      out[o++] = std::byte{0};
    }
  }
  return o;
}

Status StreamEncoder::WriteFrame(StreamType type, ByteSpan head, ByteSpan body) {
  const uint16_t sequence = sequence_++;
  const size_t body_size = head.size() + body.size();
  if (body_size > kStreamMaxBody || scratch_.size() < kStreamEncoderScratchSize) {
    return Status::InvalidArgument();
  }
  ByteBuilder frame(scratch_.first(kStreamMaxFrame));
  frame.PutU8(kStreamMagic)
      .PutU8(static_cast<uint8_t>(type))
      .PutLe16(sequence)
      .PutLe16(static_cast<uint16_t>(body_size))
      .Append(head)
      .Append(body);
  frame.PutLe32(wire::Crc32(frame.bytes()));
  AIRLAB_TRY(frame.status());
  MutableByteSpan encoded = scratch_.subspan(kStreamMaxFrame);
  encoded[0] = std::byte{0};
  const size_t n = CobsEncode(frame.bytes(), encoded.subspan(1, encoded.size() - 2));
  if (n == 0) return Status::Internal();
  encoded[n + 1] = std::byte{0};
  return out_.Write(encoded.first(n + 2));
}

Status StreamEncoder::WritePacket(const Packet& packet) {
  std::array<std::byte, kStreamPacketHeaderSize> head;
  store_le64(head, 0, static_cast<uint64_t>(packet.ts_ns));
  store_le16(head, 8, static_cast<uint16_t>(packet.link_type));
  store_le32(head, 10, packet.origlen);
  return WriteFrame(StreamType::kPacket, head, packet.data);
}

Status StreamEncoder::WriteDrops(uint32_t dropped_total) {
  std::array<std::byte, 4> body;
  store_le32(body, 0, dropped_total);
  return WriteFrame(StreamType::kDrops, body, {});
}

Status StreamEncoder::WriteLog(ByteSpan text) { return WriteFrame(StreamType::kLog, {}, text); }

void StreamDecoder::Feed(ByteSpan bytes) {
  for (std::byte b : bytes) {
    if (b == std::byte{0}) {
      EndOfFrame();
      continue;
    }
    if (overflow_) {
      ++overflow_bytes_;
    } else if (size_ < buffer_.size()) {
      buffer_[size_++] = b;
    } else {
      // Longer than any frame: garbage, or a delimiter was lost. Skip to the next one.
      overflow_ = true;
      overflow_bytes_ = size_ + 1;
    }
  }
}

void StreamDecoder::EndOfFrame() {
  if (overflow_) {
    stats_.bytes_lost += overflow_bytes_;
    ++stats_.bad_frames;
  } else if (size_ > 0) {
    const size_t encoded = size_;
    auto decoded = CobsDecode(buffer_.first(size_), buffer_);
    if (!decoded.ok() || !Accept(buffer_.first(*decoded))) {
      stats_.bytes_lost += encoded;
      ++stats_.bad_frames;
    }
  }
  size_ = 0;
  overflow_ = false;
  overflow_bytes_ = 0;
}

bool StreamDecoder::Accept(ByteSpan frame) {
  if (frame.size() < kStreamHeaderSize + 4 || load_u8(frame, 0) != kStreamMagic) return false;
  const size_t body_size = load_le16(frame, 4);
  if (frame.size() != kStreamHeaderSize + body_size + 4) return false;
  const ByteSpan covered = frame.first(kStreamHeaderSize + body_size);
  if (wire::Crc32(covered) != load_le32(frame, covered.size())) return false;

  const uint16_t sequence = load_le16(frame, 2);
  // A step back or a huge jump is a device restart, not loss.
  const uint16_t gap = static_cast<uint16_t>(sequence - next_sequence_);
  if (have_sequence_ && gap < 0x8000) stats_.frames_lost += gap;
  have_sequence_ = true;
  next_sequence_ = static_cast<uint16_t>(sequence + 1);
  ++stats_.frames;

  const ByteSpan body = covered.subspan(kStreamHeaderSize);
  switch (static_cast<StreamType>(load_u8(frame, 1))) {
    case StreamType::kPacket:
      if (body.size() < kStreamPacketHeaderSize)
        return true;  // whole but empty: nothing to pass on
      listener_.OnStreamPacket(Packet{static_cast<int64_t>(load_le64(body, 0)), load_le16(body, 8),
                                      body.subspan(kStreamPacketHeaderSize), load_le32(body, 10)});
      break;
    case StreamType::kDrops:
      if (body.size() >= 4) stats_.device_drops = load_le32(body, 0);
      break;
    case StreamType::kLog: listener_.OnStreamLog(body); break;
    default: break;  // a type from a newer device: skipped, still counted as received
  }
  return true;
}

}  // namespace airlab::sniff
