#pragma once
// The framing between a board and its Node child (runtime/board.mjs) on their socketpair:
// a kind byte, the payload's length as 4 bytes little-endian, the payload. The kinds:
//   child -> board: kReady (MicroPython is up), kOutput (bytes Python printed),
//                   kCall (a bridge call, JSON [name, args...]), kDone (the code ended;
//                   the payload is the traceback text, empty when it ended well,
//                   kExitedPayload when it raised SystemExit),
//                   kInterruptSeen (the child took the interrupt pipe's Ctrl-Cs).
//   board -> child: kExecute (JSON {"code", "mode": "exec"|"single", "file"}), kAnswer
//                   (JSON {"r": result} | {"e": [type, args]} | {"i": 1} interrupted).
// board.mjs holds the other half of this contract.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlab::host::board {

enum class FrameKind : char {
  kReady = 'R',
  kOutput = 'O',
  kCall = 'C',
  kDone = 'D',
  kInterruptSeen = 'K',
  kExecute = 'X',
  kAnswer = 'A',
};

struct Frame {
  FrameKind kind;
  std::string payload;
};

inline constexpr std::string_view kExitedPayload{"\0SystemExit", 11};

// Larger frames mean a broken child; FrameReader refuses them.
inline constexpr uint32_t kMaxFramePayload = 64u << 20;

std::string EncodeFrame(FrameKind kind, std::string_view payload);

// Cuts a byte stream into frames.
class FrameReader {
 public:
  void Append(const char* data, size_t size) { buffer_.append(data, size); }
  // The next whole frame, or nothing yet. Sets broken() on an oversized length.
  std::optional<Frame> Next();
  bool broken() const { return broken_; }

 private:
  std::string buffer_;
  size_t start_ = 0;  // bytes of buffer_ already taken
  bool broken_ = false;
};

}  // namespace airlab::host::board
