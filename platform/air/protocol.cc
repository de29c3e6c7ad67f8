#include "platform/air/protocol.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <type_traits>

namespace airlab::air {
namespace {

enum class Type : uint8_t {
  kHello = 0x01,
  kAddNode = 0x02,
  kRemoveNode = 0x03,
  kControl = 0x04,
  kTransmit = 0x05,
  kSniff = 0x06,
  kWelcome = 0x41,
  kReply = 0x42,
  kError = 0x43,
  kTime = 0x44,
  kReceived = 0x45,
  kTxDone = 0x46,
  kNodeInfo = 0x47,
  kAirFrame = 0x48,
};

// The type byte of each alternative, in Message's order.
constexpr Type kTypes[] = {Type::kHello,    Type::kAddNode, Type::kRemoveNode, Type::kControl,
                           Type::kTransmit, Type::kSniff,   Type::kWelcome,    Type::kReply,
                           Type::kError,    Type::kTime,    Type::kReceived,   Type::kTxDone,
                           Type::kNodeInfo, Type::kAirFrame};
constexpr const char* kNames[] = {"Hello",    "AddNode", "RemoveNode", "Control", "Transmit",
                                  "Sniff",    "Welcome", "Reply",      "Error",   "Time",
                                  "Received", "TxDone",  "NodeInfo",   "AirFrame"};
static_assert(std::size(kTypes) == std::variant_size_v<Message>);
static_assert(std::size(kNames) == std::variant_size_v<Message>);

constexpr uint8_t kTxShortPreamble = 1, kTxNoAck = 2;
constexpr uint8_t kRxRetry = 1, kRxFcsOk = 2;
constexpr uint8_t kAirShortPreamble = 1, kAirRetry = 2;

class Writer {
 public:
  explicit Writer(std::vector<std::byte>& out) : out_(out) {}
  void U8(uint8_t v) { out_.push_back(std::byte{v}); }
  void U16(uint16_t v) { Store<2>(v); }
  void U32(uint32_t v) { Store<4>(v); }
  void U64(uint64_t v) { Store<8>(v); }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F64(double v) { U64(std::bit_cast<uint64_t>(v)); }
  void Mac(const MacAddress& mac) { Bytes(mac.bytes()); }
  void Bytes(ByteSpan bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  // Longer strings are cut: the decoder refuses them, and they are only labels and
  // sentences for people.
  void Str(const std::string& s, size_t limit = kMaxNameSize) {
    const size_t n = std::min(s.size(), limit);
    U16(static_cast<uint16_t>(n));
    Bytes(AsBytes(s.data(), n));
  }

 private:
  template <size_t N>
  void Store(uint64_t v) {
    for (size_t i = 0; i < N; ++i) out_.push_back(std::byte{static_cast<uint8_t>(v >> (8 * i))});
  }
  std::vector<std::byte>& out_;
};

// Reads fields in order; the first read past the end makes every later read return 0 and
// ok() false, so a decoder checks once at the end.
class Reader {
 public:
  explicit Reader(ByteSpan body) : body_(body) {}
  bool ok() const { return ok_; }
  bool at_end() const { return offset_ == body_.size(); }

  uint8_t U8() {
    return Read<1>([](ByteSpan b) { return load_u8(b, 0); });
  }
  uint16_t U16() {
    return Read<2>([](ByteSpan b) { return load_le16(b, 0); });
  }
  uint32_t U32() {
    return Read<4>([](ByteSpan b) { return load_le32(b, 0); });
  }
  uint64_t U64() {
    return Read<8>([](ByteSpan b) { return load_le64(b, 0); });
  }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  double F64() { return std::bit_cast<double>(U64()); }
  MacAddress Mac() {
    return Read<MacAddress::kSize>([](ByteSpan b) { return MacAddress::FromBytes(b); });
  }
  std::string Str(size_t limit = kMaxNameSize) {
    const uint16_t n = U16();
    if (n > limit) ok_ = false;
    const ByteSpan s = Take(n);
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
  }
  std::vector<std::byte> Rest() {
    const ByteSpan s = Take(body_.size() - offset_);
    return {s.begin(), s.end()};
  }

 private:
  // The next `n` bytes, or an empty span (and ok() false) when they are not there.
  ByteSpan Take(size_t n) {
    if (!ok_ || !InBounds(body_.size(), offset_, n)) {
      ok_ = false;
      return {};
    }
    const ByteSpan s = body_.subspan(offset_, n);
    offset_ += n;
    return s;
  }
  template <size_t N, typename F>
  auto Read(F load) -> decltype(load(ByteSpan{})) {
    const ByteSpan s = Take(N);
    return s.size() == N ? load(s) : decltype(load(ByteSpan{})){};
  }

  ByteSpan body_;
  size_t offset_ = 0;
  bool ok_ = true;
};

void Put(Writer& w, const NodeSpec& s) {
  w.Str(s.name);
  w.Mac(s.mac);
  w.F64(s.position.x);
  w.F64(s.position.y);
  w.F64(s.position.z);
  w.U8(s.channel);
  w.F64(s.tx_power_dbm);
}
NodeSpec GetSpec(Reader& r) {
  NodeSpec s;
  s.name = r.Str();
  s.mac = r.Mac();
  s.position.x = r.F64();
  s.position.y = r.F64();
  s.position.z = r.F64();
  s.channel = r.U8();
  s.tx_power_dbm = r.F64();
  return s;
}

void Put(Writer& w, const Hello& m) {
  w.U32(m.magic);
  w.U16(m.version);
  w.Str(m.name);
}
void Put(Writer& w, const AddNode& m) {
  w.U32(m.request);
  Put(w, m.spec);
}
void Put(Writer& w, const RemoveNode& m) { w.U32(m.node); }
void Put(Writer& w, const Control& m) {
  w.U32(m.request);
  w.U32(m.node);
  w.U8(static_cast<uint8_t>(m.op));
  w.U8(m.value);
  w.U8(static_cast<uint8_t>(m.interface));
  w.Mac(m.mac);
}
void Put(Writer& w, const Transmit& m) {
  w.U32(m.node);
  w.U32(m.options.tag);
  w.U8(static_cast<uint8_t>(m.options.rate));
  w.U8((m.options.short_preamble ? kTxShortPreamble : 0) | (m.options.no_ack ? kTxNoAck : 0));
  w.U8(m.options.max_retries);
  w.Bytes(m.mpdu);
}
void Put(Writer& w, const Sniff& m) {
  w.U32(m.request);
  w.U8(m.on ? 1 : 0);
}
void Put(Writer& w, const Welcome& m) {
  w.U16(m.version);
  w.I64(m.now);
  w.F64(m.speed);
  w.U32(m.tx_queue);
  w.Str(m.hub);
}
void Put(Writer& w, const Reply& m) {
  w.U32(m.request);
  w.U8(static_cast<uint8_t>(m.status.code()));
  w.U32(m.value);
  w.Str(m.message, kMaxTextSize);
}
void Put(Writer& w, const Error& m) {
  w.U8(static_cast<uint8_t>(m.status.code()));
  w.Str(m.message, kMaxTextSize);
}
void Put(Writer& w, const Time& m) { w.I64(m.now); }
void Put(Writer& w, const Received& m) {
  w.I64(m.now);
  w.U32(m.node);
  w.U8(static_cast<uint8_t>(m.info.rssi_dbm));
  w.U8(static_cast<uint8_t>(m.info.noise_dbm));
  w.U8(m.info.channel);
  w.U8(static_cast<uint8_t>(m.info.rate));
  w.I64(m.info.timestamp);
  w.U8((m.info.retry ? kRxRetry : 0) | (m.info.fcs_ok ? kRxFcsOk : 0));
  w.Bytes(m.mpdu);
}
void Put(Writer& w, const TxDone& m) {
  w.I64(m.now);
  w.U32(m.node);
  w.U32(m.report.tag);
  w.U8(static_cast<uint8_t>(m.report.result));
  w.U8(m.report.attempts);
  w.I64(m.report.time);
}
void Put(Writer& w, const NodeInfo& m) {
  w.U32(m.node);
  w.U8(m.live ? 1 : 0);
  w.Str(m.spec.name);
  w.Str(m.client);
  w.Mac(m.spec.mac);
  w.F64(m.spec.position.x);
  w.F64(m.spec.position.y);
  w.F64(m.spec.position.z);
  w.U8(m.spec.channel);
  w.F64(m.spec.tx_power_dbm);
}
void Put(Writer& w, const AirFrame& m) {
  w.I64(m.start);
  w.I64(m.end);
  w.U32(m.transmitter);
  w.U8(m.channel);
  w.U8(static_cast<uint8_t>(m.rate));
  w.U8((m.short_preamble ? kAirShortPreamble : 0) | (m.retry ? kAirRetry : 0));
  w.F64(m.tx_power_dbm);
  w.U32(m.dropped);
  w.U16(static_cast<uint16_t>(m.receptions.size()));
  for (const sim::TapReception& r : m.receptions) {
    w.U32(r.node);
    w.F64(r.rssi_dbm);
    w.U8(static_cast<uint8_t>(r.outcome));
  }
  w.Bytes(m.mpdu);
}

bool IsKnownCode(uint8_t code) { return code <= static_cast<uint8_t>(Status::Code::kInternal); }
bool IsKnownRate(uint8_t rate) { return port::IsValidRate(static_cast<port::Rate>(rate)); }

// Each Get fills `m` and returns what is wrong with its values, or "" (the caller reports
// truncation and trailing bytes).
std::string Get(Reader& r, Hello& m) {
  m.magic = r.U32();
  m.version = r.U16();
  m.name = r.Str();
  return "";
}
std::string Get(Reader& r, AddNode& m) {
  m.request = r.U32();
  m.spec = GetSpec(r);
  return "";
}
std::string Get(Reader& r, RemoveNode& m) {
  m.node = r.U32();
  return "";
}
std::string Get(Reader& r, Control& m) {
  m.request = r.U32();
  m.node = r.U32();
  const uint8_t op = r.U8();
  m.value = r.U8();
  const uint8_t interface = r.U8();
  m.mac = r.Mac();
  if (op < 1 || op > 4) return "unknown operation " + std::to_string(op);
  if (interface >= port::kInterfaceCount) return "unknown interface " + std::to_string(interface);
  m.op = static_cast<ControlOp>(op);
  m.interface = static_cast<port::Interface>(interface);
  return "";
}
std::string Get(Reader& r, Transmit& m) {
  m.node = r.U32();
  m.options.tag = r.U32();
  const uint8_t rate = r.U8();
  const uint8_t flags = r.U8();
  m.options.max_retries = r.U8();
  m.mpdu = r.Rest();
  if (!IsKnownRate(rate)) return "unknown rate " + std::to_string(rate);
  m.options.rate = static_cast<port::Rate>(rate);
  m.options.short_preamble = (flags & kTxShortPreamble) != 0;
  m.options.no_ack = (flags & kTxNoAck) != 0;
  return "";
}
std::string Get(Reader& r, Sniff& m) {
  m.request = r.U32();
  m.on = r.U8() != 0;
  return "";
}
std::string Get(Reader& r, Welcome& m) {
  m.version = r.U16();
  m.now = r.I64();
  m.speed = r.F64();
  m.tx_queue = r.U32();
  m.hub = r.Str();
  return "";
}
std::string Get(Reader& r, Reply& m) {
  m.request = r.U32();
  const uint8_t code = r.U8();
  m.value = r.U32();
  m.message = r.Str(kMaxTextSize);
  if (!IsKnownCode(code)) return "unknown status " + std::to_string(code);
  m.status = static_cast<Status::Code>(code);
  return "";
}
std::string Get(Reader& r, Error& m) {
  const uint8_t code = r.U8();
  m.message = r.Str(kMaxTextSize);
  if (!IsKnownCode(code)) return "unknown status " + std::to_string(code);
  m.status = static_cast<Status::Code>(code);
  return "";
}
std::string Get(Reader& r, Time& m) {
  m.now = r.I64();
  return "";
}
std::string Get(Reader& r, Received& m) {
  m.now = r.I64();
  m.node = r.U32();
  m.info.rssi_dbm = static_cast<int8_t>(r.U8());
  m.info.noise_dbm = static_cast<int8_t>(r.U8());
  m.info.channel = r.U8();
  const uint8_t rate = r.U8();
  m.info.timestamp = r.I64();
  const uint8_t flags = r.U8();
  m.mpdu = r.Rest();
  if (!IsKnownRate(rate)) return "unknown rate " + std::to_string(rate);
  m.info.rate = static_cast<port::Rate>(rate);
  m.info.retry = (flags & kRxRetry) != 0;
  m.info.fcs_ok = (flags & kRxFcsOk) != 0;
  return "";
}
std::string Get(Reader& r, TxDone& m) {
  m.now = r.I64();
  m.node = r.U32();
  m.report.tag = r.U32();
  const uint8_t result = r.U8();
  m.report.attempts = r.U8();
  m.report.time = r.I64();
  if (result > static_cast<uint8_t>(port::TxResult::kDropped)) {
    return "unknown result " + std::to_string(result);
  }
  m.report.result = static_cast<port::TxResult>(result);
  return "";
}
std::string Get(Reader& r, NodeInfo& m) {
  m.node = r.U32();
  m.live = r.U8() != 0;
  m.spec.name = r.Str();
  m.client = r.Str();
  m.spec.mac = r.Mac();
  m.spec.position.x = r.F64();
  m.spec.position.y = r.F64();
  m.spec.position.z = r.F64();
  m.spec.channel = r.U8();
  m.spec.tx_power_dbm = r.F64();
  return "";
}
std::string Get(Reader& r, AirFrame& m) {
  m.start = r.I64();
  m.end = r.I64();
  m.transmitter = r.U32();
  m.channel = r.U8();
  const uint8_t rate = r.U8();
  const uint8_t flags = r.U8();
  m.tx_power_dbm = r.F64();
  m.dropped = r.U32();
  const uint16_t count = r.U16();
  std::string error;
  // Bounded by the message: a lying count runs out of bytes and fails as truncated.
  for (uint16_t i = 0; i < count && r.ok(); ++i) {
    sim::TapReception rx;
    rx.node = r.U32();
    rx.rssi_dbm = r.F64();
    const uint8_t outcome = r.U8();
    if (outcome > static_cast<uint8_t>(sim::RxOutcome::kMissed)) {
      error = "unknown reception outcome " + std::to_string(outcome);
    }
    rx.outcome = static_cast<sim::RxOutcome>(outcome);
    m.receptions.push_back(rx);
  }
  m.mpdu = r.Rest();
  if (!error.empty()) return error;
  if (!IsKnownRate(rate)) return "unknown rate " + std::to_string(rate);
  m.rate = static_cast<port::Rate>(rate);
  m.short_preamble = (flags & kAirShortPreamble) != 0;
  m.retry = (flags & kAirRetry) != 0;
  return "";
}

template <size_t I = 0>
std::optional<Message> DecodeAs(uint8_t type, Reader& r, std::string& error) {
  if constexpr (I == std::variant_size_v<Message>) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", type);
    error = std::string("unknown message type ") + hex;
    return std::nullopt;
  } else {
    if (type != static_cast<uint8_t>(kTypes[I])) return DecodeAs<I + 1>(type, r, error);
    std::variant_alternative_t<I, Message> m;
    const std::string problem = Get(r, m);
    if (!r.ok()) {
      error = std::string(kNames[I]) + " message truncated or with a string over its limit (" +
              std::to_string(kMaxNameSize) + " bytes for a name)";
    } else if (!r.at_end()) {
      error = std::string(kNames[I]) + " message with trailing bytes";
    } else if (!problem.empty()) {
      error = std::string(kNames[I]) + " message with " + problem;
    } else {
      return Message(std::move(m));
    }
    return std::nullopt;
  }
}

}  // namespace

bool operator==(const NodeSpec& a, const NodeSpec& b) {
  return a.name == b.name && a.mac == b.mac && a.position.x == b.position.x &&
         a.position.y == b.position.y && a.position.z == b.position.z && a.channel == b.channel &&
         a.tx_power_dbm == b.tx_power_dbm;
}
bool operator==(const Transmit& a, const Transmit& b) {
  const port::TxOptions &x = a.options, &y = b.options;
  return a.node == b.node && a.mpdu == b.mpdu && x.rate == y.rate &&
         x.short_preamble == y.short_preamble && x.no_ack == y.no_ack &&
         x.max_retries == y.max_retries && x.tag == y.tag;
}
bool operator==(const Received& a, const Received& b) {
  const port::RxInfo &x = a.info, &y = b.info;
  return a.now == b.now && a.node == b.node && a.mpdu == b.mpdu && x.rssi_dbm == y.rssi_dbm &&
         x.noise_dbm == y.noise_dbm && x.channel == y.channel && x.rate == y.rate &&
         x.timestamp == y.timestamp && x.retry == y.retry && x.fcs_ok == y.fcs_ok;
}
bool operator==(const TxDone& a, const TxDone& b) {
  const port::TxReport &x = a.report, &y = b.report;
  return a.now == b.now && a.node == b.node && x.tag == y.tag && x.result == y.result &&
         x.attempts == y.attempts && x.time == y.time;
}
bool operator==(const AirFrame& a, const AirFrame& b) {
  auto same = [](const sim::TapReception& x, const sim::TapReception& y) {
    return x.node == y.node && x.rssi_dbm == y.rssi_dbm && x.outcome == y.outcome;
  };
  return a.start == b.start && a.end == b.end && a.transmitter == b.transmitter &&
         a.channel == b.channel && a.rate == b.rate && a.short_preamble == b.short_preamble &&
         a.retry == b.retry && a.tx_power_dbm == b.tx_power_dbm && a.dropped == b.dropped &&
         a.mpdu == b.mpdu &&
         std::equal(a.receptions.begin(), a.receptions.end(), b.receptions.begin(),
                    b.receptions.end(), same);
}

const char* MessageName(const Message& message) { return kNames[message.index()]; }

void Encode(const Message& message, std::vector<std::byte>& out) {
  const size_t start = out.size();
  Writer w(out);
  w.U32(0);  // the length, patched below
  w.U8(static_cast<uint8_t>(kTypes[message.index()]));
  std::visit([&w](const auto& m) { Put(w, m); }, message);
  const size_t length = out.size() - start - 4;
  store_le32(MutableByteSpan(out).subspan(start, 4), 0, static_cast<uint32_t>(length));
}

std::optional<Message> Decode(ByteSpan body, std::string& error) {
  if (body.empty()) {
    error = "empty message";
    return std::nullopt;
  }
  Reader r(body.subspan(1));
  return DecodeAs(load_u8(body, 0), r, error);
}

sim::TapFrame ToTapFrame(const AirFrame& frame) {
  sim::TapFrame tap;
  tap.start = frame.start;
  tap.end = frame.end;
  tap.transmitter = frame.transmitter;
  tap.channel = frame.channel;
  tap.rate = frame.rate;
  tap.short_preamble = frame.short_preamble;
  tap.tx_power_dbm = frame.tx_power_dbm;
  tap.mpdu = frame.mpdu;
  tap.retry = frame.retry;
  tap.receptions = frame.receptions;
  return tap;
}

AirFrame FromTapFrame(const sim::TapFrame& tap) {
  AirFrame frame;
  frame.start = tap.start;
  frame.end = tap.end;
  frame.transmitter = tap.transmitter;
  frame.channel = tap.channel;
  frame.rate = tap.rate;
  frame.short_preamble = tap.short_preamble;
  frame.retry = tap.retry;
  frame.tx_power_dbm = tap.tx_power_dbm;
  frame.receptions.assign(tap.receptions.begin(), tap.receptions.end());
  frame.mpdu.assign(tap.mpdu.begin(), tap.mpdu.end());
  return frame;
}

void Framer::Append(ByteSpan bytes) {
  // Drop what was consumed before growing, so the buffer stays about one message long.
  if (offset_ > 0 && offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 64 * 1024) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(offset_));
    offset_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Status Framer::Next(std::vector<std::byte>& body) {
  const ByteSpan pending = ByteSpan(buffer_).subspan(offset_);
  if (pending.size() < 4) return Status::Unavailable();
  const uint32_t length = load_le32(pending, 0);
  if (length == 0 || length > kMaxMessageSize) {
    bad_length_ = length;
    return Status::OutOfRange();
  }
  if (pending.size() - 4 < length) return Status::Unavailable();
  const ByteSpan b = pending.subspan(4, length);
  body.assign(b.begin(), b.end());
  offset_ += 4 + length;
  return Status::Ok();
}

}  // namespace airlab::air
