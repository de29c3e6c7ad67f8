#include "platform/air/client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/base/assert.h"

namespace airlab::air {
namespace {

using WallClock = std::chrono::steady_clock;

// The longest a wait sleeps without looking at the clock again.
constexpr auto kMaxSleep = std::chrono::milliseconds(10);

}  // namespace

// ---- Timer and Waiter ----

class HubClient::Timer final : public port::Timer {
 public:
  explicit Timer(HubClient& client) : client_(client) { client_.timers_.push_back(this); }
  ~Timer() override { std::erase(client_.timers_, this); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  TimeNs deadline() const { return deadline_; }
  void Fire() { Expire(); }

 protected:
  // HubClient's dispatch loop looks at armed() and deadline(): nothing else to do.
  void DoArmAt(TimeNs deadline) override { deadline_ = deadline; }
  void DoCancel() override {}

 private:
  HubClient& client_;
  TimeNs deadline_ = 0;
};

class HubClient::Waiter final : public port::Waiter {
 public:
  explicit Waiter(HubClient& client) : client_(client) { ++client_.waiters_; }
  ~Waiter() override { --client_.waiters_; }
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

 protected:
  // kOk when woken, kDeadlineExceeded when the client's clock reached the deadline,
  // kUnavailable when the hub is gone.
  Status DoWaitUntil(TimeNs deadline) override { return client_.Wait(deadline, &woken_); }
  void DoWake() override {
    woken_ = true;
    client_.Notify();
  }

 private:
  HubClient& client_;
  std::atomic<bool> woken_ = false;
};

// ---- HubRadio ----

HubRadio::HubRadio(HubClient& client, uint32_t node, const NodeSpec& spec)
    : client_(client), node_(node), spec_(spec) {
  // The hub has set the node up from `spec`; the Radio base records the same state.
  SetChannel(spec.channel).IgnoreError();
  SetAddress(port::Interface::kStation, spec.mac).IgnoreError();
  SetEnabled(true).IgnoreError();
  mirroring_ = false;
}

HubRadio::~HubRadio() {
  client_.radios_.erase(node_);
  client_.Send(RemoveNode{node_});
}

Status HubRadio::Control(ControlOp op, uint8_t value, port::Interface interface,
                         const MacAddress& mac) {
  if (mirroring_) return Status::Ok();
  return client_.Call(air::Control{0, node_, op, value, interface, mac}).status;
}

Status HubRadio::DoSetEnabled(bool on) { return Control(ControlOp::kSetEnabled, on ? 1 : 0); }
Status HubRadio::DoSetChannel(uint8_t channel) { return Control(ControlOp::kSetChannel, channel); }
Status HubRadio::DoSetAddress(port::Interface interface, const MacAddress& address) {
  return Control(ControlOp::kSetAddress, 0, interface, address);
}
Status HubRadio::DoSetPromiscuous(bool on) {
  return Control(ControlOp::kSetPromiscuous, on ? 1 : 0);
}

Status HubRadio::DoTransmit(ByteSpan mpdu, const port::TxOptions& options) {
  if (!client_.connected()) return Status::Unavailable();
  // The hub's queue holds at most tx_queue_ frames, and this count is never below the
  // hub's (a TxDone is counted here after the hub counted it).
  if (in_flight_.size() >= client_.tx_queue_) return Status::ResourceExhausted();
  if (!client_.Send(air::Transmit{node_, options, {mpdu.begin(), mpdu.end()}}))
    return Status::Unavailable();
  in_flight_.push_back(options.tag);
  return Status::Ok();
}

void HubRadio::OnReceived(const Received& m) { Deliver(m.mpdu, m.info); }

void HubRadio::OnTxDone(const TxDone& m) {
  if (in_flight_.empty()) return;
  in_flight_.pop_front();
  ReportTxDone(m.report);
}

void HubRadio::DropInFlight(TimeNs now) {
  while (!in_flight_.empty()) {
    const uint32_t tag = in_flight_.front();
    in_flight_.pop_front();
    ReportTxDone({tag, port::TxResult::kDropped, 0, now});
  }
}

// ---- HubClient ----

HubClient::HubClient(const std::string& address, const std::string& name) {
  try {
    socket_ = ConnectLoopback(ParseHubAddress(address));
  } catch (const std::runtime_error& e) {
    throw HubError(Status::Unavailable(), e.what());
  }
  if (!Send(Hello{kProtocolVersion, name})) {
    throw HubError(Status::Unavailable(), "the air hub at " + address + " closed the connection");
  }
  const Message first = ReadOne();
  if (const Error* error = std::get_if<Error>(&first)) {
    throw HubError(error->status,
                   "the air hub at " + address + " refused this client: " + error->message);
  }
  const Welcome* welcome = std::get_if<Welcome>(&first);
  if (welcome == nullptr) {
    throw HubError(Status::FailedPrecondition(), "the server at " + address + " answered " +
                                                     MessageName(first) +
                                                     " to Hello: it is not an airlab air hub");
  }
  speed_ = welcome->speed;
  tx_queue_ = welcome->tx_queue;
  hub_name_ = welcome->hub;
  stamp_ = now_ = welcome->now;
  stamp_wall_ = WallClock::now();
  reader_ = std::thread([this] { ReaderLoop(); });
}

HubClient::~HubClient() {
  AIRLAB_ASSERT(radios_.empty() && timers_.empty() && waiters_ == 0);
  ::shutdown(socket_.fd(), SHUT_RDWR);  // ends the reader's recv
  reader_.join();
}

Message HubClient::ReadOne() {
  std::vector<std::byte> body;
  const auto give_up = WallClock::now() + kReplyTimeout;
  while (true) {
    const Status next = framer_.Next(body);
    if (next.ok()) {
      std::string error;
      if (std::optional<Message> m = Decode(body, error)) return std::move(*m);
      throw HubError(Status::DataLoss(), "the air hub sent a malformed message: " + error);
    }
    if (next != Status::Unavailable()) {
      throw HubError(Status::DataLoss(),
                     "the server did not answer in the airlab air protocol: is it an air hub?");
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(give_up - WallClock::now());
    pollfd fd{socket_.fd(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) == 0) {
      throw HubError(Status::DeadlineExceeded(), "the air hub did not answer Hello");
    }
    std::byte buffer[4096];
    const ssize_t n = ::recv(socket_.fd(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw HubError(Status::Unavailable(), "the air hub closed the connection during Hello");
    framer_.Append(ByteSpan(buffer, static_cast<size_t>(n)));
  }
}

void HubClient::ReaderLoop() {
  std::byte buffer[64 * 1024];
  std::vector<std::byte> body;
  bool broken = false;
  while (!broken) {
    // First what the handshake left in the framer, then the socket.
    Status next;
    while ((next = framer_.Next(body)).ok()) {
      std::string error;
      std::optional<Message> m = Decode(body, error);
      std::lock_guard lock(mutex_);
      if (!m) {
        last_error_ = "the air hub sent a malformed message: " + error;
        ++errors_;
        continue;
      }
      Message& message = *m;
      if (Reply* reply = std::get_if<Reply>(&message)) {
        replies_[reply->request] = std::move(*reply);
      } else if (const Error* e = std::get_if<Error>(&message)) {
        last_error_ = e->message;
        ++errors_;
      } else if (const Time* t = std::get_if<Time>(&message)) {
        Stamp(t->now);
      } else if (const Received* rx = std::get_if<Received>(&message)) {
        Stamp(rx->now);
        events_.push_back({rx->now, std::move(message)});
      } else if (const TxDone* tx = std::get_if<TxDone>(&message)) {
        Stamp(tx->now);
        events_.push_back({tx->now, std::move(message)});
      } else if (const AirFrame* f = std::get_if<AirFrame>(&message)) {
        Stamp(f->end);
        events_.push_back({f->end, std::move(message)});
      } else if (std::holds_alternative<NodeInfo>(message)) {
        events_.push_back({stamp_, std::move(message)});
      }
      // Anything else (a second Welcome, a client's message) means nothing here.
      cv_.notify_all();
    }
    if (next != Status::Unavailable()) break;  // a stream that lost its framing
    const ssize_t n = ::recv(socket_.fd(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) broken = true;
    if (n > 0) framer_.Append(ByteSpan(buffer, static_cast<size_t>(n)));
  }
  std::lock_guard lock(mutex_);
  connected_ = false;
  cv_.notify_all();
}

void HubClient::Stamp(TimeNs now) {
  if (now <= stamp_) return;
  stamp_ = now;
  stamp_wall_ = WallClock::now();
}

TimeNs HubClient::Now() const {
  std::lock_guard lock(mutex_);
  return NowLocked();
}

TimeNs HubClient::NowLocked() const {
  const auto since = std::min<WallClock::duration>(WallClock::now() - stamp_wall_, kMaxLead);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since).count();
  now_ = std::max(now_, stamp_ + static_cast<TimeNs>(static_cast<double>(ns) * speed_));
  return now_;
}

bool HubClient::connected() const {
  std::lock_guard lock(mutex_);
  return connected_;
}

std::string HubClient::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

uint64_t HubClient::error_count() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

bool HubClient::Send(const Message& message) {
  std::vector<std::byte> bytes;
  Encode(message, bytes);
  std::lock_guard lock(send_mutex_);
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(socket_.fd(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

template <typename Request>
Reply HubClient::Call(Request request) {
  {
    std::lock_guard lock(mutex_);
    request.request = next_request_++;
  }
  const uint32_t number = request.request;
  if (!Send(request)) return {number, Status::Unavailable(), 0, "the air hub is gone"};
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, kReplyTimeout, [&] { return replies_.contains(number) || !connected_; });
  if (auto it = replies_.find(number); it != replies_.end()) {
    Reply reply = std::move(it->second);
    replies_.erase(it);
    return reply;
  }
  if (!connected_) return {number, Status::Unavailable(), 0, "the air hub closed the connection"};
  return {number, Status::DeadlineExceeded(), 0, "the air hub did not answer in time"};
}

std::unique_ptr<HubRadio> HubClient::AddNode(const NodeSpec& spec) {
  const Reply reply = Call(air::AddNode{0, spec});
  if (!reply.status.ok()) throw HubError(reply.status, reply.message);
  auto radio = std::unique_ptr<HubRadio>(new HubRadio(*this, reply.value, spec));
  radios_[reply.value] = radio.get();
  return radio;
}

void HubClient::Sniff(AirListener* listener) {
  const Reply reply = Call(air::Sniff{0, listener != nullptr});
  if (!reply.status.ok()) throw HubError(reply.status, reply.message);
  sniffer_ = listener;
}

std::unique_ptr<port::Timer> HubClient::NewTimer() { return std::make_unique<Timer>(*this); }
std::unique_ptr<port::Waiter> HubClient::NewWaiter() { return std::make_unique<Waiter>(*this); }

void HubClient::Notify() {
  { std::lock_guard lock(mutex_); }  // a waiter between its check and its sleep sees the flag
  cv_.notify_all();
}

HubClient::Timer* HubClient::DueTimer(TimeNs limit) const {
  Timer* due = nullptr;
  for (Timer* t : timers_) {
    if (t->armed() && t->deadline() <= limit && (due == nullptr || t->deadline() < due->deadline()))
      due = t;
  }
  return due;
}

void HubClient::Poll() { DispatchDue(); }

void HubClient::DispatchDue() {
  while (true) {
    std::unique_lock lock(mutex_);
    const TimeNs now = NowLocked();
    // Timers due before the next event run first, so callbacks come in time order.
    const TimeNs limit = events_.empty() ? now : std::min(now, events_.front().time);
    if (Timer* timer = DueTimer(limit)) {
      lock.unlock();
      timer->Fire();
      continue;
    }
    if (!events_.empty()) {
      Event event = std::move(events_.front());
      events_.pop_front();
      lock.unlock();
      Dispatch(event);
      continue;
    }
    if (!connected_ && !lost_reported_) {
      lost_reported_ = true;
      lock.unlock();
      std::vector<HubRadio*> radios;
      for (auto& [node, radio] : radios_) radios.push_back(radio);
      for (HubRadio* radio : radios) radio->DropInFlight(now);
      continue;
    }
    return;
  }
}

void HubClient::Dispatch(Event& event) {
  std::visit(
      [this](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Received> || std::is_same_v<T, TxDone>) {
          // Events for a node this client has let go of are dropped.
          auto it = radios_.find(m.node);
          if (it == radios_.end()) return;
          if constexpr (std::is_same_v<T, Received>) {
            it->second->OnReceived(m);
          } else {
            it->second->OnTxDone(m);
          }
        } else if constexpr (std::is_same_v<T, AirFrame>) {
          sniff_dropped_ += m.dropped;
          if (sniffer_ != nullptr) sniffer_->OnAirFrame(ToTapFrame(m));
        } else if constexpr (std::is_same_v<T, NodeInfo>) {
          if (sniffer_ != nullptr) sniffer_->OnNode(m);
        }
      },
      event.message);
}

Status HubClient::Wait(TimeNs deadline, std::atomic<bool>* woken,
                       WallClock::time_point wall_deadline) {
  auto take_wake = [woken] { return woken != nullptr && woken->exchange(false); };
  while (true) {
    if (take_wake()) return Status::Ok();
    if (WallClock::now() >= wall_deadline) return Status::DeadlineExceeded();
    DispatchDue();
    if (take_wake()) return Status::Ok();
    std::unique_lock lock(mutex_);
    if (!events_.empty()) continue;
    if (!connected_) {
      if (lost_reported_) return Status::Unavailable();
      continue;  // DispatchDue reports the frames in flight as dropped first
    }
    const TimeNs now = NowLocked();
    if (now >= deadline) return Status::DeadlineExceeded();
    TimeNs until = deadline;
    for (const Timer* t : timers_) {
      if (t->armed()) until = std::min(until, t->deadline());
    }
    if (until <= now) continue;  // a timer came due meanwhile
    const double wall_ns = static_cast<double>(until - now) / speed_;
    const auto sleep = wall_ns >= static_cast<double>(std::chrono::nanoseconds(kMaxSleep).count())
                           ? std::chrono::nanoseconds(kMaxSleep)
                           : std::chrono::nanoseconds(static_cast<int64_t>(wall_ns) + 1);
    cv_.wait_for(lock, sleep, [&] {
      return !events_.empty() || !connected_ || (woken != nullptr && woken->load());
    });
  }
}

Status HubClient::RunUntil(TimeNs end) { return Wait(end, nullptr); }

Status HubClient::RunFor(TimeNs duration, WallClock::duration wall_limit) {
  return Wait(clock_.Now() + duration, nullptr, WallClock::now() + wall_limit);
}

WallClock::duration HubClient::silent_for() const {
  std::lock_guard lock(mutex_);
  return WallClock::now() - stamp_wall_;
}

}  // namespace airlab::air
