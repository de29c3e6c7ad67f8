#pragma once
// The bridge between a board's MicroPython and its C++ services (docs: host/board/README.md).
// Python calls `_board.call("espnow.send", mac_hex, msg_hex, True)`; the board looks up the
// handler registered as "espnow.send" and answers with what it returns, the PythonError it
// throws, or KeyboardInterrupt when Ctrl-C ended one of its waits. Handlers run on the
// board's one thread, between reads of the serial port and the air's events.

#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace airlab::host::board {

using Json = nlohmann::json;

// Thrown by a handler: the calling Python code gets `type(*args)`, e.g.
// {"OSError", {12393}}, {"ValueError", {"invalid MAC address"}}, {"OSError", {110}}.
struct PythonError {
  std::string type;
  Json args;
};

enum class WaitEnd { kDone, kTimeout, kInterrupted };

// How a handler waits: runs the air's events, reads the serial port (a Ctrl-C ends the
// wait with kInterrupted) until done() is true or the timeout (negative: forever). The
// timeout runs on the air's clock, so a board sleeps in the air's time.
class Waits {
 public:
  virtual WaitEnd WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) = 0;

 protected:
  ~Waits() = default;
};

// A handler runs on the board's one thread. When a wait ends kInterrupted the handler
// returns anything (or throws): the caller gets KeyboardInterrupt.
using Handler = std::function<Json(const Json& args, Waits& waits)>;

// What services register with.
class Bridge {
 public:
  // `name` is "module.function" ("espnow.send"); registering a name twice replaces it.
  virtual void Register(std::string name, Handler handler) = 0;
  // Runs at every reset (hard and soft), before boot.py: drop the per-boot state
  // (peers, sockets, timers), as a real board loses it with its RAM.
  virtual void OnReset(std::function<void()> reset) = 0;

 protected:
  ~Bridge() = default;
};

}  // namespace airlab::host::board
