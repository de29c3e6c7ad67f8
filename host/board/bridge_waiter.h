#pragma once
// A port::Waiter over the bridge's Waits, so code written for port::Waiter (the ESPNow
// facade's recv and send(sync)) waits the board's way: the air keeps running, the serial
// port is read, and a Ctrl-C ends the wait.
//
// A handler lends its Waits for the duration of a call (Lend); outside a call a wait
// returns kUnavailable at once. After a Ctrl-C every wait returns kUnavailable (which the
// facade reads as "nothing more will happen") until the next Lend, and interrupted() says
// the handler should give up: the bridge turns the call into KeyboardInterrupt.

#include "core/port/clock.h"
#include "core/port/waiter.h"
#include "host/board/bridge.h"

namespace airlab::host::board {

class BridgeWaiter final : public port::Waiter {
 public:
  // `clock` is the time base of the deadlines (the hub's clock); it must outlive this.
  explicit BridgeWaiter(const port::Clock& clock) : clock_(clock) {}

  // Waits through `waits` until the returned guard goes.
  class Loan {
   public:
    ~Loan() { owner_.waits_ = nullptr; }
    Loan(const Loan&) = delete;
    Loan& operator=(const Loan&) = delete;

   private:
    friend class BridgeWaiter;
    explicit Loan(BridgeWaiter& owner) : owner_(owner) {}
    BridgeWaiter& owner_;
  };
  [[nodiscard]] Loan Lend(Waits& waits) {
    waits_ = &waits;
    interrupted_ = false;
    return Loan(*this);
  }
  bool interrupted() const { return interrupted_; }

 private:
  Status DoWaitUntil(port::TimeNs deadline) override;
  void DoWake() override { woken_ = true; }

  const port::Clock& clock_;
  Waits* waits_ = nullptr;
  bool woken_ = false;
  bool interrupted_ = false;
};

}  // namespace airlab::host::board
