#include "host/board/bridge_waiter.h"

namespace airlab::host::board {

Status BridgeWaiter::DoWaitUntil(port::TimeNs deadline) {
  if (woken_) {
    woken_ = false;
    return Status::Ok();
  }
  if (waits_ == nullptr || interrupted_) return Status::Unavailable();
  std::chrono::milliseconds timeout(-1);
  if (deadline != port::kForever) {
    const port::TimeNs left = deadline - clock_.Now();
    if (left <= 0) return Status::DeadlineExceeded();
    // Rounded up: a wait must not end before its deadline.
    timeout = std::chrono::milliseconds((left + port::kMillisecond - 1) / port::kMillisecond);
  }
  switch (waits_->WaitFor([this] { return woken_; }, timeout)) {
    case WaitEnd::kDone: woken_ = false; return Status::Ok();
    case WaitEnd::kTimeout: return Status::DeadlineExceeded();
    case WaitEnd::kInterrupted: interrupted_ = true; return Status::Unavailable();
  }
  return Status::Unavailable();
}

}  // namespace airlab::host::board
