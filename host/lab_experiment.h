#pragma once
// LabExperiment: the lab's two experiments as `airlab demo` runs them, in one process - a
// gateway (the lab's Master) and three nodes (the Slave and two more) on the simulated air,
// posting to a ThingSpeak-style cloud over HTTP. It holds the script (the slave's burst of
// "0".."4", every node's readings every 5 s, values written to the command field, the
// router moving to another channel, the uplink down for 20 s), reads the channel back over
// HTTP like any ThingSpeak client, and gives the verdict as data: what each node sent, what
// the channel holds, what is there twice or missing, which commands arrived.
//
//   host::LabExperiment experiment({.store = dir / "gateway.db", .pcap = "air.pcapng"});
//   (start a server whose clock is experiment.cloud_ms(), make the two channels)
//   host::ExperimentOutcome outcome = experiment.Run(cloud, listener);
//   if (!outcome.passed()) ...

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/gateway/gateway.h"
#include "apps/node/node.h"
#include "host/lab.h"

namespace airlab::host {

// The router's channel at the start, and where it moves.
inline constexpr uint8_t kExperimentRouterFrom = 6;
inline constexpr uint8_t kExperimentRouterTo = 11;

// The experiment's nodes: the lab's slave, node2 and node3 (fields 1, 2 and 3 of the
// readings channel, in this order).
std::vector<LabNode> ExperimentNodes();

// The ThingSpeak-style cloud it posts to: a server and two of its channels.
struct ExperimentCloud {
  std::string url;               // "http://127.0.0.1:PORT"
  int64_t readings_channel = 0;  // fields 1, 2, 3: the slave, node2, node3
  std::string readings_write_key;
  int64_t commands_channel = 0;  // field 1 goes to every node
  std::string commands_write_key;
};

struct LabExperimentOptions {
  uint64_t seed = 1;
  double speed = 8;             // simulated over wall time; 0: as fast as possible
  double rate_limit_s = 15;     // the channel's: the gateway writes no more often
  std::filesystem::path store;  // the gateway's SQLite queue; empty: one in memory
  std::string pcap;             // the air to this pcapng file; empty: none
  // When it becomes true (Ctrl-C), the run stops within a few simulated ms: the pcapng and
  // the store are closed whole, and Run returns an outcome marked interrupted. Read from the
  // thread running the experiment only; a signal handler may set it.
  const std::atomic<bool>* stop = nullptr;
};

// What the experiment says while it runs, called on the thread that runs it.
class ExperimentListener {
 public:
  // A step of the script begins ("the router switches to channel 11 ...").
  virtual void OnHeadline(port::TimeNs, const std::string&) {}
  // Something the script did or could not do (a command written, a reading not taken).
  virtual void OnNote(port::TimeNs, const std::string&) {}
  virtual void OnGatewayEvent(const apps::GatewayEvent&) {}
  virtual void OnNodeEvent(const std::string& /*node*/, const apps::NodeEvent&) {}
  // The gateway's Wi-Fi manager joining (and keeping) the lab's router.
  virtual void OnWifiEvent(const wifi::ManagerEvent&) {}

 protected:
  ~ExperimentListener() = default;
};

struct NodeOutcome {
  std::string name;
  MacAddress mac;
  int field = 0;       // of the readings channel; 0: the gateway never learned the node
  int sent = 0;        // readings the node took
  int confirmed = 0;   // of which the gateway confirmed stored
  int in_channel = 0;  // entries of its field in the channel
  int twice = 0;       // entries beyond one per reading sent (or of readings never sent)
  int lost = 0;        // readings sent and not in the channel
  size_t commands_received = 0;
};

struct ExperimentOutcome {
  bool interrupted = false;  // stopped early: what follows counts only what happened so far
  port::TimeNs simulated = 0;
  double wall_s = 0;
  std::vector<NodeOutcome> nodes;
  int sent = 0, in_channel = 0, twice = 0, lost = 0;  // over every node
  // The cloud side.
  uint64_t bulk_requests = 0;
  size_t entries = 0;     // the channel's entries, read back
  int refused = 0;        // writes the rate limit refused
  int uplink_errors = 0;  // exchanges that failed (the uplink down)
  uint64_t reconciles = 0;
  // The commands.
  size_t commands_written = 0;
  int commands_forwarded = 0;  // deliveries the nodes' radios acknowledged
  size_t commands_received = 0;
  size_t commands_expected = 0;  // written x nodes
  // The lab's master_cloud_from_slave.py posts each reading as it comes: of `stored`
  // readings, `naive_lost` would have been refused by the rate limit, and lost.
  int stored = 0;
  int naive_lost = 0;
  uint64_t pcap_frames = 0;

  // Ran to the end with nothing lost, nothing twice, every command at every node.
  bool passed() const {
    return !interrupted && lost == 0 && twice == 0 && commands_received == commands_expected;
  }
};

class LabExperiment {
 public:
  explicit LabExperiment(LabExperimentOptions options);
  LabExperiment(const LabExperiment&) = delete;
  LabExperiment& operator=(const LabExperiment&) = delete;

  // The cloud's clock in ms since the Unix epoch, safe from any thread: while the air runs,
  // the simulated time (so a 15 s rate limit is 15 simulated seconds, as the gateway counts
  // them); before and after, the wall clock's pace on from where the air stopped.
  int64_t cloud_ms() const;
  // The wall-clock time of simulated time 0, ns since the Unix epoch.
  int64_t epoch_ns() const { return epoch_ns_; }

  // Runs the script against `cloud`, then reads the readings channel back over HTTP.
  // Throws std::runtime_error when the lab cannot start (its files, the gateway) or the
  // channel cannot be read back. Run once.
  ExperimentOutcome Run(const ExperimentCloud& cloud, ExperimentListener& listener);

 private:
  bool stopping() const { return options_.stop != nullptr && options_.stop->load(); }
  void Follow(const Lab* lab);

  LabExperimentOptions options_;
  int64_t epoch_ns_;
  std::atomic<const Lab*> lab_{nullptr};
  // The cloud's clock while no lab runs: this time, at this steady-clock instant.
  std::atomic<int64_t> frozen_ms_;
  std::atomic<int64_t> frozen_at_ns_;
};

}  // namespace airlab::host
