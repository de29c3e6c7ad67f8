#pragma once
// The friendly REPL's line editor, as MicroPython's shared/readline/readline.c does it on
// an ESP32: echo, backspace (four spaces at once in an indent), cursor keys, Home/End,
// Delete, the emacs keys (Ctrl-A/B/D/E/F/K/N/P/U on a non-empty line), a history of 8
// lines, and auto-indent after a line ending in ':'. A pure state machine: a byte in, what
// to echo appended to `out`, and an Event when the line ends or a control key means
// something to the REPL.

#include <array>
#include <string>
#include <string_view>

namespace airlab::host::board {

class LineEditor {
 public:
  // kCtrlA..kCtrlE come only on an empty (current) line; kCtrlC always.
  enum class Event { kNone, kEnter, kCtrlA, kCtrlB, kCtrlC, kCtrlD, kCtrlE };
  static constexpr size_t kHistorySize = 8;

  // A new statement: clears the text, writes `prompt` (">>> ").
  void Start(std::string_view prompt, std::string& out);
  // The statement goes on: adds a newline to the text, writes `prompt` ("... ") and the
  // auto-indent.
  void Continue(std::string_view prompt, std::string& out);
  Event Feed(char c, std::string& out);
  // The statement so far, lines joined by '\n'.
  const std::string& text() const { return text_; }
  bool current_line_empty() const { return text_.size() == line_start_; }

 private:
  enum class Escape { kNone, kEsc, kBracket, kBracketDigit, kO };
  // How the line is redrawn after an edit, as readline's redraw_* variables.
  struct Redraw {
    size_t back = 0;
    bool from_cursor = false;
    size_t forward = 0;
  };

  void Begin(std::string_view prompt, std::string& out);
  bool IsNewline(char c);
  Event Plain(char c, Redraw& r);
  void EscapeKey(char c, Redraw& r);
  void Backspace(Redraw& r);
  void Home(Redraw& r) { r.back = cursor_ - line_start_; }
  void End(Redraw& r) { r.forward = text_.size() - cursor_; }
  void Delete(Redraw& r);
  void History(int step, Redraw& r);
  void PushHistory();
  void Draw(const Redraw& r, size_t old_size, std::string& out);
  void AutoIndent(std::string& out);

  std::string text_;
  size_t line_start_ = 0;  // readline's orig_line_len
  size_t cursor_ = 0;
  Escape escape_ = Escape::kNone;
  char escape_digit_ = 0;
  char last_newline_ = 0;
  bool auto_indent_ = true;
  bool indent_just_added_ = false;
  int history_at_ = -1;
  std::array<std::string, kHistorySize> history_;  // most recent first
  size_t history_size_ = 0;
};

}  // namespace airlab::host::board
