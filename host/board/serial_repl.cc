#include "host/board/serial_repl.h"

#include <utility>

#include "host/board/continuation.h"

namespace airlab::host::board {
namespace {

constexpr char kCtrlA = 1, kCtrlB = 2, kCtrlC = 3, kCtrlD = 4, kCtrlE = 5;

constexpr std::string_view kBanner =
    "MicroPython v1.27.0 on 2025-12-10; Generic ESP32 module with ESP32\r\n"
    "Type \"help()\" for more information.\r\n";
constexpr std::string_view kRawBanner = "raw REPL; CTRL-B to exit\r\n";
// What an ESP32's ROM and bootloader print at a reset, after the reset reason line.
constexpr std::string_view kRomStart = "ets Jul 29 2019 12:21:46\r\n\r\n";
constexpr std::string_view kPowerOnReason =
    "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
constexpr std::string_view kSoftwareReason =
    "rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
constexpr std::string_view kRomLines =
    "configsip: 0, SPIWP:0xee\r\n"
    "clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n"
    "mode:DIO, clock div:2\r\n"
    "load:0x3fff0030,len:4728\r\n"
    "load:0x40078000,len:14888\r\n"
    "load:0x40080400,len:3368\r\n"
    "entry 0x400805cc\r\n";

}  // namespace

void SerialRepl::Feed(std::string_view bytes) {
  for (char c : bytes) {
    if (busy_) {
      if (c == kCtrlC) {
        actions_.push_back({ReplAction::Kind::kInterrupt, {}});
      } else {
        held_.push_back(c);
      }
    } else {
      Process(c);
    }
  }
}

void SerialRepl::Output(std::string_view bytes) {
  for (char c : bytes) {
    if (c == '\n') out_.push_back('\r');
    out_.push_back(c);
  }
}

void SerialRepl::ExecutionDone(std::string_view error) {
  if (raw_exec_) {
    out_.push_back(kCtrlD);
    Output(error);
    out_.append("\x04>");
  } else {
    Output(error);
    Prompt();
  }
  busy_ = false;
  ReplayHeld();
}

void SerialRepl::ExecutionExited() {
  if (raw_exec_) out_.append("\x04\x04");  // the EOFs; no error text, no prompt
  actions_.push_back({ReplAction::Kind::kSoftReset, {}});
}

void SerialRepl::BeginReset(ResetKind kind) {
  if (kind == ResetKind::kSoft) {
    out_.append("MPY: soft reboot\r\n");
  } else {
    out_.append(kRomStart);
    out_.append(kind == ResetKind::kPowerOn ? kPowerOnReason : kSoftwareReason);
    out_.append(kRomLines);
    mode_ = Mode::kFriendly;  // a hard reset starts in the friendly REPL
    held_.clear();            // and with an empty UART buffer
  }
  busy_ = true;
  line_.clear();
  continuing_ = false;
}

void SerialRepl::EndReset() {
  if (raw_mode()) {
    mode_ = Mode::kRaw;
    out_.append(kRawBanner);
    out_.push_back('>');
  } else {
    mode_ = Mode::kFriendly;
    Banner();
    Prompt();
  }
  busy_ = false;
  ReplayHeld();
}

std::optional<std::string> SerialRepl::TakeInputLine() {
  const size_t end = held_.find_first_of("\r\n");
  if (end == std::string::npos) return std::nullopt;
  std::string line = held_.substr(0, end);
  const size_t skip = held_.compare(end, 2, "\r\n") == 0 ? 2 : 1;
  held_.erase(0, end + skip);
  Output(line + "\n");
  return line;
}

std::string SerialRepl::TakeOutput() { return std::exchange(out_, {}); }

std::deque<ReplAction> SerialRepl::TakeActions() { return std::exchange(actions_, {}); }

void SerialRepl::ReplayHeld() {
  while (!busy_ && !held_.empty()) {
    const char c = held_.front();
    held_.erase(0, 1);
    Process(c);
  }
}

void SerialRepl::Process(char c) {
  switch (mode_) {
    case Mode::kFriendly: return Friendly(c);
    case Mode::kPaste: return Paste(c);
    case Mode::kRaw: return Raw(c);
    case Mode::kRawPaste: return RawPaste(c);
  }
}

void SerialRepl::Execute(std::string code, ExecMode mode) {
  busy_ = true;
  actions_.push_back({ReplAction::Kind::kExecute, std::move(code), mode});
}

void SerialRepl::Banner() { out_.append(kBanner); }

void SerialRepl::Prompt() {
  continuing_ = false;
  editor_.Start(">>> ", out_);
}

void SerialRepl::Friendly(char c) {
  const LineEditor::Event event = editor_.Feed(c, out_);
  if (event == LineEditor::Event::kNone) return;
  if (continuing_) return OnContinuation(event);
  OnLineEnd(event);
}

void SerialRepl::RunOrContinue() {
  if (ContinueWithInput(editor_.text())) {
    continuing_ = true;
    return editor_.Continue("... ", out_);
  }
  continuing_ = false;
  raw_exec_ = false;
  Execute(editor_.text(), ExecMode::kSingle);
}

// A key that ends a continuation line ("... "): Ctrl-C drops the statement, Ctrl-D runs it
// as it is, anything else asks again whether it goes on (pyexec_friendly_repl's loop).
void SerialRepl::OnContinuation(LineEditor::Event event) {
  if (event == LineEditor::Event::kCtrlC) {
    out_.append("\r\n");
    return Prompt();
  }
  if (event == LineEditor::Event::kCtrlD) {
    continuing_ = false;
    raw_exec_ = false;
    return Execute(editor_.text(), ExecMode::kSingle);
  }
  RunOrContinue();
}

void SerialRepl::OnLineEnd(LineEditor::Event event) {
  using Event = LineEditor::Event;
  switch (event) {
    case Event::kCtrlA:
      out_.append("\r\n");
      mode_ = Mode::kRaw;
      line_.clear();
      out_.append(kRawBanner);
      out_.push_back('>');
      return;
    case Event::kCtrlB:
      out_.append("\r\n");
      Banner();
      return Prompt();
    case Event::kCtrlC: out_.append("\r\n"); return Prompt();
    case Event::kCtrlD:
      out_.append("\r\n");
      busy_ = true;
      actions_.push_back({ReplAction::Kind::kSoftReset, {}});
      return;
    case Event::kCtrlE:
      out_.append("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
      mode_ = Mode::kPaste;
      line_.clear();
      return;
    case Event::kEnter:
      if (editor_.text().empty()) return Prompt();
      return RunOrContinue();
    case Event::kNone: return;
  }
}

void SerialRepl::Paste(char c) {
  if (c == kCtrlC) {
    out_.append("\r\n");
    mode_ = Mode::kFriendly;
    return Prompt();
  }
  if (c == kCtrlD) {
    out_.append("\r\n");
    mode_ = Mode::kFriendly;
    raw_exec_ = false;
    return Execute(std::exchange(line_, {}), ExecMode::kFile);
  }
  line_.push_back(c);
  if (c == '\r') {
    out_.append("\r\n=== ");
  } else {
    out_.push_back(c);
  }
}

void SerialRepl::Raw(char c) {
  if (c == kCtrlA) {
    if (line_.size() == 2 && line_[0] == kCtrlE) {
      const bool supported = line_[1] == 'A';
      line_.clear();
      if (!supported) {
        out_.append(std::string_view("R\x00", 2));
        out_.push_back('>');
        return;
      }
      out_.append(std::string_view("R\x01", 2));
      out_.push_back(static_cast<char>(kRawPasteWindow & 0xff));
      out_.push_back(static_cast<char>(kRawPasteWindow >> 8));
      out_.push_back(kCtrlA);
      window_left_ = kRawPasteWindow;
      mode_ = Mode::kRawPaste;
      return;
    }
    line_.clear();
    out_.append(kRawBanner);
    out_.push_back('>');
  } else if (c == kCtrlB) {
    out_.append("\r\n");
    line_.clear();
    mode_ = Mode::kFriendly;
    Banner();
    Prompt();
  } else if (c == kCtrlC) {
    line_.clear();
  } else if (c == kCtrlD) {
    out_.append("OK");
    if (line_.empty()) {
      out_.append("\r\n");
      busy_ = true;
      actions_.push_back({ReplAction::Kind::kSoftReset, {}});
      return;
    }
    raw_exec_ = true;
    Execute(std::exchange(line_, {}), ExecMode::kFile);
  } else {
    line_.push_back(c);
  }
}

void SerialRepl::RawPaste(char c) {
  if (c == kCtrlC || c == kCtrlD) {
    out_.push_back(kCtrlD);
    mode_ = Mode::kRaw;
    raw_exec_ = true;
    if (c == kCtrlC) {
      // As the board's reader does: the code is dropped and KeyboardInterrupt reported.
      line_.clear();
      out_.push_back(kCtrlD);
      out_.append("KeyboardInterrupt: \r\n\x04>");
      return;
    }
    return Execute(std::exchange(line_, {}), ExecMode::kFile);
  }
  line_.push_back(c);
  if (--window_left_ == 0) {
    out_.push_back(kCtrlA);
    window_left_ = kRawPasteWindow;
  }
}

}  // namespace airlab::host::board
