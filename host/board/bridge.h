#pragma once
// The bridge between a board's Python code and its C++ services (issue 11's contract).
// board-core owns this header; board-modules builds against the contract's copy until
// board-core's first milestone is merged.

#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace airlab::host::board {

using Json = nlohmann::json;

// Thrown by a handler: the calling Python code gets `type(*args)`.
struct PythonError {
  std::string type;
  Json args;
};

enum class WaitEnd { kDone, kTimeout, kInterrupted };

// How a handler waits: runs the air's events, reads the serial port (a Ctrl-C ends the
// wait with kInterrupted) until done() is true or the timeout (negative: forever).
class Waits {
 public:
  virtual WaitEnd WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) = 0;

 protected:
  ~Waits() = default;
};

using Handler = std::function<Json(const Json& args, Waits& waits)>;

class Bridge {
 public:
  virtual void Register(std::string name, Handler handler) = 0;
  virtual void OnReset(std::function<void()> reset) = 0;

 protected:
  ~Bridge() = default;
};

}  // namespace airlab::host::board
