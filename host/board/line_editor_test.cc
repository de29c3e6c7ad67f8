// The editor's echo against MicroPython's shared/readline/readline.c for the same keys.
#include "host/board/line_editor.h"

#include <gtest/gtest.h>

namespace airlab::host::board {
namespace {

struct Typed {
  std::string out;
  LineEditor::Event last = LineEditor::Event::kNone;
};

Typed Type(LineEditor& editor, std::string_view keys) {
  Typed typed;
  for (char c : keys) typed.last = editor.Feed(c, typed.out);
  return typed;
}

TEST(LineEditor, EchoAndEnter) {
  LineEditor e;
  std::string out;
  e.Start(">>> ", out);
  EXPECT_EQ(out, ">>> ");
  const Typed t = Type(e, "ab\r");
  EXPECT_EQ(t.out, "ab\r\n");
  EXPECT_EQ(t.last, LineEditor::Event::kEnter);
  EXPECT_EQ(e.text(), "ab");
}

TEST(LineEditor, CrLfIsOneNewline) {
  LineEditor e;
  std::string out;
  e.Start(">>> ", out);
  EXPECT_EQ(Type(e, "a\r").last, LineEditor::Event::kEnter);
  e.Start(">>> ", out);
  EXPECT_EQ(Type(e, "\nb").out, "b");  // the \n of "\r\n" is not a second Enter
}

TEST(LineEditor, BackspaceAndCursorKeys) {
  LineEditor e;
  std::string out;
  e.Start("", out);
  EXPECT_EQ(Type(e, "abc\x7f").out, "abc\b\x1b[K");
  EXPECT_EQ(Type(e, "\x1b[D").out, "\b");  // left
  EXPECT_EQ(Type(e, "X").out, "Xb\b");     // insert before b: redraw the tail
  EXPECT_EQ(e.text(), "aXb");
  EXPECT_EQ(Type(e, "\x1b[H").out, "\b\b");           // home
  EXPECT_EQ(Type(e, "\x1b[3~").out, "\x1b[KXb\b\b");  // delete at the cursor
  EXPECT_EQ(e.text(), "Xb");
}

TEST(LineEditor, HistoryUpDown) {
  LineEditor e;
  std::string out;
  e.Start(">>> ", out);
  Type(e, "first\r");
  e.Start(">>> ", out);
  Type(e, "second\r");
  e.Start(">>> ", out);
  EXPECT_EQ(Type(e, "\x1b[A").out, "second");
  // Back over "second" (VT100 for more than 4), erase the rest, draw "first".
  EXPECT_EQ(Type(e, "\x1b[A").out, "\x1b[6D\x1b[Kfirst");
  EXPECT_EQ(e.text(), "first");
  Type(e, "\x1b[B");
  EXPECT_EQ(e.text(), "second");
}

TEST(LineEditor, AutoIndentAfterColon_BackspaceTakesFour) {
  LineEditor e;
  std::string out;
  e.Start(">>> ", out);
  Type(e, "for i in x:\r");
  std::string more;
  e.Continue("... ", more);
  EXPECT_EQ(more, "...     ");
  EXPECT_EQ(e.text(), "for i in x:\n    ");
  EXPECT_EQ(Type(e, "\x7f").out, "\b\b\b\b\x1b[K");
  EXPECT_TRUE(e.current_line_empty());
}

TEST(LineEditor, ControlKeysOnEmptyLine_AreEvents) {
  LineEditor e;
  std::string out;
  e.Start(">>> ", out);
  EXPECT_EQ(Type(e, "\x01").last, LineEditor::Event::kCtrlA);
  EXPECT_EQ(Type(e, "\x04").last, LineEditor::Event::kCtrlD);
  EXPECT_EQ(Type(e, "\x05").last, LineEditor::Event::kCtrlE);
  Type(e, "x");
  EXPECT_EQ(Type(e, "\x04").last, LineEditor::Event::kNone);  // delete at cursor, no reset
  EXPECT_EQ(Type(e, "\x03").last, LineEditor::Event::kCtrlC);
}

}  // namespace
}  // namespace airlab::host::board
