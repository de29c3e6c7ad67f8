#pragma once
// The air hub's wire protocol: how client processes talk to `airlab air` over loopback TCP.
//
// Framing: each message is a 4-byte little-endian length N, 1 <= N <= kMaxMessageSize,
// then N bytes: a type byte and the type's fields, packed, little-endian, in the order
// below. str = u16 length + bytes (a name at most kMaxNameSize, Reply and Error messages
// at most kMaxTextSize); f64 = IEEE-754 binary64 bits as a u64; mac = 6 bytes; rest = every byte to the end of the message (an MPDU, no FCS).
// A length outside [1, kMaxMessageSize] cannot be skipped: the hub answers Error and
// closes. A well-framed message it cannot use (unknown type, truncated, trailing bytes, a
// value out of range, a node that is not the client's) gets an Error and the session goes
// on.
//
// Session: the client sends Hello; the hub answers Welcome, or Error and closes when the
// magic or version differ. Requests carrying a `request` number get exactly one Reply
// with the same number; Transmit is answered by the node's TxDone. Every event the hub
// sends is stamped with the simulated time (`now`) it happened at; Time comes every
// kTimeEvery of wall time so clients' clocks follow the air between events.
//
//   client -> hub
//   0x01 Hello      u32 magic 'AIRH', u16 version, str client name
//   0x02 AddNode    u32 request, str name, mac, f64 x, f64 y, f64 z (m), u8 channel,
//                   f64 tx power (dBm)            Reply value: the node number
//   0x03 RemoveNode u32 node                      the node leaves the air (no reply)
//   0x04 Control    u32 request, u32 node, u8 op, u8 value, u8 interface, mac
//                   op 1 SetEnabled(value), 2 SetChannel(value),
//                   3 SetAddress(interface, mac), 4 SetPromiscuous(value)
//   0x05 Transmit   u32 node, u32 tag, u8 rate (port::Rate), u8 flags (1 short preamble,
//                   2 no ACK), u8 max retries, rest mpdu
//   0x06 Sniff      u32 request, u8 on            AirFrame and NodeInfo follow while on
//   hub -> client
//   0x41 Welcome    u16 version, i64 now, f64 speed, u32 TX queue per node, str hub name
//   0x42 Reply      u32 request, u8 status (Status::Code), u32 value, str message
//   0x43 Error      u8 status, str message         (about no request in particular)
//   0x44 Time       i64 now
//   0x45 Received   i64 now, u32 node, i8 rssi, i8 noise, u8 channel, u8 rate,
//                   i64 timestamp, u8 flags (1 retry, 2 FCS ok), rest mpdu
//   0x46 TxDone     i64 now, u32 node, u32 tag, u8 result (port::TxResult), u8 attempts,
//                   i64 time
//   0x47 NodeInfo   u32 node, u8 live, str name, str client, mac, f64 x, f64 y, f64 z,
//                   u8 channel, f64 tx power
//   0x48 AirFrame   i64 start, i64 end, u32 transmitter, u8 channel, u8 rate, u8 flags
//                   (1 short preamble, 2 retry), f64 tx power, u32 frames dropped for
//                   this sniffer since the last AirFrame, u16 count, count x (u32 node,
//                   f64 rssi, u8 outcome (sim::RxOutcome)), rest mpdu
//
// Host code: messages own their bytes (std::string, std::vector).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "platform/sim/propagation.h"
#include "platform/sim/tap.h"

namespace airlab::air {

using port::TimeNs;

inline constexpr uint32_t kMagic = 0x48524941;  // "AIRH" in little-endian order
inline constexpr uint16_t kProtocolVersion = 1;
inline constexpr size_t kMaxMessageSize = 256 * 1024;
inline constexpr size_t kMaxNameSize = 64;
inline constexpr size_t kMaxTextSize = 1024;
inline constexpr uint16_t kDefaultPort = 4610;
inline constexpr TimeNs kTimeEvery = 10 * port::kMillisecond;  // wall time

// A node as a client asks for it and as sniffers learn about it.
struct NodeSpec {
  std::string name;
  MacAddress mac;  // the station interface's address
  sim::Position position;
  uint8_t channel = 1;
  double tx_power_dbm = 16.0206;  // the sim's default (sim::NodeConfig)

  friend bool operator==(const NodeSpec& a, const NodeSpec& b);
};

enum class ControlOp : uint8_t {
  kSetEnabled = 1,
  kSetChannel = 2,
  kSetAddress = 3,
  kSetPromiscuous = 4
};

struct Hello {
  uint16_t version = kProtocolVersion;
  std::string name;
  uint32_t magic = kMagic;
  friend bool operator==(const Hello&, const Hello&) = default;
};
struct AddNode {
  uint32_t request = 0;
  NodeSpec spec;
  friend bool operator==(const AddNode&, const AddNode&) = default;
};
struct RemoveNode {
  uint32_t node = 0;
  friend bool operator==(const RemoveNode&, const RemoveNode&) = default;
};
struct Control {
  uint32_t request = 0;
  uint32_t node = 0;
  ControlOp op = ControlOp::kSetEnabled;
  uint8_t value = 0;  // enabled, channel or promiscuous
  port::Interface interface = port::Interface::kStation;
  MacAddress mac;
  friend bool operator==(const Control&, const Control&) = default;
};
struct Transmit {
  uint32_t node = 0;
  port::TxOptions options;
  std::vector<std::byte> mpdu;
  friend bool operator==(const Transmit& a, const Transmit& b);
};
struct Sniff {
  uint32_t request = 0;
  bool on = true;
  friend bool operator==(const Sniff&, const Sniff&) = default;
};
struct Welcome {
  uint16_t version = kProtocolVersion;
  TimeNs now = 0;
  double speed = 1.0;
  uint32_t tx_queue = 0;
  std::string hub;
  friend bool operator==(const Welcome&, const Welcome&) = default;
};
struct Reply {
  uint32_t request = 0;
  Status status;
  uint32_t value = 0;
  std::string message;  // why, when status is not ok
  friend bool operator==(const Reply&, const Reply&) = default;
};
struct Error {
  Status status = Status::InvalidArgument();
  std::string message;
  friend bool operator==(const Error&, const Error&) = default;
};
struct Time {
  TimeNs now = 0;
  friend bool operator==(const Time&, const Time&) = default;
};
struct Received {
  TimeNs now = 0;
  uint32_t node = 0;
  port::RxInfo info;
  std::vector<std::byte> mpdu;
  friend bool operator==(const Received& a, const Received& b);
};
struct TxDone {
  TimeNs now = 0;
  uint32_t node = 0;
  port::TxReport report;
  friend bool operator==(const TxDone& a, const TxDone& b);
};
struct NodeInfo {
  uint32_t node = 0;
  bool live = true;  // false: the node left the air
  NodeSpec spec;
  std::string client;  // the name the owner gave in its Hello
  friend bool operator==(const NodeInfo&, const NodeInfo&) = default;
};
struct AirFrame {
  TimeNs start = 0;
  TimeNs end = 0;
  uint32_t transmitter = 0;
  uint8_t channel = 0;
  port::Rate rate = port::Rate::k1Mbps;
  bool short_preamble = false;
  bool retry = false;
  double tx_power_dbm = 0.0;
  uint32_t dropped = 0;
  std::vector<sim::TapReception> receptions;
  std::vector<std::byte> mpdu;
  friend bool operator==(const AirFrame& a, const AirFrame& b);
};

using Message = std::variant<Hello, AddNode, RemoveNode, Control, Transmit, Sniff, Welcome, Reply,
                             Error, Time, Received, TxDone, NodeInfo, AirFrame>;

// "Hello", "AirFrame"...: for error messages.
const char* MessageName(const Message& message);

// Appends `message`, framed (length prefix first), to `out`.
void Encode(const Message& message, std::vector<std::byte>& out);

// Decodes one message body (what follows the length prefix). On failure returns nothing
// and sets `error` to a sentence naming the message type and what is wrong with it.
std::optional<Message> Decode(ByteSpan body, std::string& error);

// The TapFrame of an AirFrame, with spans into it (valid while `frame` lives).
sim::TapFrame ToTapFrame(const AirFrame& frame);
// The AirFrame of a TapFrame; `dropped` is left 0.
AirFrame FromTapFrame(const sim::TapFrame& frame);

// Cuts a byte stream into message bodies.
class Framer {
 public:
  void Append(ByteSpan bytes);
  // kOk: the next body is in `body`. kUnavailable: more bytes are needed. kOutOfRange: a
  // length prefix outside [1, kMaxMessageSize] (see bad_length()); the stream cannot be
  // resynchronised after it.
  Status Next(std::vector<std::byte>& body);
  uint32_t bad_length() const { return bad_length_; }
  size_t buffered() const { return buffer_.size() - offset_; }

 private:
  std::vector<std::byte> buffer_;
  size_t offset_ = 0;
  uint32_t bad_length_ = 0;
};

}  // namespace airlab::air
