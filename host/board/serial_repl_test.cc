// The REPL's bytes against MicroPython's shared/runtime/pyexec.c (the ESP32's blocking
// REPL): each expected string is what that code writes for the same input.
#include "host/board/serial_repl.h"

#include <gtest/gtest.h>

namespace airlab::host::board {
namespace {

constexpr std::string_view kBanner =
    "MicroPython v1.27.0 on 2025-12-10; Generic ESP32 module with ESP32\r\n"
    "Type \"help()\" for more information.\r\n";

// A REPL after its first reset, with the reset's output taken.
SerialRepl Started() {
  SerialRepl repl;
  repl.BeginReset(ResetKind::kPowerOn);
  repl.EndReset();
  repl.TakeOutput();
  return repl;
}

TEST(SerialRepl, Reset_RomLinesBannerPrompt) {
  SerialRepl repl;
  repl.BeginReset(ResetKind::kPowerOn);
  EXPECT_TRUE(repl.busy());
  repl.EndReset();
  const std::string out = repl.TakeOutput();
  EXPECT_EQ(out.rfind("ets Jul 29 2019", 0), 0u) << out;
  EXPECT_NE(out.find(std::string(kBanner) + ">>> "), std::string::npos) << out;
  EXPECT_FALSE(repl.busy());
}

TEST(SerialRepl, SoftReset_PrintsSoftReboot) {
  SerialRepl repl = Started();
  repl.BeginReset(ResetKind::kSoft);
  EXPECT_EQ(repl.TakeOutput(), "MPY: soft reboot\r\n");
}

TEST(SerialRepl, RawRepl_EnterRunLeave) {
  SerialRepl repl = Started();
  repl.Feed("\r\x01");
  EXPECT_EQ(repl.TakeOutput(), "\r\n>>> \r\nraw REPL; CTRL-B to exit\r\n>");
  repl.Feed("print(1)\x04");
  EXPECT_EQ(repl.TakeOutput(), "OK");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplAction::Kind::kExecute);
  EXPECT_EQ(actions[0].code, "print(1)");
  EXPECT_EQ(actions[0].mode, ExecMode::kFile);
  repl.Output("1\n");
  repl.ExecutionDone("");
  EXPECT_EQ(repl.TakeOutput(), "1\r\n\x04\x04>");
  repl.Feed("\x02");
  EXPECT_EQ(repl.TakeOutput(), "\r\n" + std::string(kBanner) + ">>> ");
}

TEST(SerialRepl, RawRepl_ErrorBetweenTheEofs) {
  SerialRepl repl = Started();
  repl.Feed(
      "\x01"
      "1/0\x04");
  repl.TakeOutput();
  repl.ExecutionDone("Traceback (most recent call last):\nZeroDivisionError: divide by zero\n");
  EXPECT_EQ(repl.TakeOutput(),
            "\x04Traceback (most recent call last):\r\nZeroDivisionError: divide by zero\r\n\x04>");
}

TEST(SerialRepl, RawRepl_EmptyCtrlD_OkAndSoftReset) {
  SerialRepl repl = Started();
  repl.Feed("\x01");
  repl.TakeOutput();
  repl.Feed("\x04");
  EXPECT_EQ(repl.TakeOutput(), "OK\r\n");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplAction::Kind::kSoftReset);
  // After the soft reset the board is still in the raw REPL (boot.py runs, main.py not).
  EXPECT_TRUE(repl.raw_mode());
  repl.BeginReset(ResetKind::kSoft);
  repl.EndReset();
  EXPECT_EQ(repl.TakeOutput(), "MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
}

TEST(SerialRepl, RawRepl_SystemExit_EofsThenSoftReset) {
  SerialRepl repl = Started();
  repl.Feed(
      "\x01"
      "import sys\nsys.exit()\x04");
  repl.TakeOutput();
  repl.TakeActions();
  repl.ExecutionExited();
  EXPECT_EQ(repl.TakeOutput(), "\x04\x04");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplAction::Kind::kSoftReset);
}

TEST(SerialRepl, RawPaste_WindowAndFlowControl) {
  SerialRepl repl = Started();
  repl.Feed("\x01");
  repl.TakeOutput();
  repl.Feed(
      "\x05"
      "A\x01");
  EXPECT_EQ(repl.TakeOutput(), std::string("R\x01\x80\x00\x01", 5));
  repl.Feed(std::string(127, 'x'));
  EXPECT_EQ(repl.TakeOutput(), "");
  repl.Feed("x");  // a whole window taken: another may come
  EXPECT_EQ(repl.TakeOutput(), "\x01");
  repl.Feed("\x04");
  EXPECT_EQ(repl.TakeOutput(), "\x04");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].code, std::string(128, 'x'));
  repl.ExecutionDone("");
  EXPECT_EQ(repl.TakeOutput(), "\x04\x04>");
}

TEST(SerialRepl, RawPaste_UnknownCommand_Refused) {
  SerialRepl repl = Started();
  repl.Feed("\x01");
  repl.TakeOutput();
  repl.Feed(
      "\x05"
      "B\x01");
  EXPECT_EQ(repl.TakeOutput(), std::string("R\x00>", 3));
}

TEST(SerialRepl, Busy_InputWaits_CtrlCInterruptsAtOnce) {
  SerialRepl repl = Started();
  repl.Feed(
      "\x01"
      "x\x04"
      "y\x04");
  repl.TakeOutput();
  std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);  // the second program waits for the first
  repl.Feed("\x03");
  actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplAction::Kind::kInterrupt);
  repl.ExecutionDone("");
  actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].code, "y");
  EXPECT_EQ(repl.TakeOutput(), "\x04\x04>OK");
}

TEST(SerialRepl, InputLine_TakenFromWhatWaits) {
  SerialRepl repl = Started();
  repl.Feed(
      "\x01"
      "input()\x04");
  repl.TakeOutput();
  EXPECT_FALSE(repl.TakeInputLine());
  repl.Feed("ab");
  EXPECT_FALSE(repl.TakeInputLine());  // no Enter yet
  repl.Feed("c\r\nnext");
  EXPECT_EQ(repl.TakeInputLine(), "abc");
  EXPECT_EQ(repl.TakeOutput(), "abc\r\n");
  EXPECT_FALSE(repl.TakeInputLine());
}

TEST(SerialRepl, Friendly_LineRunsInSingleMode) {
  SerialRepl repl = Started();
  repl.Feed("1+2\r");
  EXPECT_EQ(repl.TakeOutput(), "1+2\r\n");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].code, "1+2");
  EXPECT_EQ(actions[0].mode, ExecMode::kSingle);
  repl.Output("3\n");
  repl.ExecutionDone("");
  EXPECT_EQ(repl.TakeOutput(), "3\r\n>>> ");
}

TEST(SerialRepl, Friendly_CtrlDOnEmptyLine_SoftReset) {
  SerialRepl repl = Started();
  repl.Feed("\x04");
  EXPECT_EQ(repl.TakeOutput(), "\r\n");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, ReplAction::Kind::kSoftReset);
}

TEST(SerialRepl, Paste_EchoesAndRunsAsFile) {
  SerialRepl repl = Started();
  repl.Feed("\x05");
  EXPECT_EQ(repl.TakeOutput(), "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
  repl.Feed("a=1\rb=2\x04");
  EXPECT_EQ(repl.TakeOutput(), "a=1\r\n=== b=2\r\n");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].code, "a=1\rb=2");
  EXPECT_EQ(actions[0].mode, ExecMode::kFile);
}

TEST(SerialRepl, Friendly_CompoundStatementWithAutoIndent) {
  SerialRepl repl = Started();
  repl.Feed("for i in range(2):\r");
  EXPECT_EQ(repl.TakeOutput(), "for i in range(2):\r\n...     ");
  repl.Feed("print(i)\r");
  EXPECT_EQ(repl.TakeOutput(), "print(i)\r\n...     ");
  EXPECT_TRUE(repl.TakeActions().empty());
  repl.Feed("\x7f\r");  // back out of the indent, an empty line ends the statement
  EXPECT_EQ(repl.TakeOutput(), "\b\b\b\b\x1b[K\r\n");
  const std::deque<ReplAction> actions = repl.TakeActions();
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].code, "for i in range(2):\n    print(i)\n");
  EXPECT_EQ(actions[0].mode, ExecMode::kSingle);
}

TEST(SerialRepl, Friendly_CtrlCCancelsTheStatement) {
  SerialRepl repl = Started();
  repl.Feed("if True:\r\x03");
  EXPECT_EQ(repl.TakeOutput(), "if True:\r\n...     \r\n>>> ");
  EXPECT_TRUE(repl.TakeActions().empty());
}

}  // namespace
}  // namespace airlab::host::board
