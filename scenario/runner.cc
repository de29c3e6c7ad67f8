#include "scenario/runner.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>

#include "core/espnow/stack.h"
#include "core/wire/dot11.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/sim/random.h"

namespace airlab::scenario {
namespace {

sim::SimulationConfig SimConfig(const Scenario& s) {
  sim::SimulationConfig config;
  config.seed = s.seed;
  config.medium.shadowing_sigma_db = s.air.shadowing_sigma_db;
  config.medium.path_loss = std::make_shared<sim::LogDistancePathLoss>(
      sim::LogDistancePathLoss::Config{.exponent = s.air.path_loss_exponent,
                                       .reference_distance_m = s.air.reference_distance_m,
                                       .reference_loss_db = s.air.reference_loss_db});
  return config;
}

std::string Expand(std::string text, std::string_view key, std::string_view value) {
  for (size_t pos = 0; (pos = text.find(key, pos)) != std::string::npos; pos += value.size()) {
    text.replace(pos, key.size(), value);
  }
  return text;
}

ByteSpan AsBytes(const std::string& text) {
  return ByteSpan(reinterpret_cast<const std::byte*>(text.data()), text.size());
}

// 0, 1, ..., 255 twice: any 256 bytes from its first half on count up mod 256.
constexpr std::array<char, 512> kRamp = [] {
  std::array<char, 512> ramp{};
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<char>(i);
  return ramp;
}();

// Random streams of the application layer: b = 0 for a node's Stack, 1 + k for its k-th
// traffic.
port::SplitMix64 AppStream(uint64_t seed, uint32_t node, uint64_t b) {
  return sim::MakeStream(seed, sim::Stream::kApplication, node, b);
}

}  // namespace

double LinkResult::delivery() const {
  const double expected = static_cast<double>(counts.sent) * static_cast<double>(listeners);
  return expected > 0 ? static_cast<double>(received) / expected : 0.0;
}

double NodeResult::delivery() const {
  return counts.sent > 0 ? static_cast<double>(counts.acked) / static_cast<double>(counts.sent)
                         : 0.0;
}

struct Runner::LinkTally {
  uint32_t from = 0;
  MacAddress to;
  std::optional<uint32_t> to_node;
  Counts counts;  // all but queued, which the senders' pending sends tell
  uint64_t received = 0;
  uint64_t listeners = 1;
};

// An ESP-NOW node: its Stack on the node's radio, its traffic sources, and a responder's
// answers. Its messages are timed by the air's traffic generator (sim::FirstArrival,
// NextArrival) but go through the Stack, whose reports the counts need, where a
// sim::TrafficSource puts raw frames on the radio. Messages are taken from the Stack in an event of their own right after they
// arrive, as a board's application task would.
class Runner::ScenarioNode final : public espnow::LinkListener {
 public:
  ScenarioNode(Runner& run, uint32_t index)
      : run_(run),
        index_(index),
        spec_(run.scenario_.nodes[index]),
        rng_(AppStream(run.scenario_.seed, index, 0)),
        stack_(run.simulation_.radio(index), rng_, aes_, StackConfig(spec_)) {
    espnow::Stack& stack = stack_.stack();
    stack.SetListener(this);
    Check(stack.SetEnabled(true), "enable ESP-NOW");
    for (const PeerSpec& p : spec_.peers) {
      Check(stack.AddPeer({.mac = p.mac,
                           .lmk = p.lmk,
                           .channel = p.channel,
                           .encrypt = p.encrypt,
                           .version = p.version}),
            "add a peer");
    }
    for (size_t k = 0; k < spec_.traffic.size(); ++k) {
      const TrafficSpec& t = spec_.traffic[k];
      sources_.push_back(
          {&t, &run_.LinkFor(index_, t.to), AppStream(run.scenario_.seed, index, k + 1)});
    }
    for (size_t k = 0; k < sources_.size(); ++k) {
      Source& s = sources_[k];
      const TimeNs first = s.spec->start
                               ? *s.spec->start
                               : sim::FirstArrival(s.spec->arrivals, s.spec->interval, s.rng);
      run_.simulation_.scheduler().ScheduleAt(first, [this, k] { Fire(k); });
    }
  }

  uint64_t received() const { return received_; }
  uint64_t rx_dropped() const {
    const espnow::LinkStats& s = stack_->stats();
    return s.rx_dropped + s.rx_replayed + s.rx_auth_failures + s.rx_no_key + s.rx_unprotected +
           s.rx_invalid;
  }
  // Adds the messages still waiting for their report to their links' counts.
  void CountQueued(std::map<const LinkTally*, uint64_t>& queued) const {
    for (const Pending& pending : pending_) ++queued[pending.link];
  }

  void OnReceive(const espnow::ReceivedInfo&) override {
    if (drain_scheduled_) return;
    drain_scheduled_ = true;
    run_.simulation_.scheduler().ScheduleAfter(0, [this] { Drain(); });
  }

  void OnSendDone(const espnow::SendReport& report) override {
    // The Stack reports in the order of sending: the report is for the oldest, as a rule.
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const Pending& p) { return p.id == report.id; });
    if (it == pending_.end()) return;
    Counts& c = it->link->counts;
    if (report.attempts > 0) c.retries += report.attempts - 1u;
    if (espnow::Delivered(report.delivery)) {
      ++c.acked;
      c.latencies.push_back(report.time - it->time);
    } else {
      ++c.lost;
    }
    if (it == pending_.begin()) {
      pending_.pop_front();
    } else {
      pending_.erase(it);
    }
  }

 private:
  struct Source {
    const TrafficSpec* spec;
    LinkTally* link;
    port::SplitMix64 rng;
    uint64_t seq = 0;
  };
  struct Heard {
    MacAddress src;
    bool broadcast;
    LinkTally* link;  // null for a sender that is no node of the scenario
  };
  struct Pending {
    uint32_t id;  // the Stack's send id
    LinkTally* link;
    TimeNs time;
  };

  static espnow::StackConfig StackConfig(const NodeSpec& spec) {
    espnow::StackConfig config;
    config.max_peers = kMaxPeers;
    config.max_encrypted_peers = kMaxEncryptedPeers;
    config.pmk = spec.pmk;
    return config;
  }

  void Check(Status status, const char* what) const {
    if (!status.ok()) {
      throw std::invalid_argument("node \"" + spec_.name + "\": ESP-NOW refused to " + what + " (" +
                                  std::string(status.str()) + ")");
    }
  }

  void Fire(size_t k) {
    Source& s = sources_[k];
    if (run_.simulation_.now() >= run_.scenario_.duration) return;
    if (s.spec->payload.empty()) {
      // The bytes seq, seq + 1, ... (mod 256), copied from a ramp 256 bytes at a time.
      payload_.resize(s.spec->payload_size);
      for (size_t i = 0; i < payload_.size(); i += 256) {
        std::memcpy(payload_.data() + i, kRamp.data() + s.seq % 256,
                    std::min<size_t>(256, payload_.size() - i));
      }
    } else {
      payload_ =
          Expand(Expand(s.spec->payload, "{seq}", std::to_string(s.seq)), "{node}", spec_.name);
    }
    Send(*s.link, AsBytes(payload_));
    ++s.seq;
    if (s.spec->count != 0 && s.seq >= s.spec->count) return;
    run_.simulation_.scheduler().ScheduleAfter(
        sim::NextArrival(s.spec->arrivals, s.spec->interval, s.rng), [this, k] { Fire(k); });
  }

  void Send(LinkTally& link, ByteSpan payload) {
    ++link.counts.sent;
    Result<uint32_t> id = stack_->Send(link.to, payload);
    if (id.ok()) {
      pending_.push_back({*id, &link, run_.simulation_.now()});
    } else {
      ++link.counts.lost;
      ++link.counts.refused;
    }
  }

  void Drain() {
    drain_scheduled_ = false;
    while (true) {
      Result<espnow::ReceivedInfo> info = stack_->Receive(buffer_);
      if (!info.ok()) break;
      ++received_;
      // The link it came over: as a rule the last message's, which spares the lookups.
      if (!last_heard_ || last_heard_->src != info->src ||
          last_heard_->broadcast != info->broadcast) {
        auto sender = run_.node_by_mac_.find(info->src);
        const MacAddress to = info->broadcast ? MacAddress::Broadcast() : spec_.mac;
        LinkTally* link =
            sender == run_.node_by_mac_.end() ? nullptr : &run_.LinkFor(sender->second, to);
        last_heard_ = {info->src, info->broadcast, link};
      }
      if (last_heard_->link != nullptr) ++last_heard_->link->received;
      if (spec_.role == Role::kResponder && !info->broadcast) {
        Answer(info->src, ByteSpan(buffer_.data(), info->size));
      }
    }
  }

  void Answer(const MacAddress& to, ByteSpan message) {
    const bool known = stack_->GetPeer(to).ok();
    if (!known) {
      // Room for the sender among the peers: forget the peer answered longest ago.
      if (stack_->peer_count().total >= kMaxPeers && !answered_.empty()) {
        stack_->DeletePeer(answered_.front()).IgnoreError();
        answered_.pop_front();
      }
      if (!stack_->AddPeer({.mac = to}).ok()) return;
      answered_.push_back(to);
    }
    const std::string text(reinterpret_cast<const char*>(message.data()), message.size());
    payload_ = Expand(Expand(spec_.reply, "{seq}", std::to_string(replies_++)), "{msg}", text);
    const size_t limit = espnow::MaxPayload(stack_->GetPeer(to)->version);
    if (payload_.size() > limit) payload_.resize(limit);
    Send(run_.LinkFor(index_, to), AsBytes(payload_));
  }

  Runner& run_;
  const uint32_t index_;
  const NodeSpec& spec_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  espnow::StaticStack<kMaxPeers> stack_;
  std::vector<Source> sources_;
  std::deque<Pending> pending_;  // in the order sent
  std::array<std::byte, espnow::kMaxPayloadV2> buffer_{};
  std::string payload_;
  uint64_t received_ = 0;
  uint64_t replies_ = 0;
  bool drain_scheduled_ = false;
  std::optional<Heard> last_heard_;
  std::deque<MacAddress> answered_;  // peers added to answer them, oldest first
};

// A sniffer: the radio in promiscuous mode, counting the frames it decodes.
class Runner::Sniffer final : public port::RadioListener {
 public:
  explicit Sniffer(port::Radio& radio) {
    radio.SetPromiscuous(true).IgnoreError();  // the sim's radio always accepts
    radio.SetListener(this);
  }
  void OnReceive(ByteSpan, const port::RxInfo& info) override {
    if (info.fcs_ok) ++decoded;
  }
  void OnTxDone(const port::TxReport&) override {}
  uint64_t decoded = 0;
};

// Frames on the air, and how long each channel was busy (the union of the frames' spans:
// frames that overlap count once).
class Runner::Air final : public sim::AirObserver {
 public:
  void OnAirFrame(const sim::TapFrame& frame) override {
    Channel& state = channels_[frame.channel];
    if (state.result == nullptr) state.result = &result.channels[frame.channel];
    ChannelResult& channel = *state.result;
    ++channel.frames;
    if (frame.retry) ++channel.retransmissions;
    if (frame.mpdu.size() >= 2 &&
        wire::FrameControl{load_le16(frame.mpdu, 0)}.Is(wire::ControlSubtype::kAck)) {
      ++channel.acks;
    }
    // `spans` are disjoint: the part of this frame they cover was counted already. Frames
    // end in order; one that ends later started at most one longest frame before this one
    // ended, so spans that ended before that overlap nothing to come and go too.
    std::vector<std::pair<TimeNs, TimeNs>>& spans = state.spans;
    TimeNs covered = 0, low = frame.start, high = frame.end;
    std::erase_if(spans, [&](const std::pair<TimeNs, TimeNs>& span) {
      if (span.first >= frame.end || span.second <= frame.start) {
        return span.second < frame.end - kForget;
      }
      covered += std::min(span.second, frame.end) - std::max(span.first, frame.start);
      low = std::min(low, span.first);
      high = std::max(high, span.second);
      return true;
    });
    channel.busy += frame.end - frame.start - covered;
    spans.push_back({low, high});
  }
  bool WantsReceptions() const override { return false; }
  AirResult result;

 private:
  struct Channel {
    ChannelResult* result = nullptr;  // in result.channels, once the channel carried a frame
    std::vector<std::pair<TimeNs, TimeNs>> spans;
  };
  // Longer than the longest PPDU (2346 bytes at 1 Mb/s: 18.96 ms) twice over.
  static constexpr TimeNs kForget = 40 * port::kMillisecond;
  std::array<Channel, 256> channels_;  // by channel number
};

Runner::Runner(const Scenario& scenario)
    : scenario_(scenario), simulation_(SimConfig(scenario)), air_(std::make_unique<Air>()) {
  for (uint32_t i = 0; i < scenario.nodes.size(); ++i) {
    const NodeSpec& n = scenario.nodes[i];
    simulation_.AddNode({.position = n.position,
                         .channel = n.channel,
                         .tx_power_dbm = n.tx_power_dbm,
                         .noise_figure_db = n.noise_figure_db,
                         .address = n.mac});
    if (!node_by_mac_.emplace(n.mac, i).second) {
      throw std::invalid_argument("two nodes have the MAC of node \"" + n.name + "\"");
    }
  }
  simulation_.AddObserver(air_.get());
  nodes_.resize(scenario.nodes.size());
  sniffers_.resize(scenario.nodes.size());
  for (uint32_t i = 0; i < scenario.nodes.size(); ++i) {
    if (scenario.nodes[i].role == Role::kSniffer) {
      sniffers_[i] = std::make_unique<Sniffer>(simulation_.radio(i));
    } else {
      nodes_[i] = std::make_unique<ScenarioNode>(*this, i);
    }
  }
  routers_ = std::make_unique<SimRouters>(simulation_, scenario.routers, scenario.seed);
  routers_->Schedule(scenario.events);
}

Runner::~Runner() { simulation_.RemoveObserver(air_.get()); }

Runner::LinkTally& Runner::LinkFor(uint32_t from, const MacAddress& to) {
  LinkTally*& link = link_index_[{from, to}];
  if (link == nullptr) {
    links_.push_back(std::make_unique<LinkTally>());
    link = links_.back().get();
    link->from = from;
    link->to = to;
    if (auto it = node_by_mac_.find(to); it != node_by_mac_.end()) link->to_node = it->second;
    if (to.is_multicast()) {
      link->listeners = 0;
      for (uint32_t i = 0; i < scenario_.nodes.size(); ++i) {
        if (i != from && scenario_.nodes[i].role != Role::kSniffer &&
            scenario_.nodes[i].channel == scenario_.nodes[from].channel) {
          ++link->listeners;
        }
      }
    }
  }
  return *link;
}

void Runner::RunUntil(TimeNs time) {
  if (scenario_.speed > 0) {
    simulation_.RunPaced(time, scenario_.speed);
  } else {
    simulation_.RunUntil(time);
  }
}

Results Runner::results() const {
  Results r;
  r.simulated = simulation_.now();
  std::map<const LinkTally*, uint64_t> queued;
  for (const auto& node : nodes_) {
    if (node) node->CountQueued(queued);
  }
  // By sender, then destination: nodes in scenario order, other MACs, broadcast last.
  std::vector<const LinkTally*> links;
  for (const auto& link : links_) links.push_back(link.get());
  auto order = [](const LinkTally* l) {
    return std::make_tuple(l->from, l->to.is_multicast(), l->to_node.value_or(UINT32_MAX), l->to);
  };
  std::sort(links.begin(), links.end(),
            [&](const LinkTally* a, const LinkTally* b) { return order(a) < order(b); });

  r.nodes.resize(scenario_.nodes.size());
  for (const LinkTally* link : links) {
    LinkResult lr{link->from,   link->to,       link->to_node,
                  link->counts, link->received, link->listeners};
    lr.counts.queued = queued.count(link) ? queued.at(link) : 0;
    std::sort(lr.counts.latencies.begin(), lr.counts.latencies.end());
    Counts& total = r.nodes[link->from].counts;
    total.sent += lr.counts.sent;
    total.acked += lr.counts.acked;
    total.lost += lr.counts.lost;
    total.refused += lr.counts.refused;
    total.queued += lr.counts.queued;
    total.retries += lr.counts.retries;
    // Sorted lists merged stay sorted.
    const auto merged = static_cast<std::ptrdiff_t>(total.latencies.size());
    total.latencies.insert(total.latencies.end(), lr.counts.latencies.begin(),
                           lr.counts.latencies.end());
    std::inplace_merge(total.latencies.begin(), total.latencies.begin() + merged,
                       total.latencies.end());
    r.links.push_back(std::move(lr));
  }
  r.air = air_->result;
  for (uint32_t i = 0; i < scenario_.nodes.size(); ++i) {
    NodeResult& n = r.nodes[i];
    n.radio = simulation_.stats(i);
    if (nodes_[i]) {
      n.received = nodes_[i]->received();
      n.rx_dropped = nodes_[i]->rx_dropped();
    } else {
      n.received = sniffers_[i]->decoded;
    }
    r.air.collisions += n.radio.phy.rx_collisions;
    r.air.rx_errors += n.radio.phy.rx_errors;
    r.air.refused += n.counts.refused;
  }
  return r;
}

}  // namespace airlab::scenario
