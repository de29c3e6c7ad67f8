#pragma once
// Improv Wi-Fi over serial (reference/provisioning.md; improv-wifi.com/serial): the packets a
// provisioning tool and a device exchange on a serial port that also carries the device's
// console (a MicroPython REPL, logs). A packet is
//   "IMPROV" | version 0x01 | type | length | data[length] | checksum
// where the checksum is the low byte of the sum of every byte before it; senders end each
// packet with '\n'. RPC commands (client to device) and RPC results (device to client) carry
// a command byte, their own length and the data inside; results are a list of
// length-prefixed strings.
//
// ImprovStreamParser finds packets in the mixed stream and hands everything else on as text;
// the builders write every packet; ImprovDevice (improv_device.h) is the device's side.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/status.h"
#include "core/port/wifi_station.h"

namespace airlab::wifi {

inline constexpr std::string_view kImprovMagic = "IMPROV";
inline constexpr uint8_t kImprovVersion = 1;
// Magic, version, type, length.
inline constexpr size_t kImprovHeaderSize = 9;
inline constexpr size_t kImprovMaxData = 255;
// The longest packet, its checksum and the sender's '\n' included.
inline constexpr size_t kImprovMaxPacketSize = kImprovHeaderSize + kImprovMaxData + 2;
// An RPC's own data (after its command and length bytes) fits the packet's length byte.
inline constexpr size_t kImprovMaxRpcData = kImprovMaxData - 2;

enum class ImprovType : uint8_t {
  kCurrentState = 0x01,  // device to client
  kErrorState = 0x02,    // device to client
  kRpcCommand = 0x03,    // client to device
  kRpcResult = 0x04,     // device to client
};

enum class ImprovState : uint8_t {
  kReady = 0x02,  // authorized: ready to take credentials
  kProvisioning = 0x03,
  kProvisioned = 0x04,
};

enum class ImprovError : uint8_t {
  kNone = 0x00,
  kInvalidRpc = 0x01,
  kUnknownRpc = 0x02,
  kUnableToConnect = 0x03,
  kBadHostname = 0x05,
  kUnknown = 0xFF,
};

enum class ImprovCommand : uint8_t {
  kWifiSettings = 0x01,
  kGetCurrentState = 0x02,
  kGetDeviceInfo = 0x03,
  kGetWifiNetworks = 0x04,
};

// Names for logs and the CLI ("ready", "unable to connect"); "unknown" for other values.
std::string_view ImprovStateName(uint8_t state);
std::string_view ImprovErrorName(uint8_t error);

// The low byte of the sum of `bytes`.
uint8_t ImprovChecksum(ByteSpan bytes);

// A packet that passed every check. `data` points into the parser's buffer: valid only
// during the OnImprovPacket call.
struct ImprovPacket {
  ImprovType type;
  ByteSpan data;
};

// Why a packet was refused (each counted in ImprovStreamStats).
enum class ImprovRefusal : uint8_t {
  kBadVersion,
  kBadType,
  kBadLength,  // the length byte is impossible for the type, or an RPC's inner length lies
  kBadChecksum,
  kTimedOut,  // the packet stopped arriving (Expire)
};

struct ImprovStreamStats {
  uint32_t packets = 0;
  uint32_t bad_version = 0;
  uint32_t bad_type = 0;
  uint32_t bad_length = 0;
  uint32_t bad_checksum = 0;
  uint32_t timed_out = 0;
  uint32_t dropped_bytes = 0;  // bytes of refused packets, never handed on as text
  uint32_t refused() const {
    return bad_version + bad_type + bad_length + bad_checksum + timed_out;
  }
};

// What the parser finds, in stream order. Spans are valid only during the call.
class ImprovStreamListener {
 public:
  // Bytes that are not part of a packet (REPL input or console output), in order.
  virtual void OnImprovText(ByteSpan text) = 0;
  virtual void OnImprovPacket(const ImprovPacket& packet) = 0;
  virtual void OnImprovRefused(ImprovRefusal) {}

 protected:
  ~ImprovStreamListener() = default;
};

// Finds Improv packets in a byte stream mixed with text. Text passes through unchanged;
// bytes that might start a packet ("IMP...") wait until they either do or cannot. Once
// "IMPROV" and a control byte (a version) are seen, the bytes belong to a packet: a packet refused (bad version, type,
// length or checksum) is dropped whole, never handed on as text (its type byte 0x03 would be
// a Ctrl-C to a REPL), and the parser resynchronises: the bytes after the refused magic are
// searched again for a packet, and what follows the refused packet up to the end of its line
// ('\r' or '\n', or kImprovMaxPacketSize bytes) is dropped with it. A packet whose length
// promises more than comes is refused when the caller calls Expire after a quiet spell
// (100 ms is usual on a serial line); lengths that cannot be right (state packets other than
// one byte, RPCs whose inner length disagrees) are refused as soon as they show.
// The '\n' that ends a good packet is taken with it.
//
// No allocation: two buffers of kImprovMaxPacketSize bytes inside. Not thread-safe.
class ImprovStreamParser {
 public:
  ImprovStreamParser() = default;
  ImprovStreamParser(const ImprovStreamParser&) = delete;
  ImprovStreamParser& operator=(const ImprovStreamParser&) = delete;

  void Feed(ByteSpan bytes, ImprovStreamListener& listener);
  // The line went quiet: a partial packet is refused (kTimedOut) and the text held back for a
  // possible magic is handed on.
  void Expire(ImprovStreamListener& listener);
  // Bytes are held back waiting for more (the caller should call Expire when it goes quiet).
  bool waiting() const { return held_ > 0; }
  // What is held is a packet under way, not only a possible magic's first letters (which a
  // console may release at once: a typed "I" need not wait for the quiet spell).
  bool in_packet() const { return mode_ == Mode::kPacket; }
  const ImprovStreamStats& stats() const { return stats_; }

 private:
  enum class Mode : uint8_t { kText, kPacket, kDiscard, kAfterPacket };

  void Step(std::byte b, ImprovStreamListener& listener);
  void PacketByte(std::byte b, ImprovStreamListener& listener);
  void Refuse(ImprovRefusal why, ImprovStreamListener& listener);
  void Text(std::byte b, ImprovStreamListener& listener);
  void FlushText(ImprovStreamListener& listener);

  Mode mode_ = Mode::kText;
  std::array<std::byte, kImprovMaxPacketSize> packet_{};
  size_t held_ = 0;       // bytes in packet_: a magic's prefix (kText) or a packet
  size_t discarded_ = 0;  // kDiscard: bytes dropped since the refusal
  std::array<std::byte, kImprovMaxPacketSize> replay_{};  // bytes to search again
  size_t replay_size_ = 0;
  size_t replay_at_ = 0;
  std::array<std::byte, 64> text_{};  // text gathered for one OnImprovText call
  size_t text_size_ = 0;
  ImprovStreamStats stats_;
};

// Appends one packet (magic .. checksum, then '\n'). kInvalidArgument for data over
// kImprovMaxData; kResourceExhausted when `out` is full.
Status BuildImprovPacket(ImprovType type, ByteSpan data, ByteBuilder& out);
Status BuildImprovState(ImprovState state, ByteBuilder& out);
Status BuildImprovError(ImprovError error, ByteBuilder& out);
// An RPC command packet: command, data length, data. kInvalidArgument over kImprovMaxRpcData.
Status BuildImprovCommand(ImprovCommand command, ByteSpan data, ByteBuilder& out);
// The Send Wi-Fi settings command: ssid length, ssid, password length, password.
// kInvalidArgument for an SSID over 32 bytes or a password over kImprovMaxRpcData - 34.
Status BuildImprovWifiSettings(ByteSpan ssid, ByteSpan password, ByteBuilder& out);

// An RPC result packet built a string at a time:
//   ImprovResultBuilder result(out, ImprovCommand::kGetDeviceInfo);
//   result.Add(name); result.Add(version); ...; AIRLAB_TRY(result.Finish());
// Finish writes the lengths and the checksum; kInvalidArgument when the strings do not fit
// one packet, kResourceExhausted when `out` is full.
class ImprovResultBuilder {
 public:
  ImprovResultBuilder(ByteBuilder& out, ImprovCommand command);
  ImprovResultBuilder(const ImprovResultBuilder&) = delete;
  ImprovResultBuilder& operator=(const ImprovResultBuilder&) = delete;
  ImprovResultBuilder& Add(ByteSpan text);
  ImprovResultBuilder& Add(std::string_view text) { return Add(AsBytes(text.data(), text.size())); }
  Status Finish();

 private:
  ByteBuilder& out_;
  size_t start_;
  Status status_;
};

// An RPC command or result, parsed from a packet's data: the command byte and the RPC's
// own data (a view into the packet).
struct ImprovRpc {
  uint8_t command = 0;
  ByteSpan data;
};
// kOutOfRange when shorter than two bytes; kDataLoss when the inner length is not the rest.
Result<ImprovRpc> ParseImprovRpc(ByteSpan packet_data);

struct ImprovWifiSettings {
  port::Ssid ssid;
  ByteSpan password;  // a view into the RPC's data
};
// kDataLoss when the lengths do not add up to the data exactly; kInvalidArgument for an
// empty SSID or one over 32 bytes.
Result<ImprovWifiSettings> ParseImprovWifiSettings(ByteSpan rpc_data);

// The strings of an RPC result, in order:
//   for (ImprovStrings s(rpc.data); s.Next();) Use(s.current());
// Next() is false at the end, or when a length runs past the data (then ok() is false).
class ImprovStrings {
 public:
  explicit ImprovStrings(ByteSpan data) : rest_(data) {}
  bool Next();
  ByteSpan current() const { return current_; }
  bool ok() const { return ok_; }

 private:
  ByteSpan rest_;
  ByteSpan current_;
  bool ok_ = true;
};

}  // namespace airlab::wifi
