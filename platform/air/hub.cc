#include "platform/air/hub.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/base/assert.h"
#include "platform/air/protocol.h"
#include "platform/air/socket.h"

namespace airlab::air {
namespace {

using WallClock = std::chrono::steady_clock;

// The longest the loop sleeps in poll(): how late, in wall time, an event of the air can
// reach its client. (A scheduler that told its next event's time would let the loop sleep
// exactly until then.)
constexpr int kPollMs = 1;
constexpr size_t kMaxSessions = 256;
// A session closed after an Error gets this long to read it.
constexpr auto kCloseGrace = std::chrono::seconds(2);
// Bytes read from one session per round, so one busy client cannot starve the others.
constexpr size_t kReadPerRound = 1 << 20;

std::string MacText(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

}  // namespace

class Hub::Impl final : private sim::AirObserver {
 public:
  Impl(HubOptions options, sim::Simulation* air, const std::vector<std::string>& resident_names);
  ~Impl();

  uint16_t port() const { return port_; }
  sim::Simulation& simulation() { return sim_; }
  HubStatus status() const;
  void Run(const std::atomic<bool>& stop, const std::function<void()>& tick,
           std::chrono::milliseconds tick_every);

 private:
  struct Session {
    uint64_t id = 0;
    Socket socket;
    std::string name;
    bool hello = false;
    bool sniffing = false;
    bool closing = false;  // an Error was sent; close once it is out
    WallClock::time_point close_by{};
    bool dead = false;  // to be removed at the end of the round
    Framer framer;
    std::vector<std::byte> out;
    size_t out_offset = 0;
    uint32_t sniff_dropped = 0;
    std::vector<uint32_t> nodes;
    size_t backlog() const { return out.size() - out_offset; }
  };

  // Hands one node's radio events to the session that owns it.
  class Forwarder final : public port::RadioListener {
   public:
    Forwarder(Impl& hub, uint32_t node) : hub_(hub), node_(node) {}
    void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override {
      if (Session* s = hub_.nodes_[node_].owner) {
        hub_.Send(*s, Received{hub_.sim_.now(), node_, info, {mpdu.begin(), mpdu.end()}});
      }
    }
    void OnTxDone(const port::TxReport& report) override {
      if (Session* s = hub_.nodes_[node_].owner) {
        hub_.Send(*s, TxDone{hub_.sim_.now(), node_, report});
      }
    }

   private:
    Impl& hub_;
    const uint32_t node_;
  };

  struct Node {
    Session* owner = nullptr;  // nullptr: a resident or a free slot
    bool resident = false;     // was on the air given to the hub
    NodeSpec spec;
    std::unique_ptr<Forwarder> forwarder;  // clients' nodes only
    bool live() const { return owner != nullptr || resident; }
    std::string client() const { return resident ? "(resident)" : owner->name; }
  };

  void OnAirFrame(const sim::TapFrame& frame) override;

  TimeNs PacedNow() const;
  void CatchUp() { sim_.RunUntil(std::max(sim_.now(), PacedNow())); }

  void Accept();
  void Read(Session& s);
  void Handle(Session& s, Message&& message);
  void OnHello(Session& s, const Hello& m);
  void OnAddNode(Session& s, const AddNode& m);
  void OnControl(Session& s, const Control& m);
  void OnTransmit(Session& s, Transmit& m);
  void OnRemoveNode(Session& s, const RemoveNode& m);
  void OnSniff(Session& s, const Sniff& m);

  // Why `node` cannot be used by `s`, or "".
  std::string CheckOwner(const Session& s, uint32_t node) const;
  // Who uses `mac` on the air, or "" when nobody (other than `except`) does.
  std::string AddressUser(const MacAddress& mac, uint32_t except) const;
  void Claim(uint32_t node, port::Interface interface, const MacAddress& mac);
  void ReleaseNode(uint32_t node);
  // Tells the sniffers that `node` joined (live) or left the air.
  void Announce(uint32_t node, bool live);

  void Send(Session& s, const Message& message);
  void SendError(Session& s, Status status, const std::string& message, bool close);
  void Flush(Session& s);
  void Drop(Session& s);

  HubOptions options_;
  std::unique_ptr<sim::Simulation> owned_;  // unless the air was given
  sim::Simulation& sim_;
  Socket listener_;
  uint16_t port_ = 0;
  WallClock::time_point wall_start_{};
  TimeNs sim_start_ = 0;
  std::vector<std::unique_ptr<Session>> sessions_;
  uint64_t next_session_ = 1;
  std::vector<Node> nodes_;  // by node number
  // Slots of nodes that left, and the session whose node it was. A session never gets its
  // own old number back: events for the old node may still be on their way to it.
  struct FreeSlot {
    uint32_t node;
    uint64_t freed_by;
  };
  std::vector<FreeSlot> free_nodes_;
  // The interface addresses of the nodes on the air: who answers to each.
  std::map<MacAddress, uint32_t> addresses_;
  uint64_t frames_ = 0;
  uint64_t errors_ = 0;
};

Hub::Impl::Impl(HubOptions options, sim::Simulation* air,
                const std::vector<std::string>& resident_names)
    : options_(std::move(options)),
      owned_(air ? nullptr : std::make_unique<sim::Simulation>(options_.simulation)),
      sim_(air ? *air : *owned_) {
  if (!(options_.speed > 0) || !std::isfinite(options_.speed)) {
    throw std::runtime_error("the speed must be a positive number (1: real time)");
  }
  for (uint32_t node = 0; node < sim_.node_count(); ++node) {
    Node& n = nodes_.emplace_back();
    n.resident = true;
    const sim::SimRadio& radio = sim_.radio(node);
    n.spec.name =
        node < resident_names.size() ? resident_names[node] : "node" + std::to_string(node);
    n.spec.mac = radio.address(port::Interface::kStation);
    n.spec.position = sim_.medium().position(node);
    n.spec.channel = radio.channel();
    n.spec.tx_power_dbm = sim_.medium().tx_power_dbm(node);
    for (size_t i = 0; i < port::kInterfaceCount; ++i) {
      const MacAddress mac = radio.address(static_cast<port::Interface>(i));
      if (mac != MacAddress()) addresses_[mac] = node;
    }
  }
  listener_ = ListenLoopback(options_.port);
  port_ = LocalPort(listener_);
  sim_.AddObserver(this);
}

Hub::Impl::~Impl() {
  sim_.RemoveObserver(this);
  // A given air outlives the hub: its radios must not call the forwarders any more.
  for (uint32_t node = 0; node < nodes_.size(); ++node) {
    if (nodes_[node].forwarder) sim_.radio(node).SetListener(nullptr);
  }
}

HubStatus Hub::Impl::status() const {
  HubStatus st;
  for (const auto& s : sessions_) {
    if (s->hello && !s->dead) ++st.clients;
    if (s->sniffing && !s->dead) ++st.sniffers;
  }
  st.nodes = static_cast<size_t>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.live(); }));
  st.frames = frames_;
  st.errors = errors_;
  st.now = sim_.now();
  return st;
}

TimeNs Hub::Impl::PacedNow() const {
  const auto wall =
      std::chrono::duration_cast<std::chrono::nanoseconds>(WallClock::now() - wall_start_);
  return sim_start_ + static_cast<TimeNs>(static_cast<double>(wall.count()) * options_.speed);
}

void Hub::Impl::Run(const std::atomic<bool>& stop, const std::function<void()>& tick,
                    std::chrono::milliseconds tick_every) {
  // Pacing is done here rather than with Simulation::RunPaced, which sleeps between events
  // and so cannot watch the sockets: poll() is the sleep, and input wakes it.
  wall_start_ = WallClock::now();
  sim_start_ = sim_.now();
  auto next_time = wall_start_;
  auto next_tick = wall_start_ + tick_every;
  std::vector<pollfd> fds;
  std::vector<Session*> polled;
  while (!stop.load()) {
    CatchUp();
    const auto wall = WallClock::now();
    if (wall >= next_time) {
      for (auto& s : sessions_) {
        if (s->hello && !s->closing) Send(*s, Time{sim_.now()});
      }
      next_time = wall + std::chrono::nanoseconds(kTimeEvery);
    }
    if (tick && wall >= next_tick) {
      tick();
      next_tick = wall + tick_every;
    }

    fds.clear();
    polled.clear();
    fds.push_back({listener_.fd(), POLLIN, 0});
    for (auto& s : sessions_) {
      Flush(*s);
      if (s->closing && (s->backlog() == 0 || wall > s->close_by)) Drop(*s);
      if (s->dead) continue;
      const short events =
          static_cast<short>((s->closing ? 0 : POLLIN) | (s->backlog() ? POLLOUT : 0));
      fds.push_back({s->socket.fd(), events, 0});
      polled.push_back(s.get());
    }
    std::erase_if(sessions_, [](const auto& s) { return s->dead; });
    if (::poll(fds.data(), fds.size(), kPollMs) < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
    }
    if (fds[0].revents & POLLIN) Accept();
    for (size_t i = 0; i < polled.size(); ++i) {
      Session& s = *polled[i];
      const short revents = fds[i + 1].revents;
      if (s.dead) continue;
      if (revents & (POLLIN | POLLHUP | POLLERR)) Read(s);
      if (!s.dead && (revents & POLLOUT)) Flush(s);
    }
    std::erase_if(sessions_, [](const auto& s) { return s->dead; });
  }
  for (auto& s : sessions_) {
    Flush(*s);
    Drop(*s);
  }
  sessions_.clear();
}

// ---- Sessions ----

void Hub::Impl::Accept() {
  while (true) {
    Socket socket = AcceptFrom(listener_);
    if (!socket) return;
    auto s = std::make_unique<Session>();
    s->id = next_session_++;
    s->socket = std::move(socket);
    s->name = "client" + std::to_string(s->id);
    sessions_.push_back(std::move(s));
    Session& added = *sessions_.back();
    if (sessions_.size() > kMaxSessions) {
      SendError(added, Status::ResourceExhausted(),
                "the hub serves at most " + std::to_string(kMaxSessions) +
                    " clients; try again when one leaves",
                true);
    }
  }
}

void Hub::Impl::Read(Session& s) {
  std::byte buffer[64 * 1024];
  size_t total = 0;
  while (total < kReadPerRound) {
    const ssize_t n = ::recv(s.socket.fd(), buffer, sizeof buffer, 0);
    if (n == 0) {
      Drop(s);  // the client went away
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Drop(s);
      return;
    }
    s.framer.Append(ByteSpan(buffer, static_cast<size_t>(n)));
    total += static_cast<size_t>(n);
  }
  // Commands take effect at the simulated time they arrive at.
  CatchUp();
  std::vector<std::byte> body;
  while (!s.dead && !s.closing) {
    const Status next = s.framer.Next(body);
    if (next == Status::Unavailable()) break;
    if (!next.ok()) {
      SendError(s, Status::OutOfRange(),
                "a message length of " + std::to_string(s.framer.bad_length()) +
                    " bytes is outside 1.." + std::to_string(kMaxMessageSize) +
                    ": this is not the airlab air protocol, or it lost its framing; closing",
                true);
      return;
    }
    std::string error;
    std::optional<Message> message = Decode(body, error);
    if (!message) {
      SendError(s, Status::InvalidArgument(), "malformed message: " + error + "; ignored", false);
      continue;
    }
    Handle(s, std::move(*message));
  }
}

void Hub::Impl::Handle(Session& s, Message&& message) {
  if (!s.hello) {
    if (const Hello* hello = std::get_if<Hello>(&message)) {
      OnHello(s, *hello);
    } else {
      SendError(
          s, Status::FailedPrecondition(),
          std::string("the first message must be Hello, not ") + MessageName(message) + "; closing",
          true);
    }
    return;
  }
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          SendError(s, Status::FailedPrecondition(), "Hello was already said; ignored", false);
        } else if constexpr (std::is_same_v<T, AddNode>) {
          OnAddNode(s, m);
        } else if constexpr (std::is_same_v<T, Control>) {
          OnControl(s, m);
        } else if constexpr (std::is_same_v<T, Transmit>) {
          OnTransmit(s, m);
        } else if constexpr (std::is_same_v<T, RemoveNode>) {
          OnRemoveNode(s, m);
        } else if constexpr (std::is_same_v<T, Sniff>) {
          OnSniff(s, m);
        } else {
          SendError(s, Status::InvalidArgument(),
                    std::string(MessageName(message)) +
                        " is a message the hub sends, not one it takes; ignored",
                    false);
        }
      },
      message);
}

void Hub::Impl::OnHello(Session& s, const Hello& m) {
  if (m.magic != kMagic) {
    SendError(s, Status::FailedPrecondition(),
              "this is an airlab air hub and the client did not say the airlab air Hello; closing",
              true);
    return;
  }
  if (m.version != kProtocolVersion) {
    SendError(s, Status::FailedPrecondition(),
              "this hub speaks airlab air protocol version " + std::to_string(kProtocolVersion) +
                  " and the client version " + std::to_string(m.version) +
                  ": run the hub and its clients from the same airlab build; closing",
              true);
    return;
  }
  s.hello = true;
  if (!m.name.empty()) s.name = m.name;
  const uint32_t queue = static_cast<uint32_t>(options_.simulation.mac.queue_capacity);
  Send(s, Welcome{kProtocolVersion, sim_.now(), options_.speed, queue, options_.name});
}

void Hub::Impl::OnAddNode(Session& s, const AddNode& m) {
  const NodeSpec& spec = m.spec;
  auto refuse = [&](Status status, const std::string& why) {
    Send(s, Reply{m.request, status, 0, why});
  };
  if (spec.mac == MacAddress() || spec.mac.is_multicast()) {
    return refuse(Status::InvalidArgument(),
                  "the node's MAC " + MacText(spec.mac) + " is not a unicast address");
  }
  if (spec.channel < 1 || spec.channel > 14) {
    return refuse(Status::InvalidArgument(),
                  "channel " + std::to_string(spec.channel) + " is not a 2.4 GHz channel (1-14)");
  }
  if (!std::isfinite(spec.position.x) || !std::isfinite(spec.position.y) ||
      !std::isfinite(spec.position.z)) {
    return refuse(Status::InvalidArgument(), "the node's position must be finite numbers (metres)");
  }
  if (!std::isfinite(spec.tx_power_dbm) || spec.tx_power_dbm < -30 || spec.tx_power_dbm > 40) {
    return refuse(Status::InvalidArgument(), "a TX power must be between -30 and 40 dBm");
  }
  if (std::string user = AddressUser(spec.mac, UINT32_MAX); !user.empty()) {
    return refuse(Status::AlreadyExists(), "MAC " + MacText(spec.mac) + " is already on the air (" +
                                               user + "); give this node another address");
  }

  uint32_t node;
  auto slot = std::find_if(free_nodes_.begin(), free_nodes_.end(),
                           [&](const FreeSlot& f) { return f.freed_by != s.id; });
  if (slot != free_nodes_.end()) {
    node = slot->node;
    free_nodes_.erase(slot);
    sim_.SetPosition(node, spec.position);
    sim_.SetTxPower(node, spec.tx_power_dbm);
    sim::SimRadio& radio = sim_.radio(node);
    radio.SetChannel(spec.channel).IgnoreError();  // checked above; the sim never refuses
    radio.SetAddress(port::Interface::kStation, spec.mac).IgnoreError();
  } else {
    sim::NodeConfig config;
    config.position = spec.position;
    config.channel = spec.channel;
    config.tx_power_dbm = spec.tx_power_dbm;
    config.address = spec.mac;
    config.enabled = false;
    node = sim_.AddNode(config);
    AIRLAB_ASSERT(node == nodes_.size());  // nobody else adds nodes to the hub's air
    nodes_.emplace_back();
    nodes_[node].forwarder = std::make_unique<Forwarder>(*this, node);
  }
  Node& n = nodes_[node];
  n.owner = &s;
  n.spec = spec;
  if (n.spec.name.empty()) n.spec.name = "node" + std::to_string(node);
  s.nodes.push_back(node);
  addresses_[spec.mac] = node;
  sim::SimRadio& radio = sim_.radio(node);
  radio.SetListener(n.forwarder.get());
  radio.SetEnabled(true).IgnoreError();
  Send(s, Reply{m.request, Status::Ok(), node, ""});
  Announce(node, true);
}

void Hub::Impl::OnControl(Session& s, const Control& m) {
  auto reply = [&](Status status, const std::string& why) {
    Send(s, Reply{m.request, status, 0, why});
  };
  if (std::string why = CheckOwner(s, m.node); !why.empty()) return reply(Status::NotFound(), why);
  sim::SimRadio& radio = sim_.radio(m.node);
  switch (m.op) {
    case ControlOp::kSetEnabled: return reply(radio.SetEnabled(m.value != 0), "");
    case ControlOp::kSetChannel: {
      const Status status = radio.SetChannel(m.value);
      if (!status.ok())
        return reply(status,
                     "channel " + std::to_string(m.value) + " is not a 2.4 GHz channel (1-14)");
      nodes_[m.node].spec.channel = m.value;
      return reply(status, "");
    }
    case ControlOp::kSetAddress: {
      if (m.mac.is_multicast())
        return reply(Status::InvalidArgument(), "an interface address must be unicast");
      if (std::string user = AddressUser(m.mac, m.node); !user.empty()) {
        return reply(Status::AlreadyExists(),
                     "MAC " + MacText(m.mac) + " is already on the air (" + user + ")");
      }
      Claim(m.node, m.interface, m.mac);
      return reply(Status::Ok(), "");
    }
    case ControlOp::kSetPromiscuous: return reply(radio.SetPromiscuous(m.value != 0), "");
  }
}

void Hub::Impl::OnTransmit(Session& s, Transmit& m) {
  if (std::string why = CheckOwner(s, m.node); !why.empty()) {
    SendError(s, Status::NotFound(), "Transmit refused: " + why, false);
    return;
  }
  const Status status = sim_.radio(m.node).Transmit(m.mpdu, m.options);
  if (status.ok()) return;
  // Every Transmit gets its TxDone, so the client's accounting of frames in flight holds.
  Send(s, TxDone{sim_.now(), m.node, {m.options.tag, port::TxResult::kDropped, 0, sim_.now()}});
  SendError(s, status,
            "Transmit on node " + std::to_string(m.node) + " refused (" + status.str() +
                "): a frame of " + std::to_string(m.mpdu.size()) + " bytes on a radio that is " +
                (sim_.radio(m.node).enabled() ? "on" : "off"),
            false);
}

void Hub::Impl::OnRemoveNode(Session& s, const RemoveNode& m) {
  if (std::string why = CheckOwner(s, m.node); !why.empty()) {
    SendError(s, Status::NotFound(), "RemoveNode refused: " + why, false);
    return;
  }
  std::erase(s.nodes, m.node);
  ReleaseNode(m.node);
}

void Hub::Impl::OnSniff(Session& s, const Sniff& m) {
  s.sniffing = m.on;
  Send(s, Reply{m.request, Status::Ok(), 0, ""});
  if (!m.on) return;
  for (uint32_t node = 0; node < nodes_.size(); ++node) {
    if (nodes_[node].live())
      Send(s, NodeInfo{node, true, nodes_[node].spec, nodes_[node].client()});
  }
}

// ---- Nodes ----

std::string Hub::Impl::CheckOwner(const Session& s, uint32_t node) const {
  if (node < nodes_.size() && nodes_[node].owner == &s) return "";
  return "node " + std::to_string(node) + " is not one of this client's nodes";
}

std::string Hub::Impl::AddressUser(const MacAddress& mac, uint32_t except) const {
  auto it = addresses_.find(mac);
  if (it == addresses_.end() || it->second == except) return "";
  const Node& n = nodes_[it->second];
  if (n.resident) return "node '" + n.spec.name + "', resident on the hub's air";
  return "node '" + n.spec.name + "' of client '" + n.owner->name + "'";
}

void Hub::Impl::Claim(uint32_t node, port::Interface interface, const MacAddress& mac) {
  sim::SimRadio& radio = sim_.radio(node);
  const MacAddress old = radio.address(interface);
  // The address may be the node's other interface's too: free it only if no longer used.
  radio.SetAddress(interface, mac).IgnoreError();  // unicast or zero: the sim accepts
  if (old != MacAddress() && !radio.IsOwnAddress(old)) addresses_.erase(old);
  if (mac != MacAddress()) addresses_[mac] = node;
  if (interface == port::Interface::kStation) nodes_[node].spec.mac = mac;
}

void Hub::Impl::ReleaseNode(uint32_t node) {
  Announce(node, false);  // before the addresses are cleared: sniffers see who left
  sim::SimRadio& radio = sim_.radio(node);
  radio.SetListener(nullptr);  // the owner is gone: its dropped frames go nowhere
  radio.SetEnabled(false).IgnoreError();
  radio.SetPromiscuous(false).IgnoreError();
  Claim(node, port::Interface::kAccessPoint, MacAddress());
  Claim(node, port::Interface::kStation, MacAddress());
  free_nodes_.push_back({node, nodes_[node].owner->id});
  nodes_[node].owner = nullptr;
}

void Hub::Impl::Announce(uint32_t node, bool live) {
  const Node& n = nodes_[node];
  for (auto& s : sessions_) {
    if (s->sniffing && !s->dead) Send(*s, NodeInfo{node, live, n.spec, n.client()});
  }
}

// ---- Output ----

void Hub::Impl::OnAirFrame(const sim::TapFrame& frame) {
  ++frames_;
  for (auto& s : sessions_) {
    if (!s->sniffing || s->dead || s->closing) continue;
    if (s->backlog() > Hub::kSniffBacklog) {
      ++s->sniff_dropped;
      continue;
    }
    AirFrame m = FromTapFrame(frame);
    m.dropped = s->sniff_dropped;
    s->sniff_dropped = 0;
    Send(*s, m);
  }
}

void Hub::Impl::Send(Session& s, const Message& message) {
  if (s.dead) return;
  Encode(message, s.out);
  // A client that does not read is cut off in the loop, not here: this may run inside a
  // SimRadio's callback, where releasing its nodes would re-enter the radio.
  if (s.backlog() > options_.max_backlog && !s.closing) {
    s.closing = true;
    s.close_by = WallClock::now();
  }
}

void Hub::Impl::SendError(Session& s, Status status, const std::string& message, bool close) {
  ++errors_;
  Send(s, Error{status, message});
  if (close && !s.closing) {
    s.closing = true;
    s.close_by = WallClock::now() + kCloseGrace;
  }
}

void Hub::Impl::Flush(Session& s) {
  while (!s.dead && s.backlog() > 0) {
    const ssize_t n = ::send(s.socket.fd(), s.out.data() + s.out_offset, s.backlog(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Drop(s);
      return;
    }
    s.out_offset += static_cast<size_t>(n);
  }
  if (s.out_offset == s.out.size()) {
    s.out.clear();
    s.out_offset = 0;
  }
}

void Hub::Impl::Drop(Session& s) {
  if (s.dead) return;
  s.dead = true;
  s.sniffing = false;
  for (uint32_t node : s.nodes) ReleaseNode(node);
  s.nodes.clear();
  s.socket = Socket();
  s.out.clear();
  s.out_offset = 0;
}

// ---- Hub ----

Hub::Hub(HubOptions options)
    : impl_(std::make_unique<Impl>(std::move(options), nullptr, std::vector<std::string>{})) {}
Hub::Hub(HubOptions options, sim::Simulation& air, std::vector<std::string> resident_names)
    : impl_(std::make_unique<Impl>(std::move(options), &air, resident_names)) {}
Hub::~Hub() = default;
uint16_t Hub::port() const { return impl_->port(); }
sim::Simulation& Hub::simulation() { return impl_->simulation(); }
HubStatus Hub::status() const { return impl_->status(); }
void Hub::Run(const std::atomic<bool>& stop, const std::function<void()>& tick,
              std::chrono::milliseconds tick_every) {
  impl_->Run(stop, tick, tick_every);
}

}  // namespace airlab::air
