#pragma once
// The REPL a MicroPython ESP32 runs on its serial port, as a pure byte state machine: bytes
// from the port go in; bytes for the port and actions for the board ("execute this code",
// "interrupt the running code", "soft reset") come out. It implements the friendly REPL
// with its line editor, paste mode, the raw REPL and raw-paste mode with its flow control,
// byte for byte as MicroPython's shared/runtime/pyexec.c does (reference:
// ../shared/reference/micropython-boards.md). The board (board.h) runs the code and
// reports back with Output and ExecutionDone; the REPL adds the framing each mode wants.
//
// While code runs or the board resets, bytes from the port wait in the REPL as they wait in
// a board's UART buffer, except Ctrl-C, which asks for an interrupt at once.

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "host/board/line_editor.h"

namespace airlab::host::board {

enum class ExecMode { kFile, kSingle };  // compile()'s "exec" and "single"

struct ReplAction {
  enum class Kind { kExecute, kInterrupt, kSoftReset };
  Kind kind;
  std::string code;  // kExecute
  ExecMode mode = ExecMode::kFile;
};

// kPowerOn: the board starts; kHard: machine.reset() (or a restart after Ctrl-C); kSoft:
// Ctrl-D or machine.soft_reset().
enum class ResetKind { kPowerOn, kHard, kSoft };

class SerialRepl {
 public:
  // The raw-paste window: half of MicroPython's 256-byte stdin buffer, as on an ESP32.
  static constexpr size_t kRawPasteWindow = 128;

  SerialRepl() = default;

  // Bytes that came in on the serial port.
  void Feed(std::string_view bytes);
  // What the running code printed; "\n" goes out as "\r\n" as an ESP32's UART sends it.
  void Output(std::string_view bytes);
  // The code of the last kExecute ended; `error` is its traceback ("" when none).
  void ExecutionDone(std::string_view error);
  // It raised SystemExit: the board soft-resets (kSoftReset), as pyexec's FORCED_EXIT.
  void ExecutionExited();

  // A reset begins: prints what an ESP32 prints (ROM and bootloader lines, or "MPY: soft
  // reboot") and holds input until EndReset.
  void BeginReset(ResetKind kind);
  // boot.py and main.py ran: prints the banner and prompt of the REPL the board is in.
  void EndReset();
  // main.py runs at reset only when the friendly REPL is the mode (pyexec_mode_kind).
  bool raw_mode() const { return mode_ != Mode::kFriendly && mode_ != Mode::kPaste; }
  // Code runs or a reset is under way: input waits.
  bool busy() const { return busy_; }

  // input() while code runs: the first line typed since the code started (up to Enter),
  // echoed as a board's readline echoes it, or nothing yet.
  std::optional<std::string> TakeInputLine();

  std::string TakeOutput();
  std::deque<ReplAction> TakeActions();

 private:
  enum class Mode { kFriendly, kPaste, kRaw, kRawPaste };

  void Process(char c);
  void Friendly(char c);
  void Paste(char c);
  void Raw(char c);
  void RawPaste(char c);
  void OnLineEnd(LineEditor::Event event);
  void OnContinuation(LineEditor::Event event);
  void RunOrContinue();
  void Execute(std::string code, ExecMode mode);
  void Prompt();
  void Banner();
  void ReplayHeld();

  Mode mode_ = Mode::kFriendly;
  bool busy_ = true;         // until the first EndReset
  bool raw_exec_ = false;    // the running code came from the raw REPL: frame its output
  std::string line_;         // raw REPL and paste mode input
  bool continuing_ = false;  // the friendly REPL asked for more lines ("... ")
  size_t window_left_ = 0;   // raw-paste flow control
  LineEditor editor_;
  std::string held_;
  std::string out_;
  std::deque<ReplAction> actions_;
};

}  // namespace airlab::host::board
