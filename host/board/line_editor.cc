#include "host/board/line_editor.h"

#include <algorithm>

namespace airlab::host::board {
namespace {

constexpr char kEsc = 27;

void MoveBack(size_t n, std::string& out) {
  if (n == 0) return;
  if (n <= 4) {
    out.append(n, '\b');
  } else {
    out.append("\x1b[" + std::to_string(n) + "D");
  }
}

}  // namespace

void LineEditor::Start(std::string_view prompt, std::string& out) {
  text_.clear();
  auto_indent_ = true;
  Begin(prompt, out);
}

void LineEditor::Continue(std::string_view prompt, std::string& out) {
  text_.push_back('\n');
  Begin(prompt, out);
}

void LineEditor::Begin(std::string_view prompt, std::string& out) {
  line_start_ = cursor_ = text_.size();
  escape_ = Escape::kNone;
  history_at_ = -1;
  out.append(prompt);
  AutoIndent(out);
}

bool LineEditor::IsNewline(char c) {
  // "\r\n" (or "\n\r") is one newline, as readline's process_nl.
  if ((c == '\r' || c == '\n') && (last_newline_ == 0 || last_newline_ == c)) {
    last_newline_ = c;
    return true;
  }
  last_newline_ = 0;
  return false;
}

LineEditor::Event LineEditor::Feed(char c, std::string& out) {
  const size_t old_size = text_.size();
  Redraw redraw;
  if (escape_ == Escape::kNone) {
    const Event event = Plain(c, redraw);
    if (event == Event::kEnter) out.append("\r\n");
    if (event != Event::kNone) return event;
  } else {
    EscapeKey(c, redraw);
  }
  Draw(redraw, old_size, out);
  indent_just_added_ = false;
  return Event::kNone;
}

// One case per control key readline.c knows: a flat switch reads better than a split.
LineEditor::Event LineEditor::Plain(char c, Redraw& r) {
  if (c >= 1 && c <= 5 && current_line_empty()) return static_cast<Event>(c + 1);
  switch (c) {
    case 1:  // Ctrl-A
      Home(r);
      return Event::kNone;
    case 2:  // Ctrl-B
      if (cursor_ > line_start_) r.back = 1;
      return Event::kNone;
    case 3: return Event::kCtrlC;
    case 4:  // Ctrl-D
      Delete(r);
      return Event::kNone;
    case 5:  // Ctrl-E
      End(r);
      return Event::kNone;
    case 6:  // Ctrl-F
      if (cursor_ < text_.size()) r.forward = 1;
      return Event::kNone;
    case 11:  // Ctrl-K
      text_.erase(cursor_);
      r.from_cursor = true;
      return Event::kNone;
    case 14:  // Ctrl-N
      History(-1, r);
      return Event::kNone;
    case 16:  // Ctrl-P
      History(1, r);
      return Event::kNone;
    case 21:  // Ctrl-U
      text_.erase(line_start_, cursor_ - line_start_);
      r.back = cursor_ - line_start_;
      r.from_cursor = true;
      return Event::kNone;
    default: break;
  }
  if (IsNewline(c)) {
    PushHistory();
    return Event::kEnter;
  }
  if (c == kEsc) {
    escape_ = Escape::kEsc;
  } else if (c == 8 || c == 127) {
    Backspace(r);
  } else if (indent_just_added_ && (c == 9 || c == ' ')) {
    // Tab or space right after an auto-indent turns auto-indent off; a space also takes
    // back three of the indent's four spaces.
    auto_indent_ = false;
    if (c == ' ') {
      text_.erase(text_.size() - 3);
      r.back = 3;
    }
  } else if (c == 9 && cursor_ > 0 && (text_[cursor_ - 1] == ' ' || text_[cursor_ - 1] == '\n')) {
    text_.insert(cursor_, "    ");
    r.from_cursor = true;
    r.forward = 4;
  } else if (c >= 32 && c <= 126) {
    text_.insert(cursor_, 1, c);
    r.from_cursor = true;
    r.forward = 1;
  }
  return Event::kNone;
}

void LineEditor::EscapeKey(char c, Redraw& r) {
  switch (escape_) {
    case Escape::kEsc:
      escape_ = c == '[' ? Escape::kBracket : c == 'O' ? Escape::kO : Escape::kNone;
      return;
    case Escape::kBracket:
      escape_ = Escape::kNone;
      if (c >= '0' && c <= '9') {
        escape_ = Escape::kBracketDigit;
        escape_digit_ = c;
      } else if (c == 'A') {
        History(1, r);
      } else if (c == 'B') {
        History(-1, r);
      } else if (c == 'C') {
        if (cursor_ < text_.size()) r.forward = 1;
      } else if (c == 'D') {
        if (cursor_ > line_start_) r.back = 1;
      } else if (c == 'H') {
        Home(r);
      } else if (c == 'F') {
        End(r);
      }
      return;
    case Escape::kBracketDigit:
      escape_ = Escape::kNone;
      if (c != '~') return;
      if (escape_digit_ == '1' || escape_digit_ == '7') Home(r);
      if (escape_digit_ == '4' || escape_digit_ == '8') End(r);
      if (escape_digit_ == '3') Delete(r);
      return;
    case Escape::kO:
      escape_ = Escape::kNone;
      if (c == 'H') Home(r);
      if (c == 'F') End(r);
      return;
    case Escape::kNone: return;
  }
}

void LineEditor::Backspace(Redraw& r) {
  if (cursor_ <= line_start_) return;
  // In an indent of four or more spaces, a backspace takes four.
  const bool all_spaces = std::all_of(text_.begin() + static_cast<std::ptrdiff_t>(line_start_),
                                      text_.begin() + static_cast<std::ptrdiff_t>(cursor_),
                                      [](char ch) { return ch == ' '; });
  const size_t n = all_spaces && cursor_ - line_start_ >= 4 ? 4 : 1;
  text_.erase(cursor_ - n, n);
  r.back = n;
  r.from_cursor = true;
}

void LineEditor::Delete(Redraw& r) {
  if (cursor_ < text_.size()) {
    text_.erase(cursor_, 1);
    r.from_cursor = true;
  }
}

void LineEditor::History(int step, Redraw& r) {
  const int to = history_at_ + step;
  if (step > 0 && (to >= static_cast<int>(history_size_))) return;
  if (step < 0 && history_at_ < 0) return;
  history_at_ = to;
  text_.erase(line_start_);
  if (history_at_ >= 0) text_ += history_[static_cast<size_t>(history_at_)];
  r.back = cursor_ - line_start_;
  r.from_cursor = true;
  r.forward = text_.size() - line_start_;
}

void LineEditor::PushHistory() {
  const std::string line = text_.substr(line_start_);
  if (line.empty() || (history_size_ > 0 && history_[0] == line)) return;
  std::move_backward(history_.begin(), history_.end() - 1, history_.end());
  history_[0] = line;
  history_size_ = std::min(history_size_ + 1, kHistorySize);
}

void LineEditor::Draw(const Redraw& r, size_t old_size, std::string& out) {
  if (r.back > 0) {
    MoveBack(r.back, out);
    cursor_ -= r.back;
  }
  if (r.from_cursor) {
    if (text_.size() < old_size) out.append("\x1b[K");
    out.append(text_, cursor_);
    MoveBack(text_.size() - (cursor_ + r.forward), out);
    cursor_ += r.forward;
  } else if (r.forward > 0) {
    out.append(text_, cursor_, r.forward);
    cursor_ += r.forward;
  }
}

void LineEditor::AutoIndent(std::string& out) {
  if (!auto_indent_ || text_.size() < 2 || text_.back() != '\n') return;
  // The previous line: [start, end) without its '\n'; its indent in spaces.
  const size_t end = text_.size() - 1;
  const size_t start =
      text_.rfind('\n', end - 1) == std::string::npos ? 0 : text_.rfind('\n', end - 1) + 1;
  size_t first = start;
  while (first < end && text_[first] == ' ') ++first;
  if (start > 0 && first == end) {
    // The previous line is all spaces: no indent if the one before it is too.
    size_t k = start - 1;
    while (k > 0 && text_[k - 1] == ' ') --k;
    if (k > 0 && text_[k - 1] == '\n') return;
  }
  size_t n = (first - start) / 4;
  if (text_[end - 1] == ':') ++n;
  for (; n > 0; --n) {
    text_.append("    ");
    out.append("    ");
    cursor_ += 4;
    indent_just_added_ = true;
  }
}

}  // namespace airlab::host::board
