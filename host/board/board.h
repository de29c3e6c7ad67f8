#pragma once
// One virtual ESP32 running MicroPython: the serial port (a pseudo-terminal) with the
// REPL (serial_repl.h), the Node child running the interpreter (node_child.h), the air, and
// the services Python reaches through the bridge (bridge.h). Everything runs on one thread
// around poll(): the port, the child's socket, and the air's events (HubClient::Poll).
//
//   Board board(context, FindRuntime("node"), link);   // with time, machine and the flash
//   RegisterEspnowService(board, ...);                 // other services register before Run
//   board.Run(stop);              // resets (ROM lines, boot.py, main.py, banner), serves

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/board/board_context.h"
#include "host/board/bridge.h"
#include "host/board/machine_service.h"
#include "host/board/node_child.h"
#include "host/board/serial_port.h"
#include "host/board/serial_repl.h"

namespace airlab::host::board {

class Board final : public Bridge, public Waits, public Resets {
 public:
  // A second Ctrl-C restarts the interpreter when the first has gone unanswered this long
  // (code in a pure-Python loop never calls out, so nothing else can stop it).
  static constexpr auto kRestartAfter = std::chrono::milliseconds(250);

  // Opens the serial port (and its `link`) and registers the board's own services
  // (basic_services.h, flash_service.h, machine_service.h). Throws std::runtime_error
  // naming the fix.
  Board(BoardContext context, RuntimePaths runtime, const std::filesystem::path& link);
  ~Board();

  const std::string& port_path() const { return port_.path(); }
  const BoardContext& context() const { return context_; }

  // Serves until `stop`: the power-on reset first. Throws std::runtime_error when the
  // interpreter cannot start.
  void Run(const std::atomic<bool>& stop);

  // Bytes from the serial port go through `hook` before the REPL sees them (the Improv
  // service takes its packets out); what it returns goes on to the REPL. It runs every turn
  // of the loop, with "" when nothing came, so it can keep time.
  void HookSerialInput(std::function<std::string(std::string_view bytes)> hook);
  // Sends `bytes` on the serial port, after what the REPL printed so far.
  void WriteSerial(std::string_view bytes);
  // Calls a service as Python would ("wlan.scan"); throws PythonError as Python would get.
  // Not while in_call(): a Python call is being answered and its service is mid-way.
  Json CallService(const std::string& name, const Json& args);
  bool in_call() const { return calls_ > 0; }

  void Register(std::string name, Handler handler) override;
  void OnReset(std::function<void()> reset) override;
  WaitEnd WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) override;
  void RequestReset(ResetKind kind) override;
  int reset_cause() const override { return reset_cause_; }

 private:
  enum class Running { kNothing, kRepl, kBootPy, kMainPy };

  void Reset(ResetKind kind);
  void StartChild();
  std::optional<std::string> ReadFlashFile(const std::string& name) const;
  void RunBootFile(Running stage);
  void Execute(const std::string& code, ExecMode mode, const std::string& file);
  // One turn of the loop: waits up to `timeout` for the port or the child, then runs
  // what came and the air's due events.
  void Step(std::chrono::milliseconds timeout, bool read_child);
  void HandleActions();
  void Interrupt();
  void HandleFrame(const Frame& frame);
  void HandleDone(const std::string& error);
  std::string Answer(const std::string& request);
  void FlushOutput();
  void ChildLost();

  BoardContext context_;
  RuntimePaths runtime_;
  SerialPort port_;
  SerialRepl repl_;
  std::unique_ptr<NodeChild> child_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::vector<std::function<void()>> resets_;
  Running running_ = Running::kNothing;
  bool child_ready_ = false;
  bool interrupt_pending_ = false;  // a Ctrl-C the child has not taken yet
  std::chrono::steady_clock::time_point interrupt_time_;
  bool restart_ = false;  // a second Ctrl-C asked for a hard restart
  bool reset_requested_ = false;
  ResetKind requested_kind_ = ResetKind::kSoft;
  int reset_cause_ = 1;  // PWRON_RESET
  std::function<std::string(std::string_view)> serial_hook_;
  int calls_ = 0;  // Python calls being answered (a wait inside one runs the loop again)
};

}  // namespace airlab::host::board
