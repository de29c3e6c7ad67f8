#pragma once
// The friendly REPL's line editor, as MicroPython's shared/readline does it on a board:
// it echoes what is typed and edits the line in place. A pure state machine: each byte
// in, what to echo appended to an output string, and an Event when the line is done or a
// control key means something to the REPL.

#include <string>

namespace airlab::host::board {

class LineEditor {
 public:
  enum class Event { kNone, kEnter, kCtrlA, kCtrlB, kCtrlC, kCtrlD, kCtrlE };

  // Starts a new line after writing `prompt` (">>> " or "... ").
  void Start(std::string_view prompt, std::string& out);
  Event Feed(char c, std::string& out);
  const std::string& line() const { return line_; }

 private:
  std::string line_;
  size_t cursor_ = 0;
};

}  // namespace airlab::host::board
