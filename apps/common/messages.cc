#include "apps/common/messages.h"

namespace airlab::apps {
namespace {

// The fixed part after the 3-byte header, per type.
size_t FixedSize(MessageType type) {
  switch (type) {
    case MessageType::kDiscover:
    case MessageType::kPing: return 4;
    case MessageType::kHello: return 5;
    case MessageType::kReading: return 8;
    case MessageType::kAck: return 9;
    case MessageType::kCommand: return 8;
    case MessageType::kRaw: break;
  }
  return 0;
}

bool KnownType(uint8_t type) {
  return type >= static_cast<uint8_t>(MessageType::kDiscover) &&
         type <= static_cast<uint8_t>(MessageType::kPing);
}

}  // namespace

Result<Message> ParseMessage(ByteSpan payload) {
  Message m;
  if (payload.size() < kHeaderSize || payload[0] != kMagic0 || payload[1] != kMagic1) {
    m.value = payload;
    return m;
  }
  const uint8_t type = load_u8(payload, 2);
  if (!KnownType(type)) return Status::DataLoss();
  m.type = static_cast<MessageType>(type);
  if (payload.size() < kHeaderSize + FixedSize(m.type)) return Status::OutOfRange();
  ByteSpan body = payload.subspan(kHeaderSize);
  switch (m.type) {
    case MessageType::kDiscover:
    case MessageType::kPing: m.session = load_le32(body, 0); break;
    case MessageType::kHello:
      m.session = load_le32(body, 0);
      m.channel = load_u8(body, 4);
      break;
    case MessageType::kReading:
      m.session = load_le32(body, 0);
      m.sequence = load_le32(body, 4);
      m.value = body.subspan(8);
      break;
    case MessageType::kAck: {
      m.session = load_le32(body, 0);
      m.sequence = load_le32(body, 4);
      const uint8_t result = load_u8(body, 8);
      if (result > static_cast<uint8_t>(AckResult::kRejected)) return Status::DataLoss();
      m.result = static_cast<AckResult>(result);
      break;
    }
    case MessageType::kCommand:
      m.command_id = load_le64(body, 0);
      m.value = body.subspan(8);
      break;
    case MessageType::kRaw: break;
  }
  return m;
}

Result<ByteSpan> WriteMessage(const Message& message, MutableByteSpan out) {
  if (message.type == MessageType::kRaw || message.value.size() > kMaxValueSize) {
    return Status::InvalidArgument();
  }
  ByteBuilder b(out);
  b.Append(ByteSpan(&kMagic0, 1)).Append(ByteSpan(&kMagic1, 1));
  b.PutU8(static_cast<uint8_t>(message.type));
  switch (message.type) {
    case MessageType::kDiscover:
    case MessageType::kPing: b.PutLe32(message.session); break;
    case MessageType::kHello: b.PutLe32(message.session).PutU8(message.channel); break;
    case MessageType::kReading:
      b.PutLe32(message.session).PutLe32(message.sequence).Append(message.value);
      break;
    case MessageType::kAck:
      b.PutLe32(message.session).PutLe32(message.sequence);
      b.PutU8(static_cast<uint8_t>(message.result));
      break;
    case MessageType::kCommand: b.PutLe64(message.command_id).Append(message.value); break;
    case MessageType::kRaw: break;
  }
  AIRLAB_TRY(b.status());
  return b.bytes();
}

}  // namespace airlab::apps
