#pragma once
// The Node.js process that runs a board's MicroPython (runtime/board.mjs), with the two
// channels board.mjs expects: fd 3, a socketpair carrying frames (frames.h), and fd 4, the
// read end of the interrupt pipe. It runs in its own process group, so a Ctrl-C typed in
// the board's terminal stops the board, which then stops it, rather than killing it alone.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "host/board/frames.h"

namespace airlab::host::board {

struct RuntimePaths {
  std::string node = "node";     // the Node.js program
  std::filesystem::path script;  // runtime/board.mjs
};

class NodeChild {
 public:
  // Starts node on the script. Throws std::runtime_error naming the fix.
  explicit NodeChild(const RuntimePaths& paths);
  // Kills the child and reaps it.
  ~NodeChild();
  NodeChild(const NodeChild&) = delete;
  NodeChild& operator=(const NodeChild&) = delete;

  // The socket, for poll(); readable when frames (or the child's end) came.
  int fd() const { return socket_; }
  // Writes a whole frame, waiting while the socket is full; false when the child is gone.
  bool Send(FrameKind kind, std::string_view payload);
  // Reads once from the socket without blocking; false once the child is gone.
  bool Receive();
  std::optional<Frame> Next() { return reader_.Next(); }
  // True once the child broke the framing.
  bool broken() const { return reader_.broken(); }
  // Tells the child a Ctrl-C came: one byte in the interrupt pipe.
  void Interrupt();
  // Empties the interrupt pipe: Ctrl-Cs for code that has ended must not reach the next.
  // Call only while the child waits for a frame.
  void ClearInterrupts();

 private:
  pid_t pid_ = -1;
  int socket_ = -1;
  int interrupt_ = -1;       // the pipe's write end
  int interrupt_read_ = -1;  // and its read end (the child has its own)
  FrameReader reader_;
};

}  // namespace airlab::host::board
