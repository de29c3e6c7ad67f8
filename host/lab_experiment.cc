#include "host/lab_experiment.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "platform/linux/http_uplink.h"

namespace airlab::host {
namespace {

using port::kMillisecond;
using port::kSecond;
using port::TimeNs;

// The script, in simulated seconds.
constexpr TimeNs kBurstAt = 2 * kSecond;   // experiment 1: the slave sends "0".."4"
constexpr TimeNs kMoreFrom = 5 * kSecond;  // then every node, every 5 s
constexpr TimeNs kMoreUntil = 88 * kSecond;
constexpr TimeNs kReadingEvery = 5 * kSecond;
constexpr TimeNs kRouterMoveAt = 35 * kSecond;
constexpr TimeNs kUplinkDownAt = 50 * kSecond, kUplinkUpAt = 70 * kSecond;
constexpr TimeNs kDrainLimit = 240 * kSecond;
struct Command {
  TimeNs at;
  const char* value;
};
constexpr Command kCommands[] = {
    {20 * kSecond, "led on"}, {45 * kSecond, "42"}, {75 * kSecond, "led off"}};

int64_t SteadyNs() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

// Node `node`'s k-th reading after the burst: a count, a temperature, a humidity.
std::string Reading(size_t node, int k) {
  char buf[32];
  if (node == 0) {
    std::snprintf(buf, sizeof buf, "%d", 5 + k);
  } else if (node == 1) {
    std::snprintf(buf, sizeof buf, "%.1f", 21.0 + 1.5 * std::sin(k / 3.0));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", 48.0 + 6.0 * std::cos(k / 4.0));
  }
  return buf;
}

// How often each value is in field `field` of a channel's feed.
std::map<std::string, int> FieldCounts(const nlohmann::json& feed, int field) {
  std::map<std::string, int> counts;
  const std::string key = "field" + std::to_string(field);
  for (const auto& e : feed.at("feeds")) {
    if (e.contains(key) && e[key].is_string()) ++counts[e[key].get<std::string>()];
  }
  return counts;
}

// What one run counts as it goes, from the gateway's and the nodes' events and the
// script's sends, passing every event on to the listener.
class RunTally final : public LabObserver {
 public:
  struct Node {
    std::string name;
    std::vector<std::string> values;  // taken by the node, in order
    int confirmed = 0;
    size_t commands = 0;
  };

  RunTally(ExperimentListener& listener, TimeNs rate_limit)
      : listener_(listener), rate_limit_(rate_limit) {
    for (const LabNode& n : ExperimentNodes()) nodes.push_back({n.name});
  }

  void OnGatewayEvent(const apps::GatewayEvent& e) override {
    using K = apps::GatewayEventKind;
    if (e.kind == K::kStored) {
      // The lab's master_cloud_from_slave.py posts each message as it comes: a post within
      // the rate limit of the last accepted one is refused, and that reading is gone.
      if (last_naive_post_ < 0 || e.time - last_naive_post_ >= rate_limit_) {
        last_naive_post_ = e.time;
      } else {
        ++naive_lost;
      }
      ++stored;
    }
    if (e.kind == K::kWriteRefused) ++refused;
    if (e.kind == K::kUplinkError) ++uplink_errors;
    if (e.kind == K::kForwarded) ++forwarded;
    listener_.OnGatewayEvent(e);
  }

  void OnNodeEvent(size_t node, const apps::NodeEvent& e) override {
    if (e.kind == apps::NodeEventKind::kDelivered) ++nodes[node].confirmed;
    if (e.kind == apps::NodeEventKind::kCommand) ++nodes[node].commands;
    listener_.OnNodeEvent(nodes[node].name, e);
  }

  void OnWifiEvent(const wifi::ManagerEvent& e) override { listener_.OnWifiEvent(e); }

  ExperimentListener& listener() { return listener_; }

  std::vector<Node> nodes;
  std::map<int, std::string> written_commands;  // by the entry the server gave them
  int stored = 0, naive_lost = 0, refused = 0, uplink_errors = 0, forwarded = 0;

 private:
  ExperimentListener& listener_;
  TimeNs rate_limit_;
  TimeNs last_naive_post_ = -1;
};

// Node `node` takes `value` at the time the event runs.
std::function<void()> Send(Lab& lab, RunTally& tally, size_t node, std::string value) {
  return [&lab, &tally, node, value] {
    if (lab.node(node).node().Send(AsBytes(value.data(), value.size())).ok()) {
      tally.nodes[node].values.push_back(value);
    } else {
      tally.listener().OnNote(lab.now(),
                              tally.nodes[node].name + ": queue full, \"" + value + "\" not taken");
    }
  };
}

// Writes `value` to the command field as a user would, over HTTP; the entry's id, 0 when
// the server refused it.
int WriteCommand(const ExperimentCloud& cloud, const std::string& value) {
  httplib::Client client(cloud.url);
  auto r = client.Post("/update",
                       httplib::Params{{"api_key", cloud.commands_write_key}, {"field1", value}});
  return r && r->status == 200 ? std::atoi(r->body.c_str()) : 0;
}

// Puts the whole script on the lab's schedule.
void Schedule(Lab& lab, RunTally& tally, const ExperimentCloud& cloud) {
  ExperimentListener& say = tally.listener();
  lab.At(kBurstAt - 1, [&] {
    say.OnHeadline(lab.now(),
                   "experiment 1 (slave_send.py -> master_cloud_from_slave.py): the slave sends "
                   "\"0\"..\"4\", 0.2 s apart; the master takes them to the cloud");
  });
  for (int i = 0; i < 5; ++i)
    lab.At(kBurstAt + i * 200 * kMillisecond, Send(lab, tally, 0, std::to_string(i)));
  lab.At(kMoreFrom - 1,
         [&] { say.OnHeadline(lab.now(), "and more: every node sends a reading every 5 s"); });
  for (size_t node = 0; node < tally.nodes.size(); ++node) {
    int k = 0;
    for (TimeNs t = kMoreFrom + static_cast<TimeNs>(node) * 1300 * kMillisecond; t < kMoreUntil;
         t += kReadingEvery) {
      lab.At(t, Send(lab, tally, node, Reading(node, k++)));
    }
  }
  lab.At(kCommands[0].at - 1, [&] {
    say.OnHeadline(lab.now(),
                   "experiment 2 (master_cloud_to_slave.py -> slave_receive.py): values written to "
                   "the command field reach the nodes");
  });
  for (const Command& c : kCommands) {
    lab.At(c.at, [&, c] {
      const int id = WriteCommand(cloud, c.value);
      if (id > 0) tally.written_commands[id] = c.value;
      say.OnNote(lab.now(), std::string("you:     wrote \"") + c.value +
                                "\" to the command field (entry " + std::to_string(id) + ")");
    });
  }
  lab.At(kRouterMoveAt, [&] {
    say.OnHeadline(lab.now(),
                   "the router switches to channel " + std::to_string(kExperimentRouterTo) +
                       " (automatic channel selection); the gateway's Wi-Fi station follows, "
                       "the nodes must find it again");
    lab.router().MoveTo(kExperimentRouterTo);
  });
  lab.At(kUplinkDownAt, [&] {
    say.OnHeadline(lab.now(), "the gateway's uplink goes down for " +
                                  std::to_string((kUplinkUpAt - kUplinkDownAt) / kSecond) +
                                  " s; readings wait in its SQLite queue");
    lab.uplink().set_mode(FlakyUplink::Mode::kDown);
  });
  lab.At(kUplinkUpAt, [&] {
    say.OnHeadline(lab.now(), "the uplink is back");
    lab.uplink().set_mode(FlakyUplink::Mode::kUp);
  });
}

// Every reading in the cloud, every node's queue empty, every command at every node.
bool Drained(Lab& lab, const RunTally& tally) {
  const apps::Gateway& gateway = lab.gateway().gateway();
  if (gateway.stats().queued != 0 || gateway.uplink_in_flight()) return false;
  for (size_t n = 0; n < lab.node_count(); ++n) {
    if (lab.node(n).node().queued() != 0) return false;
    if (tally.nodes[n].commands < std::size(kCommands)) return false;
  }
  return true;
}

// The verdict: the readings channel read back over HTTP, like any ThingSpeak client would,
// against what each node took.
void ReadBack(const ExperimentCloud& cloud, Lab& lab, const RunTally& tally,
              ExperimentOutcome& out) {
  httplib::Client client(cloud.url);
  auto r = client.Get("/channels/" + std::to_string(cloud.readings_channel) +
                      "/feeds.json?results=8000");
  if (!r || r->status != 200)
    throw std::runtime_error("could not read the channel back from " + cloud.url);
  const nlohmann::json feed = nlohmann::json::parse(r->body);
  out.entries = feed.at("feeds").size();
  const apps::Gateway& gateway = lab.gateway().gateway();
  for (size_t n = 0; n < lab.node_count(); ++n) {
    NodeOutcome node{.name = tally.nodes[n].name, .mac = lab.node_spec(n).mac};
    for (size_t i = 0; i < gateway.node_count(); ++i) {
      if (gateway.node(i).mac == node.mac) node.field = gateway.node(i).field;
    }
    std::map<std::string, int> in_channel = FieldCounts(feed, node.field);
    std::map<std::string, int> sent;
    for (const std::string& v : tally.nodes[n].values) ++sent[v];
    for (const auto& [value, count] : sent) {
      const int got = in_channel.count(value) ? in_channel[value] : 0;
      node.lost += std::max(0, count - got);
      node.twice += std::max(0, got - count);
    }
    for (const auto& [value, count] : in_channel) {
      node.in_channel += count;
      if (!sent.count(value)) node.twice += count;
    }
    node.sent = static_cast<int>(tally.nodes[n].values.size());
    node.confirmed = tally.nodes[n].confirmed;
    node.commands_received = tally.nodes[n].commands;
    out.sent += node.sent;
    out.in_channel += node.in_channel;
    out.twice += node.twice;
    out.lost += node.lost;
    out.commands_received += node.commands_received;
    out.nodes.push_back(std::move(node));
  }
}

}  // namespace

std::vector<LabNode> ExperimentNodes() {
  return {{"slave", kLabSlave, {5, 0, 0}},
          {"node2", MacAddress({0x02, 0x00, 0x00, 0x00, 0x00, 0x02}), {0, 9, 0}},
          {"node3", MacAddress({0x02, 0x00, 0x00, 0x00, 0x00, 0x03}), {-7, -4, 0}}};
}

LabExperiment::LabExperiment(LabExperimentOptions options)
    : options_(std::move(options)),
      epoch_ns_(SystemClock().Now()),
      frozen_ms_(epoch_ns_ / kMillisecond),
      frozen_at_ns_(SteadyNs()) {}

int64_t LabExperiment::cloud_ms() const {
  if (const Lab* lab = lab_.load()) return lab->wall_ms();
  return frozen_ms_.load() + (SteadyNs() - frozen_at_ns_.load()) / 1'000'000;
}

void LabExperiment::Follow(const Lab* lab) {
  if (lab == nullptr) {
    if (lab_.load() == nullptr) return;
    // The clock goes on from where the air stopped: freeze it there before letting go.
    frozen_ms_.store(lab_.load()->wall_ms());
    frozen_at_ns_.store(SteadyNs());
  }
  lab_.store(lab);
}

ExperimentOutcome LabExperiment::Run(const ExperimentCloud& cloud, ExperimentListener& listener) {
  RunTally tally(listener, static_cast<TimeNs>(options_.rate_limit_s * 1e9));
  LabOptions lab_options;
  lab_options.seed = options_.seed;
  lab_options.epoch_ns = epoch_ns_;
  lab_options.router_channel = kExperimentRouterFrom;
  lab_options.gateway.channel_id = static_cast<uint32_t>(cloud.readings_channel);
  lab_options.gateway.write_key = cloud.readings_write_key;
  lab_options.gateway.command_channel_id = static_cast<uint32_t>(cloud.commands_channel);
  lab_options.gateway.command_field = 1;
  lab_options.gateway.write_interval = static_cast<TimeNs>(options_.rate_limit_s * 1e9);
  lab_options.nodes = ExperimentNodes();
  lab_options.store = options_.store;
  lab_options.pcap = options_.pcap;
  lab_options.speed = options_.speed;
  lab_options.observer = &tally;
  linux_port::HttpUplink uplink({.base_url = cloud.url});

  ExperimentOutcome out;
  const auto wall_start = std::chrono::steady_clock::now();
  {
    Lab lab(lab_options, uplink);
    Follow(&lab);
    // The cloud's clock must not read a lab that is gone, whichever way this block ends.
    struct Unfollow {
      LabExperiment& experiment;
      ~Unfollow() { experiment.Follow(nullptr); }
    } unfollow{*this};
    lab.Start();
    Schedule(lab, tally, cloud);
    lab.RunUntil(kMoreUntil, [&] { return stopping(); });
    if (!stopping()) {
      listener.OnHeadline(lab.now(),
                          "the nodes stop; waiting for the last readings to reach the cloud");
      lab.RunUntil(kMoreUntil + kDrainLimit, [&] { return stopping() || Drained(lab, tally); });
    }
    Follow(nullptr);
    lab.ClosePcap();
    out.interrupted = stopping();
    out.simulated = lab.now();
    out.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    out.pcap_frames = lab.pcap_frames();
    const apps::GatewayStats stats = lab.gateway().gateway().stats();
    out.bulk_requests = stats.bulk_requests;
    out.reconciles = stats.reconciles;
    out.refused = tally.refused;
    out.uplink_errors = tally.uplink_errors;
    out.commands_written = tally.written_commands.size();
    out.commands_forwarded = tally.forwarded;
    out.commands_expected = tally.written_commands.size() * lab.node_count();
    out.stored = tally.stored;
    out.naive_lost = tally.naive_lost;
    if (!out.interrupted) ReadBack(cloud, lab, tally, out);
  }  // the lab closes the gateway's store here
  uplink.Stop();
  return out;
}

}  // namespace airlab::host
