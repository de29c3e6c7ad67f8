#pragma once
// The client side of the air hub (hub.h): a process puts nodes on the shared simulated air
// and gets, per node, a HubRadio implementing port::Radio, plus a Clock, Timers and
// Waiters, so an espnow::Stack and the ESPNow facade run unchanged:
//
//   air::HubClient air("127.0.0.1:4610", "gateway");
//   std::unique_ptr<air::HubRadio> radio = air.AddNode({.name = "master", .mac = kMaster});
//   espnow::StaticStack<> stack(*radio, rng, aes);
//   std::unique_ptr<port::Waiter> waiter = air.NewWaiter();
//   espnow::ESPNow e(stack, air.clock(), *waiter);
//   e.init(); e.add_peer(kSlave); e.send(kSlave, "hello", true);   // waits on the air
//
// Threads: a background thread reads the hub's stream and queues what comes; every
// callback - a radio listener's OnReceive/OnTxDone, a timer's OnTimer, a sniffer's
// AirListener - runs on the application thread, inside Poll, RunUntil/RunFor or a wait on
// one of this client's Waiters. So a Stack needs no locks, as on the sim. Use a HubClient
// and its radios, timers and waiters from one thread; Waiter::Wake may come from any.
//
// Time: clock() follows the hub's simulated time. Every event carries the time it
// happened at; between events the clock runs on from the last one at the wall clock
// times the hub's speed (for at most kMaxLead of wall time, so when the hub stalls the
// client's time stalls with it). It never goes back. Timers fire on this clock.
//
// Transmit never waits for the hub: the radio counts its frames in flight against the
// hub's per-node TX queue, so the hub's refusals (kResourceExhausted) are known here. The
// other Radio calls are a round trip to the hub (tens of microseconds on loopback).
// When the connection is lost, frames in flight are reported kDropped, waits return
// kUnavailable and further calls fail with kUnavailable.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/base/status.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/port/timer.h"
#include "core/port/waiter.h"
#include "platform/air/protocol.h"
#include "platform/air/socket.h"
#include "platform/sim/tap.h"

namespace airlab::air {

class HubClient;

// What the hub refused, with its reason.
class HubError : public std::runtime_error {
 public:
  HubError(Status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  Status status() const { return status_; }

 private:
  Status status_;
};

// A node on the hub's air, driven from this process. Destroying it takes the node off the
// air. Must not outlive its HubClient.
class HubRadio final : public port::Radio {
 public:
  ~HubRadio() override;
  HubRadio(const HubRadio&) = delete;
  HubRadio& operator=(const HubRadio&) = delete;

  // The hub's number for the node (sim::TapFrame's transmitter and reception nodes).
  uint32_t node() const { return node_; }
  const NodeSpec& spec() const { return spec_; }
  // Frames handed to the hub whose TxDone has not been delivered yet.
  size_t in_flight() const { return in_flight_.size(); }

 protected:
  // All return kUnavailable once the hub is gone. DoSetAddress also returns
  // kAlreadyExists when another node on the air uses that address.
  Status DoSetEnabled(bool on) override;
  Status DoTransmit(ByteSpan mpdu, const port::TxOptions& options) override;
  Status DoSetChannel(uint8_t channel) override;
  Status DoSetAddress(port::Interface interface, const MacAddress& address) override;
  Status DoSetPromiscuous(bool on) override;

 private:
  friend class HubClient;
  HubRadio(HubClient& client, uint32_t node, const NodeSpec& spec);
  Status Control(ControlOp op, uint8_t value, port::Interface interface = port::Interface::kStation,
                 const MacAddress& mac = {});
  void OnReceived(const Received& m);
  void OnTxDone(const TxDone& m);
  void DropInFlight(TimeNs now);

  HubClient& client_;
  const uint32_t node_;
  NodeSpec spec_;
  std::deque<uint32_t> in_flight_;  // tags, in the order sent
  // While the constructor records the state the hub set up, nothing goes to the hub.
  bool mirroring_ = true;
};

// A sniffer's view of the air: every frame, with what each receiver made of it.
class AirListener {
 public:
  // `frame` and its spans are valid during the call. Its node numbers are the hub's.
  virtual void OnAirFrame(const sim::TapFrame& frame) = 0;
  // A node joined (live) or left the air. On subscribing, one call per node on the air.
  virtual void OnNode(const NodeInfo&) {}

 protected:
  ~AirListener() = default;
};

class HubClient {
 public:
  // Wall time the clock runs on past the hub's last word (it sends Time every 10 ms).
  static constexpr auto kMaxLead = std::chrono::milliseconds(50);
  // How long a round trip may take before the hub is deemed stuck.
  static constexpr auto kReplyTimeout = std::chrono::seconds(10);

  // Connects to the hub at `address` ("4610", "127.0.0.1:4610", "localhost:4610") and
  // says hello as `name`. Throws HubError: kUnavailable when no hub answers there,
  // kFailedPrecondition when it speaks another protocol version, with a sentence to show.
  HubClient(const std::string& address, const std::string& name);
  // Radios, timers and waiters of this client must be gone by then.
  ~HubClient();
  HubClient(const HubClient&) = delete;
  HubClient& operator=(const HubClient&) = delete;

  // Puts a node on the air: its radio comes back on, on spec.channel, answering to
  // spec.mac. Throws HubError: kAlreadyExists when a node on the air has that MAC,
  // kInvalidArgument for a bad spec (group MAC, channel outside 1-14, TX power outside
  // -30..40 dBm), kUnavailable when the hub is gone.
  std::unique_ptr<HubRadio> AddNode(const NodeSpec& spec);

  // Subscribes `listener` to every frame on the air (nullptr unsubscribes). Throws
  // HubError (kUnavailable) when the hub is gone.
  void Sniff(AirListener* listener);
  // Frames the hub dropped for this sniffer because it did not keep up.
  uint64_t sniff_dropped() const { return sniff_dropped_; }

  port::Clock& clock() { return clock_; }
  std::unique_ptr<port::Timer> NewTimer();
  std::unique_ptr<port::Waiter> NewWaiter();

  // Runs what is due (events that came, timers whose time passed) without waiting.
  void Poll();
  // Runs callbacks as they come until clock() reaches `end`. kDeadlineExceeded then;
  // kUnavailable as soon as the hub is gone and everything it sent has been run.
  Status RunUntil(TimeNs end);
  Status RunFor(TimeNs duration) { return RunUntil(clock_.Now() + duration); }
  // The same, but kDeadlineExceeded also once wall_limit of real time has passed: a stalled
  // hub stops the clock (see kMaxLead), and a program with a deadline of its own must not wait
  // for it forever.
  Status RunFor(TimeNs duration, std::chrono::steady_clock::duration wall_limit);
  // Real time since the hub's clock last moved (it says the time every 10 ms while it runs).
  std::chrono::steady_clock::duration silent_for() const;

  bool connected() const;
  double speed() const { return speed_; }
  const std::string& hub_name() const { return hub_name_; }
  // The hub's latest Error message (about no request in particular), or "".
  std::string last_error() const;
  // How many Error messages the hub sent.
  uint64_t error_count() const;

 private:
  friend class HubRadio;
  class ClientClock final : public port::Clock {
   public:
    explicit ClientClock(const HubClient& client) : client_(client) {}
    TimeNs Now() const override { return client_.Now(); }

   private:
    const HubClient& client_;
  };
  class Timer;
  class Waiter;
  // A message from the hub, with the simulated time it is due at.
  struct Event {
    TimeNs time;
    Message message;
  };

  TimeNs Now() const;
  TimeNs NowLocked() const;
  void Stamp(TimeNs now);
  // Blocks until a message arrives or the deadline; the handshake only.
  Message ReadOne();
  void ReaderLoop();
  // Sends; false when the connection is gone.
  bool Send(const Message& message);
  // Sends a request (a message with a `request` field) with a fresh number and waits
  // for its Reply.
  template <typename Request>
  Reply Call(Request request);
  // Runs due timers and queued events; returns once nothing more is due.
  void DispatchDue();
  void Dispatch(Event& event);
  // The earliest armed timer due at or before `limit`, or nullptr.
  Timer* DueTimer(TimeNs limit) const;
  // The common loop of RunUntil and Waiter::WaitUntil.
  Status Wait(TimeNs deadline, std::atomic<bool>* woken,
              std::chrono::steady_clock::time_point wall_deadline =
                  std::chrono::steady_clock::time_point::max());
  void Notify();

  Socket socket_;
  Framer framer_;  // the handshake's, then the reader thread's
  double speed_ = 1.0;
  uint32_t tx_queue_ = 0;
  std::string hub_name_;
  ClientClock clock_{*this};

  // Shared with the reader thread.
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Event> events_;
  std::map<uint32_t, Reply> replies_;
  bool connected_ = true;
  std::string last_error_;
  uint64_t errors_ = 0;
  TimeNs stamp_ = 0;  // the latest time the hub told
  std::chrono::steady_clock::time_point stamp_wall_;
  mutable TimeNs now_ = 0;  // the latest time Now() returned

  std::mutex send_mutex_;
  uint32_t next_request_ = 1;

  // Application thread only.
  std::map<uint32_t, HubRadio*> radios_;
  std::vector<Timer*> timers_;  // in creation order
  size_t waiters_ = 0;
  AirListener* sniffer_ = nullptr;
  uint64_t sniff_dropped_ = 0;
  bool lost_reported_ = false;

  std::thread reader_;
};

}  // namespace airlab::air
