#include "scenario/scenario.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <fstream>
#include <map>
#include <numbers>
#include <set>
#include <sstream>

#include "platform/sim/random.h"
#include "scenario/toml_fields.h"

namespace airlab::scenario {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kNode: return "node";
    case Role::kResponder: return "gateway";
    case Role::kSniffer: return "sniffer";
  }
  return "?";
}

std::optional<uint32_t> Scenario::FindNode(std::string_view name) const {
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<uint32_t> Scenario::FindNode(const MacAddress& mac) const {
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].mac == mac) return i;
  }
  return std::nullopt;
}

MacAddress DefaultMac(uint32_t node) {
  return MacAddress({0x02, 0x00, static_cast<uint8_t>(node >> 24), static_cast<uint8_t>(node >> 16),
                     static_cast<uint8_t>(node >> 8), static_cast<uint8_t>(node)});
}

std::optional<TimeNs> ParseDuration(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  static const std::pair<std::string_view, double> kUnits[] = {
      {"", 1e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1.0}, {"min", 60e9}, {"h", 3600e9}};
  for (const auto& [name, ns] : kUnits) {
    if (unit == name) {
      const double total = value * ns;
      if (!std::isfinite(total) || total < 0 || total > 1e18) return std::nullopt;
      return static_cast<TimeNs>(std::llround(total));
    }
  }
  return std::nullopt;
}

namespace {

// A peer or traffic entry whose "to" names a node that may be declared further down.
struct Target {
  std::string text;
  const toml::node* node = nullptr;
};

struct RawPeer {
  Target to;
  PeerSpec spec;
};

struct RawTraffic {
  Target to;
  TrafficSpec spec;
  // version, encrypt and lmk given on the traffic: they set up the peer.
  std::optional<PeerSpec> peer;
  const toml::table* table = nullptr;
};

// What nodes of one [[node]] or [[group]] share until names resolve.
struct Declaration {
  std::string context;
  const toml::table* table = nullptr;
  std::vector<RawPeer> peers;
  std::vector<RawTraffic> traffic;
};

struct PendingNode {
  NodeSpec spec;
  const Declaration* declaration = nullptr;
  const toml::node* name_node = nullptr;
  const toml::node* mac_node = nullptr;
};

class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const toml::node* at, const std::string& context,
                         const std::string& message) const {
    Fail(at != nullptr ? at->source().begin : toml::source_position{}, context, message);
  }
  [[noreturn]] void Fail(const toml::source_position& at, const std::string& context,
                         const std::string& message) const {
    FailInFile(source_, at, context, message);
  }

  // One pass over the file's tables in the order a reader meets them (air, nodes, routers,
  // traffic, events): each block is short and checks what its table says, and splitting them
  // would scatter the cross-checks between tables that come at the end.
  Scenario Load(const toml::table& root) {
    Scenario s;
    s.source = source_;
    Fields top(source_, root, "");
    s.description = top.String("description", "description = \"two boards\"").value_or("");
    s.seed = static_cast<uint64_t>(
        top.Integer("seed", 0, INT64_MAX, "seed = 42").value_or(static_cast<int64_t>(s.seed)));
    s.duration = top.Duration("duration", "duration = \"60s\"").value_or(s.duration);
    if (s.duration <= 0)
      top.Fail(top.Get("duration"), "duration must be more than 0, e.g. duration = \"60s\"");
    const std::string pacing = top.String("pacing", "pacing = \"realtime\"").value_or("fast");
    if (pacing != "fast" && pacing != "realtime") {
      top.Fail(top.Get("pacing"),
               "pacing must be \"fast\" (as fast as the machine goes) or "
               "\"realtime\" (with speed = 1.0, or 2.0 for twice as fast)");
    }
    const std::optional<double> speed = top.Number("speed", 0.001, 1e6, "speed = 2.0");
    if (speed && pacing != "realtime") {
      top.Fail(top.Get("speed"),
               "speed applies to pacing = \"realtime\"; add that line or drop speed");
    }
    if (pacing == "realtime") s.speed = speed.value_or(1.0);

    if (const toml::node* air = top.Get("air")) {
      if (!air->is_table()) top.Fail(air, "air must be a table: write an [air] section");
      Fields a(source_, *air->as_table(), "[air]");
      s.air.path_loss_exponent =
          a.Number("path_loss_exponent", 1.0, 8.0, "path_loss_exponent = 3.0")
              .value_or(s.air.path_loss_exponent);
      s.air.reference_loss_db =
          a.Number("reference_loss_db", 0.0, 200.0, "reference_loss_db = 40.05")
              .value_or(s.air.reference_loss_db);
      s.air.reference_distance_m =
          a.Number("reference_distance_m", 0.001, 1000.0, "reference_distance_m = 1.0")
              .value_or(s.air.reference_distance_m);
      s.air.shadowing_sigma_db =
          a.Number("shadowing_sigma_db", 0.0, 30.0, "shadowing_sigma_db = 4.0")
              .value_or(s.air.shadowing_sigma_db);
      a.Finish({"path_loss_exponent", "reference_loss_db", "reference_distance_m",
                "shadowing_sigma_db"});
    }

    // Nodes and groups, numbered in the order they appear in the file.
    std::vector<std::pair<const toml::table*, bool>> sections;  // (table, is a group)
    for (const toml::table* t : top.Tables("node")) sections.push_back({t, false});
    for (const toml::table* t : top.Tables("group")) sections.push_back({t, true});
    const std::vector<const toml::table*> routers = top.Tables("router");
    const std::vector<const toml::table*> events = top.Tables("event");
    top.Finish({"description", "seed", "duration", "pacing", "speed", "air", "node", "group",
                "router", "event"});
    std::stable_sort(sections.begin(), sections.end(), [](const auto& a, const auto& b) {
      return a.first->source().begin < b.first->source().begin;
    });
    if (sections.empty() && routers.empty()) {
      Fail(&root, "",
           "the scenario has no nodes; add a [[node]] section with a name and a position");
    }
    for (const auto& [table, group] : sections) {
      if (group) {
        ReadGroup(*table);
      } else {
        ReadNode(*table);
      }
    }
    CheckUnique();
    Resolve();
    MirrorEncryptedPeers();
    for (PendingNode& p : nodes_) {
      CheckPeers(p);
      s.nodes.push_back(std::move(p.spec));
    }
    for (size_t i = 0; i < routers.size(); ++i) {
      Fields f(source_, *routers[i], "router " + std::to_string(i + 1));
      RouterSpec spec;
      ReadRouterFields(f, spec);
      f.Finish({std::begin(kRouterKeys), std::end(kRouterKeys)});
      s.routers.push_back(std::move(spec));
    }
    for (size_t i = 0; i < events.size(); ++i) {
      Fields f(source_, *events[i], "event " + std::to_string(i + 1));
      s.events.push_back(ReadRouterEvent(f, s.routers));
    }
    return s;
  }

 private:
  // The keys a [[node]] and a [[group]] share, read into `spec`.
  void ReadCommon(Fields& f, NodeSpec& spec, Declaration& d) {
    spec.channel =
        static_cast<uint8_t>(f.Integer("channel", 1, 14, "channel = 6").value_or(spec.channel));
    spec.tx_power_dbm =
        f.Number("tx_power_dbm", -30.0, 30.0, "tx_power_dbm = 19.5").value_or(spec.tx_power_dbm);
    spec.noise_figure_db = f.Number("noise_figure_db", 0.0, 30.0, "noise_figure_db = 7.0")
                               .value_or(spec.noise_figure_db);
    if (const std::optional<std::string> role = f.String("role", "role = \"gateway\"")) {
      if (*role == "node") {
        spec.role = Role::kNode;
      } else if (*role == "gateway") {
        spec.role = Role::kResponder;
      } else if (*role == "sniffer") {
        spec.role = Role::kSniffer;
      } else {
        f.Fail(f.Get("role"),
               "role must be \"node\" (sends its traffic), \"gateway\" (also "
               "answers each message) or \"sniffer\" (only listens)");
      }
    }
    if (const std::optional<espnow::Key> pmk = f.Key("pmk")) spec.pmk = *pmk;
    if (const std::optional<std::string> reply = f.String("reply", "reply = \"got {msg}\"")) {
      if (spec.role != Role::kResponder)
        f.Fail(f.Get("reply"), "reply is for role = \"gateway\"; add that line or drop reply");
      spec.reply = *reply;
    }
    d.context = f.context();
    d.table = &f.table();
    const std::vector<const toml::table*> peers = f.Tables("peer");
    const std::vector<const toml::table*> traffic = f.Tables("traffic");
    if (spec.role == Role::kSniffer && !(peers.empty() && traffic.empty())) {
      f.Fail(
          "a sniffer only listens: move its peers and traffic to another node, or make it "
          "role = \"node\"");
    }
    for (size_t i = 0; i < peers.size(); ++i) {
      d.peers.push_back(ReadPeer(*peers[i], d.context + " peer " + std::to_string(i + 1)));
    }
    for (size_t i = 0; i < traffic.size(); ++i) {
      d.traffic.push_back(
          ReadTraffic(*traffic[i], d.context + " traffic " + std::to_string(i + 1)));
    }
  }

  // What ReadCommon reads.
  static constexpr std::string_view kCommonKeys[] = {
      "channel", "tx_power_dbm", "noise_figure_db", "role", "pmk", "reply", "peer", "traffic"};

  std::string ReadName(Fields& f, const char* example) {
    const toml::node* node = f.Get("name");
    if (node == nullptr) f.Fail(std::string("give it a name, e.g. ") + example);
    const std::optional<std::string> name = f.String("name", example);
    if (name->empty() || name->find_first_of(" \t\"") != std::string::npos ||
        *name == "broadcast" || MacAddress::Parse(name->data(), name->size()).ok()) {
      f.Fail(node, "name \"" + *name +
                       "\" must be a word without spaces, other than "
                       "\"broadcast\" or a MAC address, e.g. " +
                       example);
    }
    return *name;
  }

  void ReadNode(const toml::table& table) {
    Fields f(source_, table, "node " + std::to_string(nodes_.size() + 1));
    PendingNode p;
    p.spec.name = ReadName(f, "name = \"master\"");
    p.name_node = f.Get("name");
    f.set_context("node \"" + p.spec.name + "\"");
    p.mac_node = f.Get("mac");
    p.spec.mac = f.Mac("mac").value_or(DefaultMac(static_cast<uint32_t>(nodes_.size())));
    const toml::node* position = f.Get("position");
    if (position == nullptr) f.Fail("give it a position in metres, e.g. position = [0, 0]");
    p.spec.position = *f.Position("position", "position = [10, 0]");
    declarations_.emplace_back();
    ReadCommon(f, p.spec, declarations_.back());
    p.declaration = &declarations_.back();
    std::vector<std::string_view> keys = {"name", "mac", "position"};
    keys.insert(keys.end(), std::begin(kCommonKeys), std::end(kCommonKeys));
    f.Finish(keys);
    nodes_.push_back(std::move(p));
  }

  void ReadGroup(const toml::table& table) {
    Fields f(source_, table, "group " + std::to_string(nodes_.size() + 1));
    const std::string prefix = ReadName(f, "name = \"sensor\"");
    f.set_context("group \"" + prefix + "\"");
    const toml::node* count_node = f.Get("count");
    if (count_node == nullptr) f.Fail("give the number of nodes, e.g. count = 20");
    const auto count = static_cast<uint32_t>(*f.Integer("count", 1, 10000, "count = 20"));
    const std::optional<MacAddress> mac_base = f.Mac("mac_base");
    if (mac_base && mac_base->is_multicast()) {
      f.Fail(f.Get("mac_base"),
             "mac_base must be a unicast address (first byte even), e.g. \"02:00:00:00:10:00\"");
    }

    std::vector<std::string_view> layout_keys;  // what the layout reads
    const std::vector<sim::Position> positions = ReadLayout(f, count, prefix, layout_keys);

    NodeSpec common;
    declarations_.emplace_back();
    ReadCommon(f, common, declarations_.back());
    std::vector<std::string_view> keys = {"name", "count", "mac_base"};
    keys.insert(keys.end(), layout_keys.begin(), layout_keys.end());
    keys.insert(keys.end(), std::begin(kCommonKeys), std::end(kCommonKeys));
    f.Finish(keys);
    for (uint32_t i = 0; i < count; ++i) {
      PendingNode p;
      p.spec = common;
      p.spec.name = prefix + std::to_string(i + 1);
      p.spec.position = positions[i];
      if (mac_base) {
        p.spec.mac = NthMac(*mac_base, i);
      } else {
        p.spec.mac = DefaultMac(static_cast<uint32_t>(nodes_.size()));
      }
      p.declaration = &declarations_.back();
      p.name_node = &table;
      p.mac_node = mac_base ? f.Get("mac_base") : &table;
      nodes_.push_back(std::move(p));
    }
  }

  Target ReadTarget(Fields& f, const char* example) {
    const toml::node* node = f.Get("to");
    if (node == nullptr)
      f.Fail(std::string("say where to: a node's name, a MAC or \"broadcast\", e.g. ") + example);
    return {*f.String("to", example), node};
  }

  void ReadVersion(Fields& f, PeerSpec& peer) {
    if (const std::optional<int64_t> v = f.Integer("version", 1, 2, "version = 2")) {
      peer.version = static_cast<espnow::Version>(*v);
    }
  }

  RawPeer ReadPeer(const toml::table& table, std::string context) {
    Fields f(source_, table, std::move(context));
    RawPeer peer;
    peer.to = ReadTarget(f, "to = \"master\"");
    peer.spec.encrypt = f.Bool("encrypt").value_or(false);
    if (const std::optional<espnow::Key> lmk = f.Key("lmk")) {
      peer.spec.lmk = *lmk;
      if (!f.Has("encrypt")) peer.spec.encrypt = true;
    }
    ReadVersion(f, peer.spec);
    peer.spec.channel =
        static_cast<uint8_t>(f.Integer("channel", 0, 14, "channel = 0").value_or(0));
    f.Finish({"to", "encrypt", "lmk", "version", "channel"});
    return peer;
  }

  RawTraffic ReadTraffic(const toml::table& table, std::string context) {
    Fields f(source_, table, std::move(context));
    static const std::vector<std::string_view> kKeys = {
        "to",    "payload", "payload_size", "interval", "rate",
        "count", "start",   "version",      "encrypt",  "lmk"};
    f.CheckTypos(kKeys);
    RawTraffic t;
    t.table = &table;
    t.to = ReadTarget(f, "to = \"master\"");
    const std::optional<std::string> payload = f.String("payload", "payload = \"reading {seq}\"");
    const std::optional<int64_t> size = f.Integer(
        "payload_size", 0, static_cast<int64_t>(espnow::kMaxPayloadV2), "payload_size = 250");
    if (payload && size)
      f.Fail(f.Get("payload_size"), "give payload (text) or payload_size (bytes), not both");
    if (!payload && !size)
      f.Fail("give what to send: payload = \"reading {seq}\" or payload_size = 250");
    if (payload) {
      if (payload->empty())
        f.Fail(f.Get("payload"),
               "payload must not be empty; use payload_size = 0 for an empty message");
      t.spec.payload = *payload;
    } else {
      t.spec.payload_size = static_cast<size_t>(*size);
    }
    const std::optional<TimeNs> interval = f.Duration("interval", "interval = \"1s\"");
    const std::optional<double> rate = f.Number("rate", 1e-6, 1e6, "rate = 10.0");
    if (interval.has_value() == rate.has_value()) {
      f.Fail(
          "give interval = \"1s\" (periodic) or rate = 10.0 (Poisson, messages per second), one of "
          "them");
    }
    if (interval) {
      if (*interval <= 0)
        f.Fail(f.Get("interval"), "interval must be more than 0, e.g. interval = \"100ms\"");
      t.spec.arrivals = Arrivals::kPeriodic;
      t.spec.interval = *interval;
    } else {
      t.spec.arrivals = Arrivals::kPoisson;
      t.spec.interval = std::max<TimeNs>(1, std::llround(1e9 / *rate));
    }
    t.spec.count = static_cast<uint64_t>(f.Integer("count", 0, INT64_MAX, "count = 5").value_or(0));
    t.spec.start = f.Duration("start", "start = \"2s\"");
    if (f.Has("version") || f.Has("encrypt") || f.Has("lmk")) {
      PeerSpec peer;
      peer.encrypt = f.Bool("encrypt").value_or(false);
      if (const std::optional<espnow::Key> lmk = f.Key("lmk")) {
        peer.lmk = *lmk;
        if (!f.Has("encrypt")) peer.encrypt = true;
      }
      ReadVersion(f, peer);
      t.peer = peer;
    }
    f.Finish(kKeys);
    return t;
  }

  void CheckUnique() const {
    std::map<std::string, const PendingNode*> names;
    std::map<MacAddress, const PendingNode*> macs;
    for (const PendingNode& p : nodes_) {
      if (auto [it, fresh] = names.emplace(p.spec.name, &p); !fresh) {
        Fail(p.name_node, p.declaration->context,
             "the name \"" + p.spec.name + "\" is taken already (by the node declared at line " +
                 std::to_string(it->second->name_node->source().begin.line) + "); rename one");
      }
      if (p.spec.mac.is_multicast()) {
        Fail(
            p.mac_node, p.declaration->context,
            "a node's mac must be a unicast address (first byte even), e.g. \"02:00:00:00:00:01\"");
      }
      if (auto [it, fresh] = macs.emplace(p.spec.mac, &p); !fresh) {
        char text[MacAddress::kStringSize + 1];
        p.spec.mac.Format(text);
        Fail(p.mac_node, p.declaration->context,
             std::string("node \"") + p.spec.name + "\" has the MAC " + text + " of node \"" +
                 it->second->spec.name + "\"; give one of them another mac (or mac_base)");
      }
    }
  }

  // The MAC a peer or traffic entry names.
  MacAddress ResolveTarget(const Target& to, const PendingNode& from,
                           const std::string& context) const {
    if (to.text == "broadcast") return MacAddress::Broadcast();
    for (const PendingNode& p : nodes_) {
      if (p.spec.name == to.text) {
        if (&p == &from) Fail(to.node, context, "a node cannot send to itself; name another node");
        if (p.spec.role == Role::kSniffer) {
          Fail(to.node, context,
               "\"" + to.text +
                   "\" is a sniffer, which acknowledges nothing; "
                   "send to another node, or to \"broadcast\"");
        }
        return p.spec.mac;
      }
    }
    Result<MacAddress> mac = MacAddress::Parse(to.text.data(), to.text.size());
    if (!mac.ok()) {
      std::string known;
      for (size_t i = 0; i < nodes_.size() && i < 8; ++i)
        known += (i ? ", " : "") + nodes_[i].spec.name;
      if (nodes_.size() > 8) known += ", ...";
      Fail(to.node, context,
           "no node is named \"" + to.text + "\"; name one of " + known +
               ", give a MAC, or \"broadcast\"");
    }
    return *mac;
  }

  static PeerSpec* FindPeer(NodeSpec& node, const MacAddress& mac) {
    for (PeerSpec& p : node.peers) {
      if (p.mac == mac) return &p;
    }
    return nullptr;
  }

  void Resolve() {
    for (PendingNode& p : nodes_) {
      const Declaration& d = *p.declaration;
      for (size_t i = 0; i < d.peers.size(); ++i) {
        const std::string context = d.context + " peer " + std::to_string(i + 1);
        PeerSpec peer = d.peers[i].spec;
        peer.mac = ResolveTarget(d.peers[i].to, p, context);
        if (FindPeer(p.spec, peer.mac) != nullptr) {
          Fail(d.peers[i].to.node, context,
               "\"" + d.peers[i].to.text +
                   "\" is a peer already; "
                   "declare each peer once");
        }
        CheckPeer(peer, p, d.peers[i].to.node, context);
        p.spec.peers.push_back(peer);
      }
      std::set<MacAddress> set_by_traffic;
      for (size_t i = 0; i < d.traffic.size(); ++i) {
        const RawTraffic& raw = d.traffic[i];
        const std::string context = d.context + " traffic " + std::to_string(i + 1);
        TrafficSpec t = raw.spec;
        t.to = ResolveTarget(raw.to, p, context);
        PeerSpec* peer = FindPeer(p.spec, t.to);
        if (peer == nullptr) {
          PeerSpec added = raw.peer.value_or(PeerSpec{});
          added.mac = t.to;
          CheckPeer(added, p, raw.to.node, context);
          p.spec.peers.push_back(added);
          peer = &p.spec.peers.back();
          if (raw.peer) set_by_traffic.insert(t.to);
        } else if (raw.peer) {
          PeerSpec wanted = *raw.peer;
          wanted.mac = peer->mac;
          wanted.channel = peer->channel;
          if (!(wanted == *peer)) {
            Fail(raw.table, context,
                 set_by_traffic.count(t.to)
                     ? "another traffic to \"" + raw.to.text +
                           "\" set version/encrypt/lmk otherwise; "
                           "make them agree, or set them once in a [[...peer]] section"
                     : "\"" + raw.to.text +
                           "\" is declared as a peer: set version, encrypt "
                           "and lmk there, not on its traffic");
          }
        }
        CheckPayload(t, *peer, p, raw.table, context);
        p.spec.traffic.push_back(t);
      }
    }
  }

  void CheckPeer(const PeerSpec& peer, const PendingNode& p, const toml::node* at,
                 const std::string& context) const {
    if (peer.encrypt && peer.mac.is_multicast()) {
      Fail(at, context, "ESP-NOW never encrypts broadcast or multicast; drop encrypt/lmk here");
    }
    if (peer.channel != 0 && peer.channel != p.spec.channel) {
      Fail(at, context,
           "the peer's channel " + std::to_string(peer.channel) + " is not the node's (" +
               std::to_string(p.spec.channel) +
               "); ESP-NOW sends on the radio's "
               "channel: use channel = 0 or " +
               std::to_string(p.spec.channel));
    }
  }

  void CheckPayload(const TrafficSpec& t, const PeerSpec& peer, const PendingNode& p,
                    const toml::node* at, const std::string& context) const {
    size_t size = t.payload_size;
    if (!t.payload.empty()) {
      std::string longest = t.payload;
      for (size_t pos; (pos = longest.find("{seq}")) != std::string::npos;)
        longest.replace(pos, 5, "9999999999");
      for (size_t pos; (pos = longest.find("{node}")) != std::string::npos;)
        longest.replace(pos, 6, p.spec.name);
      size = longest.size();
    }
    const size_t limit = espnow::MaxPayload(peer.version);
    if (size > limit) {
      Fail(at, context,
           "the payload takes up to " + std::to_string(size) + " bytes; ESP-NOW v" +
               std::to_string(static_cast<int>(peer.version)) + " carries " +
               std::to_string(limit) +
               (peer.version == espnow::Version::kV1 ? ": shorten it, or use version = 2"
                                                     : ": shorten it"));
    }
  }

  // An encrypted link needs the key at both ends; a board set up for the lab would have it.
  void MirrorEncryptedPeers() {
    for (PendingNode& a : nodes_) {
      for (const PeerSpec& peer : a.spec.peers) {
        if (!peer.encrypt) continue;
        for (PendingNode& b : nodes_) {
          if (b.spec.mac != peer.mac || FindPeer(b.spec, a.spec.mac) != nullptr) continue;
          PeerSpec back = peer;
          back.mac = a.spec.mac;
          back.channel = 0;
          b.spec.peers.push_back(back);
        }
      }
    }
  }

  void CheckPeers(const PendingNode& p) const {
    const size_t encrypted =
        static_cast<size_t>(std::count_if(p.spec.peers.begin(), p.spec.peers.end(),
                                          [](const PeerSpec& peer) { return peer.encrypt; }));
    if (p.spec.peers.size() > kMaxPeers || encrypted > kMaxEncryptedPeers) {
      Fail(p.declaration->table, p.declaration->context,
           "node \"" + p.spec.name + "\" has " + std::to_string(p.spec.peers.size()) + " peers (" +
               std::to_string(encrypted) +
               " encrypted, counting those that send to it encrypted); "
               "ESP-NOW allows " +
               std::to_string(kMaxPeers) + ", of which " + std::to_string(kMaxEncryptedPeers) +
               " encrypted: send to fewer nodes, or broadcast");
    }
  }

  std::string source_;
  std::deque<Declaration> declarations_;  // a deque: nodes point into it
  std::vector<PendingNode> nodes_;
};

}  // namespace

Scenario ParseScenario(std::string_view text, const std::string& source) {
  const toml::table root = ParseToml(text, source);
  return Loader(source).Load(root);
}

Scenario LoadScenario(const std::string& path) {
  return ParseScenario(ReadFileText(path, "scenario file"), path);
}

}  // namespace airlab::scenario
