#include "platform/linux/event_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace airlab::linux_port {

port::TimeNs MonotonicClock::Now() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<port::TimeNs>(ts.tv_sec) * port::kSecond + ts.tv_nsec;
}

class EventLoop::LoopTimer final : public port::Timer {
 public:
  explicit LoopTimer(EventLoop& loop) : loop_(loop) { loop_.timers_.push_back(this); }
  ~LoopTimer() override { std::erase(loop_.timers_, this); }
  port::TimeNs deadline() const { return deadline_; }
  void Fire() { Expire(); }

 private:
  void DoArmAt(port::TimeNs deadline) override { deadline_ = deadline; }
  void DoCancel() override {}

  EventLoop& loop_;
  port::TimeNs deadline_ = 0;
};

class EventLoop::LoopWaiter final : public port::Waiter {
 public:
  explicit LoopWaiter(EventLoop& loop) : loop_(loop) { ++loop_.waiters_; }
  ~LoopWaiter() override { --loop_.waiters_; }

 private:
  Status DoWaitUntil(port::TimeNs deadline) override { return loop_.Wait(deadline, &woken_); }
  void DoWake() override {
    woken_.store(true);
    loop_.Notify();
  }

  EventLoop& loop_;
  std::atomic<bool> woken_{false};
};

EventLoop::EventLoop() : wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

EventLoop::~EventLoop() { close(wake_fd_); }

std::unique_ptr<port::Timer> EventLoop::NewTimer() { return std::make_unique<LoopTimer>(*this); }

std::unique_ptr<port::Waiter> EventLoop::NewWaiter() { return std::make_unique<LoopWaiter>(*this); }

void EventLoop::Watch(int fd, std::function<void()> on_ready) {
  Unwatch(fd);
  sources_.push_back({fd, std::move(on_ready)});
}

void EventLoop::Unwatch(int fd) {
  std::erase_if(sources_, [fd](const Source& s) { return s.fd == fd; });
}

void EventLoop::Notify() {
  const uint64_t one = 1;
  // A full counter already wakes the poll; nothing else can fail on an eventfd.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
}

void EventLoop::Stop() {
  stop_.store(true);
  Notify();
}

void EventLoop::Fail(const std::string& message) {
  if (error_.empty()) error_ = message;
}

bool EventLoop::RunDueTimers() {
  bool ran = false;
  for (;;) {
    const port::TimeNs now = clock_.Now();
    LoopTimer* due = nullptr;
    for (LoopTimer* t : timers_) {
      if (t->armed() && t->deadline() <= now && (due == nullptr || t->deadline() < due->deadline()))
        due = t;
    }
    if (due == nullptr) return ran;
    due->Fire();
    ran = true;
  }
}

void EventLoop::PollOnce(int timeout_ms) {
  std::vector<pollfd> fds;
  fds.reserve(sources_.size() + 1);
  fds.push_back({wake_fd_, POLLIN, 0});
  for (const Source& s : sources_) fds.push_back({s.fd, POLLIN, 0});
  const int n = poll(fds.data(), fds.size(), timeout_ms);
  if (n <= 0) return;  // timeout, or EINTR: the caller loops
  if (fds[0].revents != 0) {
    uint64_t count;
    [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof count);
  }
  for (size_t i = 1; i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    // A handler may have unwatched this fd (or others): look it up again.
    auto it = std::find_if(sources_.begin(), sources_.end(),
                           [fd = fds[i].fd](const Source& s) { return s.fd == fd; });
    if (it == sources_.end()) continue;
    std::function<void()> handler = it->on_ready;  // survives an Unwatch from inside
    handler();
  }
}

void EventLoop::Poll() {
  PollOnce(0);
  RunDueTimers();
}

Status EventLoop::Wait(port::TimeNs deadline, std::atomic<bool>* woken) {
  for (;;) {
    RunDueTimers();
    if (woken != nullptr && woken->exchange(false)) return Status::Ok();
    if (woken == nullptr && stop_.exchange(false)) return Status::Aborted();
    if (failed()) return Status::Unavailable();
    const port::TimeNs now = clock_.Now();
    if (now >= deadline) return Status::DeadlineExceeded();
    port::TimeNs until = deadline;
    for (const LoopTimer* t : timers_) {
      if (t->armed()) until = std::min(until, t->deadline());
    }
    int timeout_ms = -1;
    if (until != port::kForever) {
      // Rounded up, so a deadline 0.3 ms away does not spin on zero-length polls.
      const port::TimeNs left = std::max<port::TimeNs>(0, until - now);
      timeout_ms = static_cast<int>(
          std::min<port::TimeNs>((left + port::kMillisecond - 1) / port::kMillisecond, 1000));
    }
    PollOnce(timeout_ms);
  }
}

Status EventLoop::RunUntil(port::TimeNs end) { return Wait(end, nullptr); }

}  // namespace airlab::linux_port
