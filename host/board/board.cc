#include "host/board/board.h"

#include <poll.h>

#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "host/board/basic_services.h"
#include "host/board/flash_service.h"

namespace airlab::host::board {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How long a turn of the loop waits for the port or the child: short enough that the
// air's events (polled, not signalled) run promptly; in waits, shorter still.
constexpr milliseconds kIdleSlice{5};
constexpr milliseconds kWaitSlice{1};
// How long the interpreter may take to start (30 boards on two cores start together).
constexpr auto kStartTimeout = std::chrono::seconds(60);
// Output beyond this waits in the child (its writes block) until the port takes it.
constexpr size_t kMaxQueuedOutput = 64 * 1024;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

Board::Board(BoardContext context, RuntimePaths runtime, const std::filesystem::path& link)
    : context_(context), runtime_(std::move(runtime)), port_(link) {
  RegisterBasicServices(*this, context_.air.clock());
  RegisterFlashService(*this, context_.config.fs);
  RegisterMachineService(*this, *this, context_.config.mac);
  // input(prompt): a line typed on the serial port while the code runs.
  Register("board.input", [this](const Json& args, Waits& waits) {
    repl_.Output(args.empty() ? "" : args.at(0).get<std::string>());
    std::optional<std::string> line;
    waits.WaitFor([&] { return (line = repl_.TakeInputLine()).has_value(); },
                  std::chrono::milliseconds(-1));
    return line ? Json(*line) : Json();
  });
}

Board::~Board() = default;

void Board::HookSerialInput(std::function<std::string(std::string_view)> hook) {
  serial_hook_ = std::move(hook);
}

void Board::WriteSerial(std::string_view bytes) {
  FlushOutput();
  port_.Write(bytes);
}

Json Board::CallService(const std::string& name, const Json& args) {
  const auto handler = handlers_.find(name);
  if (handler == handlers_.end()) {
    throw PythonError{"NotImplementedError", {"the board has no service " + name}};
  }
  return handler->second(args, *this);
}

void Board::Register(std::string name, Handler handler) {
  handlers_[std::move(name)] = std::move(handler);
}

void Board::OnReset(std::function<void()> reset) { resets_.push_back(std::move(reset)); }

void Board::Run(const std::atomic<bool>& stop) {
  Reset(ResetKind::kPowerOn);
  while (!stop) {
    if (restart_ || reset_requested_) {
      const ResetKind kind = restart_ ? ResetKind::kHard : requested_kind_;
      restart_ = reset_requested_ = false;
      Reset(kind);
      continue;
    }
    Step(kIdleSlice, true);
  }
}

void Board::RequestReset(ResetKind kind) {
  reset_requested_ = true;
  requested_kind_ = kind;
}

void Board::Reset(ResetKind kind) {
  reset_cause_ = kind == ResetKind::kPowerOn ? 1 : kind == ResetKind::kHard ? 2 : 5;
  child_.reset();
  running_ = Running::kNothing;
  interrupt_pending_ = false;
  for (const auto& reset : resets_) reset();
  repl_.BeginReset(kind);
  FlushOutput();
  StartChild();
  RunBootFile(Running::kBootPy);
}

void Board::StartChild() {
  child_ = std::make_unique<NodeChild>(runtime_);
  child_ready_ = false;
  const auto deadline = steady_clock::now() + kStartTimeout;
  while (!child_ready_) {
    if (!child_ || steady_clock::now() > deadline) {
      throw std::runtime_error("the MicroPython runtime (" + runtime_.script.string() +
                               ") did not start: run scripts/setup to install its npm package");
    }
    Step(kIdleSlice, true);
  }
}

std::optional<std::string> Board::ReadFlashFile(const std::string& name) const {
  std::ifstream in(context_.config.fs / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Board::RunBootFile(Running stage) {
  if (stage == Running::kBootPy) {
    if (std::optional<std::string> code = ReadFlashFile("boot.py")) {
      running_ = stage;
      return Execute(*code, ExecMode::kFile, "boot.py");
    }
    stage = Running::kMainPy;
  }
  if (stage == Running::kMainPy && !repl_.raw_mode()) {
    if (std::optional<std::string> code = ReadFlashFile("main.py")) {
      running_ = stage;
      return Execute(*code, ExecMode::kFile, "main.py");
    }
  }
  running_ = Running::kNothing;
  repl_.EndReset();
}

void Board::Execute(const std::string& code, ExecMode mode, const std::string& file) {
  const Json request = {
      {"code", code}, {"mode", mode == ExecMode::kSingle ? "single" : "exec"}, {"file", file}};
  if (!child_ || !child_->Send(FrameKind::kExecute, Dump(request))) ChildLost();
}

void Board::Step(milliseconds timeout, bool read_child) {
  pollfd fds[2] = {
      {port_.fd(), static_cast<short>(POLLIN | (port_.queued() > 0 ? POLLOUT : 0)), 0},
      {child_ ? child_->fd() : -1, POLLIN, 0},
  };
  if (!read_child || port_.queued() > kMaxQueuedOutput) fds[1].fd = -1;
  ::poll(fds, 2, static_cast<int>(timeout.count()));
  std::string input = (fds[0].revents & POLLIN) ? port_.Read() : std::string();
  if (serial_hook_) input = serial_hook_(input);
  if (!input.empty()) repl_.Feed(input);
  if (fds[1].fd >= 0 && fds[1].revents != 0) {
    if (!child_->Receive() || child_->broken()) {
      ChildLost();
    } else {
      while (child_) {
        std::optional<Frame> frame = child_->Next();
        if (!frame) break;
        HandleFrame(*frame);
      }
    }
  }
  context_.air.Poll();
  HandleActions();
  FlushOutput();
}

void Board::HandleActions() {
  for (ReplAction& action : repl_.TakeActions()) {
    switch (action.kind) {
      case ReplAction::Kind::kInterrupt: Interrupt(); break;
      case ReplAction::Kind::kExecute:
        running_ = Running::kRepl;
        Execute(action.code, action.mode, "<stdin>");
        break;
      case ReplAction::Kind::kSoftReset: RequestReset(ResetKind::kSoft); break;
    }
  }
}

void Board::Interrupt() {
  if (running_ == Running::kNothing || !child_) return;
  const auto now = steady_clock::now();
  if (interrupt_pending_) {
    if (now - interrupt_time_ >= kRestartAfter) restart_ = true;
    return;
  }
  interrupt_pending_ = true;
  interrupt_time_ = now;
  child_->Interrupt();
}

void Board::HandleFrame(const Frame& frame) {
  switch (frame.kind) {
    case FrameKind::kReady: child_ready_ = true; break;
    case FrameKind::kOutput: repl_.Output(frame.payload); break;
    case FrameKind::kCall:
      // A call that reset the board gets no answer: the interpreter stops there.
      if (const std::string answer = Answer(frame.payload);
          child_ && !reset_requested_ && !restart_ && !child_->Send(FrameKind::kAnswer, answer)) {
        ChildLost();
      }
      break;
    case FrameKind::kDone: HandleDone(frame.payload); break;
    case FrameKind::kInterruptSeen: interrupt_pending_ = false; break;
    default: ChildLost();
  }
}

void Board::HandleDone(const std::string& error) {
  const Running stage = std::exchange(running_, Running::kNothing);
  interrupt_pending_ = false;
  child_->ClearInterrupts();
  if (stage == Running::kRepl) {
    return error == kExitedPayload ? repl_.ExecutionExited() : repl_.ExecutionDone(error);
  }
  if (error == kExitedPayload) return RunBootFile(Running::kNothing);  // sys.exit() in boot.py
  repl_.Output(error);
  if (stage == Running::kBootPy) {
    // As pyexec_file_if_exists: main.py runs only when boot.py ended well.
    if (!error.empty()) return RunBootFile(Running::kNothing);
    return RunBootFile(Running::kMainPy);
  }
  if (stage == Running::kMainPy) RunBootFile(Running::kNothing);
}

std::string Board::Answer(const std::string& request) {
  if (interrupt_pending_) return Dump({{"i", 1}});  // the code stops here: no side effects
  ++calls_;
  Json answer;
  try {
    const Json call = Json::parse(request);
    const std::string name = call.at(0).get<std::string>();
    Json args = Json::array();
    for (size_t i = 1; i < call.size(); ++i) args.push_back(call[i]);
    answer = {{"r", CallService(name, args)}};
  } catch (const PythonError& e) {
    answer = {{"e", {e.type, e.args.is_array() ? e.args : Json::array({e.args})}}};
  } catch (const std::exception& e) {
    answer = {{"e", {"RuntimeError", {std::string("board: ") + e.what()}}}};
  }
  --calls_;
  if (interrupt_pending_) answer = {{"i", 1}};
  return Dump(answer);
}

WaitEnd Board::WaitFor(const std::function<bool()>& done, milliseconds timeout) {
  // The air's clock stops with the hub; should the hub go away, waits fall back on the
  // wall clock rather than never ending.
  const port::Clock& clock = context_.air.clock();
  const bool forever = timeout.count() < 0;
  const port::TimeNs end =
      forever ? 0 : clock.Now() + static_cast<port::TimeNs>(timeout.count()) * 1000000;
  const auto wall_end = steady_clock::now() + timeout;
  for (;;) {
    if (done()) return WaitEnd::kDone;
    if (interrupt_pending_ || !child_) return WaitEnd::kInterrupted;
    const port::TimeNs now = clock.Now();
    if (!forever && (now >= end || (!context_.air.connected() && steady_clock::now() >= wall_end)))
      return WaitEnd::kTimeout;
    const milliseconds left(forever ? kWaitSlice.count() : (end - now) / 1000000);
    Step(std::min(kWaitSlice, left), false);
  }
}

void Board::FlushOutput() {
  if (std::string out = repl_.TakeOutput(); !out.empty()) {
    port_.Write(out);
  } else {
    port_.Flush();
  }
}

void Board::ChildLost() {
  // The interpreter died (Node ran out of memory, or was killed): restart it as a hard
  // reset would, and say so on the port.
  if (restart_) return;
  child_.reset();
  running_ = Running::kNothing;
  repl_.Output("\nairlab: the MicroPython runtime stopped; restarting the board\n");
  restart_ = true;
}

}  // namespace airlab::host::board
