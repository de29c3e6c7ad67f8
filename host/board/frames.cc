#include "host/board/frames.h"

namespace airlab::host::board {

std::string EncodeFrame(FrameKind kind, std::string_view payload) {
  std::string frame;
  frame.reserve(5 + payload.size());
  frame.push_back(static_cast<char>(kind));
  const auto size = static_cast<uint32_t>(payload.size());
  for (int shift = 0; shift < 32; shift += 8) frame.push_back(static_cast<char>(size >> shift));
  frame.append(payload);
  return frame;
}

std::optional<Frame> FrameReader::Next() {
  const size_t available = buffer_.size() - start_;
  if (broken_ || available < 5) return std::nullopt;
  uint32_t size = 0;
  for (int i = 0; i < 4; ++i) {
    size |= static_cast<uint32_t>(static_cast<uint8_t>(buffer_[start_ + 1 + i])) << (8 * i);
  }
  if (size > kMaxFramePayload) {
    broken_ = true;
    return std::nullopt;
  }
  if (available < 5 + size) return std::nullopt;
  Frame frame{static_cast<FrameKind>(buffer_[start_]), buffer_.substr(start_ + 5, size)};
  start_ += 5 + size;
  if (start_ == buffer_.size() || start_ > (1u << 16)) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  return frame;
}

}  // namespace airlab::host::board
