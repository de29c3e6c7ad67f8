#pragma once
// `machine`'s services: machine.reset (a hard reset: the interpreter restarts, the ROM lines,
// boot.py, main.py), machine.soft_reset, machine.reset_cause (PWRON_RESET 1, HARD_RESET 2,
// SOFT_RESET 5, as an ESP32 reports them) and machine.unique_id (the station MAC, as hex).

#include "core/base/mac_address.h"
#include "host/board/bridge.h"
#include "host/board/serial_repl.h"

namespace airlab::host::board {

// What the machine services need of the board.
class Resets {
 public:
  // The reset happens once the call returns: the caller gets no answer, as a reset board
  // never returns from machine.reset().
  virtual void RequestReset(ResetKind kind) = 0;
  virtual int reset_cause() const = 0;

 protected:
  ~Resets() = default;
};

void RegisterMachineService(Bridge& bridge, Resets& resets, const MacAddress& mac);

}  // namespace airlab::host::board
