#pragma once
// FlakyUplink: a port::Uplink in front of another that can fail the way networks do, for
// tests and the demo: refuse every exchange (the uplink is down: nothing reaches the
// server), or lose the answers (the request reaches the server, its answer never comes
// back: the gateway cannot tell whether its write was taken). Sever() models the gateway
// crashing with exchanges on their way: their answers go nowhere.
//
// With `deferred`, answers are not handed to their listeners from the transport's thread
// but kept until the owner calls DeliverReady() from its own: the Lab runs the gateway
// and its cloud clients on the simulation's thread only, so nothing there - the
// simulated clock the clients read included - is touched from two threads.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>

#include "core/port/uplink.h"

namespace airlab::host {

class FlakyUplink final : public port::Uplink, private port::HttpListener {
 public:
  enum class Mode : uint8_t {
    kUp,           // exchanges go through
    kDown,         // each ends at once with kUnavailable, as with no route to the server
    kLoseAnswers,  // each goes to the server; its answer is replaced by kDeadlineExceeded
  };

  FlakyUplink(port::Uplink& inner, bool deferred) : inner_(inner), deferred_(deferred) {}
  ~FlakyUplink() override { Sever(); }

  void set_mode(Mode mode) { mode_.store(mode); }
  Mode mode() const { return mode_.load(); }
  // Exchanges refused while down, and answers lost.
  uint64_t refused() const { return refused_.load(); }
  uint64_t lost() const { return lost_.load(); }

  // From now on the answers of the exchanges on their way are dropped; returns once none is
  // on its way any more, so the buffers their requests point to may go.
  void Sever();

  // With `deferred`: waits up to `timeout` for an answer to be ready; true if one is.
  bool WaitReady(std::chrono::milliseconds timeout);
  // With `deferred`: hands the answers that came to their listeners, from this thread.
  void DeliverReady();

 protected:
  // Without `deferred`, listener calls for exchanges in flight are made with an internal
  // lock held: a listener must not call this uplink back then (the gateway's do not).
  Status DoSend(const port::HttpRequest& request) override;

 private:
  struct Pending {
    port::HttpListener* listener = nullptr;
    uint32_t tag = 0;
    bool lose = false;
    bool orphan = false;
  };
  void OnHttpDone(const port::HttpAnswer& answer) override;

  struct Ready {
    port::HttpListener* listener;
    port::HttpAnswer answer;
  };

  port::Uplink& inner_;
  const bool deferred_;
  std::atomic<Mode> mode_{Mode::kUp};
  std::atomic<uint64_t> refused_{0}, lost_{0};
  std::mutex mutex_;
  std::condition_variable idle_;
  std::condition_variable ready_cv_;
  std::map<uint32_t, Pending> pending_;
  std::deque<Ready> ready_;
  uint32_t next_tag_ = 1;
};

}  // namespace airlab::host
