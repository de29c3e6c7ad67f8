#include "core/wifi/improv.h"

#include <cstring>

namespace airlab::wifi {
namespace {

constexpr size_t kMagicSize = 6;
constexpr size_t kTypeAt = 7;
constexpr size_t kLengthAt = 8;
constexpr size_t kRpcLengthAt = 10;  // an RPC's own length, after its command byte

bool IsLineEnd(std::byte b) { return b == std::byte{'\r'} || b == std::byte{'\n'}; }
bool IsRpcType(uint8_t type) {
  return type == static_cast<uint8_t>(ImprovType::kRpcCommand) ||
         type == static_cast<uint8_t>(ImprovType::kRpcResult);
}

}  // namespace

std::string_view ImprovStateName(uint8_t state) {
  switch (state) {
    case 0x01: return "authorization required";
    case 0x02: return "ready";
    case 0x03: return "provisioning";
    case 0x04: return "provisioned";
    default: return "unknown";
  }
}

std::string_view ImprovErrorName(uint8_t error) {
  switch (error) {
    case 0x00: return "no error";
    case 0x01: return "invalid RPC packet";
    case 0x02: return "unknown RPC command";
    case 0x03: return "unable to connect";
    case 0x05: return "bad hostname";
    default: return "unknown error";
  }
}

uint8_t ImprovChecksum(ByteSpan bytes) {
  uint8_t sum = 0;
  for (std::byte b : bytes) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(b));
  return sum;
}

// --- ImprovStreamParser ----------------------------------------------------------------

void ImprovStreamParser::Feed(ByteSpan bytes, ImprovStreamListener& listener) {
  for (std::byte b : bytes) {
    Step(b, listener);
    // A refusal hands back bytes to search again; they come before the next input byte.
    while (replay_at_ < replay_size_) Step(replay_[replay_at_++], listener);
  }
  FlushText(listener);
}

void ImprovStreamParser::Expire(ImprovStreamListener& listener) {
  while (mode_ == Mode::kPacket) {
    Refuse(ImprovRefusal::kTimedOut, listener);
    while (replay_at_ < replay_size_) Step(replay_[replay_at_++], listener);
  }
  // A magic's prefix that never grew is text after all; a refused line's tail is over.
  const Mode was = mode_;
  mode_ = Mode::kText;
  const size_t prefix = held_;
  held_ = 0;
  for (size_t i = 0; i < prefix; ++i) {
    if (was == Mode::kDiscard) {
      ++stats_.dropped_bytes;
    } else {
      Text(packet_[i], listener);
    }
  }
  FlushText(listener);
}

void ImprovStreamParser::Step(std::byte b, ImprovStreamListener& listener) {
  if (mode_ == Mode::kPacket) return PacketByte(b, listener);
  if (mode_ == Mode::kAfterPacket) {
    mode_ = Mode::kText;
    if (b == std::byte{'\n'}) return;  // the sender's end of packet
  }
  // kText or kDiscard: watch for the magic.
  if (b == static_cast<std::byte>(kImprovMagic[held_])) {
    packet_[held_++] = b;
    if (held_ == kMagicSize) {
      FlushText(listener);
      mode_ = Mode::kPacket;
    }
    return;
  }
  // Not the magic: what was held is text (or dropped, in a refused line), and this byte may
  // start the magic again ("IMPROV" repeats no letter, so no other overlap is possible).
  const size_t prefix = held_;
  held_ = 0;
  for (size_t i = 0; i <= prefix; ++i) {
    const std::byte c = i < prefix ? packet_[i] : b;
    if (i == prefix && c == static_cast<std::byte>(kImprovMagic[0])) {
      packet_[held_++] = c;
      return;
    }
    if (mode_ == Mode::kDiscard) {
      ++stats_.dropped_bytes;
      if (IsLineEnd(c) || ++discarded_ >= kImprovMaxPacketSize) mode_ = Mode::kText;
    } else {
      Text(c, listener);
    }
  }
}

void ImprovStreamParser::PacketByte(std::byte b, ImprovStreamListener& listener) {
  packet_[held_++] = b;
  const uint8_t value = static_cast<uint8_t>(b);
  const uint8_t type = held_ > kTypeAt ? static_cast<uint8_t>(packet_[kTypeAt]) : 0;
  const size_t length = held_ > kLengthAt ? static_cast<uint8_t>(packet_[kLengthAt]) : 0;
  if (held_ == kMagicSize + 1 && value != kImprovVersion) {
    if (value < 0x20) return Refuse(ImprovRefusal::kBadVersion, listener);
    // Printable: text that merely holds the word ("IMPROVED"), not a packet.
    held_ = 0;
    mode_ = Mode::kText;
    for (size_t i = 0; i < kMagicSize; ++i) Text(packet_[i], listener);
    return Step(b, listener);
  }
  if (held_ == kTypeAt + 1) {
    if (value < 0x01 || value > 0x04) return Refuse(ImprovRefusal::kBadType, listener);
  } else if (held_ == kLengthAt + 1) {
    if (IsRpcType(type) ? length < 2 : length != 1) {
      return Refuse(ImprovRefusal::kBadLength, listener);
    }
  } else if (held_ == kRpcLengthAt + 1 && IsRpcType(type) && value != length - 2) {
    return Refuse(ImprovRefusal::kBadLength, listener);
  }
  if (held_ < kImprovHeaderSize + length + 1) return;
  const ByteSpan packet(packet_.data(), held_ - 1);
  if (ImprovChecksum(packet) != value) return Refuse(ImprovRefusal::kBadChecksum, listener);
  ++stats_.packets;
  held_ = 0;
  mode_ = Mode::kAfterPacket;
  listener.OnImprovPacket(
      {static_cast<ImprovType>(type), packet.subspan(kImprovHeaderSize, length)});
}

void ImprovStreamParser::Refuse(ImprovRefusal why, ImprovStreamListener& listener) {
  switch (why) {
    case ImprovRefusal::kBadVersion: ++stats_.bad_version; break;
    case ImprovRefusal::kBadType: ++stats_.bad_type; break;
    case ImprovRefusal::kBadLength: ++stats_.bad_length; break;
    case ImprovRefusal::kBadChecksum: ++stats_.bad_checksum; break;
    case ImprovRefusal::kTimedOut: ++stats_.timed_out; break;
  }
  stats_.dropped_bytes += kMagicSize;
  // Search the bytes after the magic again, ahead of what still waits to be searched. They
  // all came from the replay if one is under way (a refusal empties packet_ first), so
  // they fit.
  const size_t again = held_ - kMagicSize;
  const size_t rest = replay_size_ - replay_at_;
  std::memmove(replay_.data() + again, replay_.data() + replay_at_, rest);
  std::memcpy(replay_.data(), packet_.data() + kMagicSize, again);
  replay_size_ = again + rest;
  replay_at_ = 0;
  held_ = 0;
  discarded_ = 0;
  mode_ = Mode::kDiscard;
  listener.OnImprovRefused(why);
}

void ImprovStreamParser::Text(std::byte b, ImprovStreamListener& listener) {
  text_[text_size_++] = b;
  if (text_size_ == text_.size()) FlushText(listener);
}

void ImprovStreamParser::FlushText(ImprovStreamListener& listener) {
  if (text_size_ == 0) return;
  const size_t size = text_size_;
  text_size_ = 0;
  listener.OnImprovText(ByteSpan(text_.data(), size));
}

// --- builders -----------------------------------------------------------------------------

Status BuildImprovPacket(ImprovType type, ByteSpan data, ByteBuilder& out) {
  if (data.size() > kImprovMaxData) return Status::InvalidArgument();
  const size_t start = out.size();
  out.Append(AsBytes(kImprovMagic.data(), kImprovMagic.size()))
      .PutU8(kImprovVersion)
      .PutU8(static_cast<uint8_t>(type))
      .PutU8(static_cast<uint8_t>(data.size()))
      .Append(data);
  if (!out.ok()) return out.status();
  out.PutU8(ImprovChecksum(out.bytes().subspan(start))).PutU8('\n');
  return out.status();
}

Status BuildImprovState(ImprovState state, ByteBuilder& out) {
  const std::byte data[] = {static_cast<std::byte>(state)};
  return BuildImprovPacket(ImprovType::kCurrentState, data, out);
}

Status BuildImprovError(ImprovError error, ByteBuilder& out) {
  const std::byte data[] = {static_cast<std::byte>(error)};
  return BuildImprovPacket(ImprovType::kErrorState, data, out);
}

Status BuildImprovCommand(ImprovCommand command, ByteSpan data, ByteBuilder& out) {
  if (data.size() > kImprovMaxRpcData) return Status::InvalidArgument();
  std::array<std::byte, kImprovMaxData> rpc{};
  rpc[0] = static_cast<std::byte>(command);
  rpc[1] = static_cast<std::byte>(data.size());
  if (!data.empty()) std::memcpy(rpc.data() + 2, data.data(), data.size());
  return BuildImprovPacket(ImprovType::kRpcCommand, ByteSpan(rpc.data(), data.size() + 2), out);
}

Status BuildImprovWifiSettings(ByteSpan ssid, ByteSpan password, ByteBuilder& out) {
  if (ssid.size() > port::Ssid::kMaxSize || password.size() > kImprovMaxRpcData - 34) {
    return Status::InvalidArgument();
  }
  FrameBuffer<kImprovMaxRpcData> data;
  data.PutU8(static_cast<uint8_t>(ssid.size()))
      .Append(ssid)
      .PutU8(static_cast<uint8_t>(password.size()))
      .Append(password);
  return BuildImprovCommand(ImprovCommand::kWifiSettings, data.bytes(), out);
}

ImprovResultBuilder::ImprovResultBuilder(ByteBuilder& out, ImprovCommand command)
    : out_(out), start_(out.size()) {
  out_.Append(AsBytes(kImprovMagic.data(), kImprovMagic.size()))
      .PutU8(kImprovVersion)
      .PutU8(static_cast<uint8_t>(ImprovType::kRpcResult))
      .PutU8(0)  // the lengths are written by Finish
      .PutU8(static_cast<uint8_t>(command))
      .PutU8(0);
}

ImprovResultBuilder& ImprovResultBuilder::Add(ByteSpan text) {
  if (text.size() > kImprovMaxRpcData) status_ = Status::InvalidArgument();
  if (status_.ok()) out_.PutU8(static_cast<uint8_t>(text.size())).Append(text);
  return *this;
}

Status ImprovResultBuilder::Finish() {
  if (status_.ok() && !out_.ok()) status_ = out_.status();
  // With `out_` fine, it holds at least the header and the RPC's two bytes.
  const size_t data_size = status_.ok() ? out_.size() - start_ - kImprovHeaderSize : 0;
  if (data_size > kImprovMaxData) status_ = Status::InvalidArgument();
  if (!status_.ok()) {
    out_.Truncate(start_);
    return status_;
  }
  MutableByteSpan packet = out_.writable_bytes().subspan(start_);
  store_u8(packet, kLengthAt, static_cast<uint8_t>(data_size));
  store_u8(packet, kRpcLengthAt, static_cast<uint8_t>(data_size - 2));
  out_.PutU8(ImprovChecksum(packet)).PutU8('\n');
  if (!out_.ok()) out_.Truncate(start_);
  return out_.status();
}

// --- parsers ------------------------------------------------------------------------------

Result<ImprovRpc> ParseImprovRpc(ByteSpan packet_data) {
  if (packet_data.size() < 2) return Status::OutOfRange();
  if (load_u8(packet_data, 1) != packet_data.size() - 2) return Status::DataLoss();
  return ImprovRpc{load_u8(packet_data, 0), packet_data.subspan(2)};
}

Result<ImprovWifiSettings> ParseImprovWifiSettings(ByteSpan rpc_data) {
  if (rpc_data.empty()) return Status::DataLoss();
  const size_t ssid_size = load_u8(rpc_data, 0);
  if (!InBounds(rpc_data.size(), 1, ssid_size + 1)) return Status::DataLoss();
  const size_t password_size = load_u8(rpc_data, 1 + ssid_size);
  if (rpc_data.size() != 2 + ssid_size + password_size) return Status::DataLoss();
  ImprovWifiSettings settings;
  if (ssid_size == 0 || !settings.ssid.Assign(rpc_data.subspan(1, ssid_size))) {
    return Status::InvalidArgument();
  }
  settings.password = rpc_data.subspan(2 + ssid_size, password_size);
  return settings;
}

bool ImprovStrings::Next() {
  if (rest_.empty() || !ok_) return false;
  const size_t size = load_u8(rest_, 0);
  if (!InBounds(rest_.size(), 1, size)) {
    ok_ = false;
    return false;
  }
  current_ = rest_.subspan(1, size);
  rest_ = rest_.subspan(1 + size);
  return true;
}

}  // namespace airlab::wifi
