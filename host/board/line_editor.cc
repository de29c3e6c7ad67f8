#include "host/board/line_editor.h"

namespace airlab::host::board {

void LineEditor::Start(std::string_view prompt, std::string& out) {
  line_.clear();
  cursor_ = 0;
  out.append(prompt);
}

LineEditor::Event LineEditor::Feed(char c, std::string& out) {
  if (c >= 1 && c <= 5 && line_.empty()) return static_cast<Event>(c + 1);  // Ctrl-A..E
  if (c == 3) return Event::kCtrlC;
  if (c == '\r') {
    out.append("\r\n");
    return Event::kEnter;
  }
  if ((c == 8 || c == 127) && cursor_ > 0) {
    line_.erase(--cursor_, 1);
    out.append("\b \b");
  } else if (c >= 32 && c <= 126) {
    line_.insert(cursor_++, 1, c);
    out.push_back(c);
  }
  return Event::kNone;
}

}  // namespace airlab::host::board
