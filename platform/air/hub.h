#pragma once
// Hub: the process side of `airlab air`. It owns the one sim::Simulation - the medium and
// the PHY/MAC of every node - runs it paced to the wall clock, and serves client processes
// over loopback TCP (protocol.h): each client registers nodes and drives their SimRadios
// through HubRadio (client.h); sniffers get every frame on the air with what each receiver
// made of it.
//
// Failures stay with the client that caused them: a bad message gets an Error and the
// session goes on; a stream that cannot be framed, another protocol version or a client
// that stops reading (kMaxBacklog) is closed; a client that goes away has its nodes
// disabled (their queued frames dropped) and their addresses freed. Their slots in the
// Simulation, which cannot remove nodes, are reused by later registrations.
//
// Single-threaded: Run serves everything from the calling thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/port/clock.h"
#include "platform/sim/simulation.h"

namespace airlab::air {

struct HubOptions {
  uint16_t port = 0;   // on 127.0.0.1; 0: a free port the system picks
  double speed = 1.0;  // simulated time over wall time, > 0
  // The air the hub builds. An air given to the constructor is used as it is; its MAC
  // configuration must still be `simulation.mac` (clients size their TX queues by it).
  sim::SimulationConfig simulation;
  std::string name = "airlab air";
  // A client whose unsent output grows past this is not reading: it is disconnected.
  // Frames for a sniffer are dropped (and counted) past kSniffBacklog instead.
  size_t max_backlog = 64 << 20;
};

struct HubStatus {
  size_t clients = 0;    // sessions past Hello
  size_t sniffers = 0;   // of which sniffing
  size_t nodes = 0;      // nodes on the air
  uint64_t frames = 0;   // frames on the air since the start
  uint64_t errors = 0;   // Error messages sent
  port::TimeNs now = 0;  // simulated time
};

class Hub {
 public:
  // Frames queued for a sniffer beyond this many bytes are dropped for it.
  static constexpr size_t kSniffBacklog = 4 << 20;

  // Listens on 127.0.0.1:options.port. Throws std::runtime_error naming the fix when the
  // port is taken or the speed is not positive.
  explicit Hub(HubOptions options);
  // Serves `air`, which exists already with nodes on it (a scenario::Runner's, whose
  // Stacks listen to them) and must outlive the Hub. Those nodes stay as residents:
  // clients can neither drive them nor take their addresses; sniffers see them, named
  // by `resident_names` (by node number) where given.
  Hub(HubOptions options, sim::Simulation& air, std::vector<std::string> resident_names = {});
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  uint16_t port() const;
  // The air, to attach observers (an AirTap) before Run.
  sim::Simulation& simulation();
  HubStatus status() const;

  // Runs the air paced to the wall clock (sim time 0 at the call) and serves clients until
  // `stop` becomes true (a signal handler may set it); then closes every session. `tick`,
  // when set, is called about every `tick_every` of wall time, from this thread.
  void Run(const std::atomic<bool>& stop, const std::function<void()>& tick = {},
           std::chrono::milliseconds tick_every = std::chrono::milliseconds(1000));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlab::air
