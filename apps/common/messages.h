#pragma once
// The messages airlab's gateway and nodes exchange inside ESP-NOW payloads. ESP-NOW's own
// delivery report only says the gateway's radio heard a frame; the gateway confirms a
// reading (kAck) once it is in its durable store, so a node forgets a reading only when it
// can no longer be lost. Readings carry (session, sequence) so the gateway drops re-sends,
// and commands carry the cloud entry id that made them, so a node acts on each once.
//
//   bytes 0-1  magic 0xa1 0x1b ("airlab"), byte 2 the type, then:
//   kDiscover  node -> broadcast  session u32
//   kHello     gateway -> node    session u32 (echoed), channel u8 (the gateway's)
//   kReading   node -> gateway    session u32, sequence u32, value (the rest)
//   kAck       gateway -> node    session u32, sequence u32, result u8 (AckResult)
//   kCommand   gateway -> node    command id u64, value (the rest)
//   kPing      node -> gateway    session u32 (a keep-alive: the radio's ACK answers it)
// Integers are little endian. A payload without the magic is "raw": what a board running
// the lab's MicroPython scripts sends (e.send(peer, str(i))). The gateway takes those as
// readings too, with only ESP-NOW's delivery report behind them.

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/espnow/codec.h"

namespace airlab::apps {

enum class MessageType : uint8_t {
  kRaw = 0,  // no magic: a plain payload
  kDiscover = 1,
  kHello = 2,
  kReading = 3,
  kAck = 4,
  kCommand = 5,
  kPing = 6,
};

enum class AckResult : uint8_t {
  kStored = 0,    // in the gateway's durable queue
  kRejected = 1,  // never will be: not a value the cloud takes, or no field for the node
};

inline constexpr std::byte kMagic0{0xa1};
inline constexpr std::byte kMagic1{0x1b};
inline constexpr size_t kHeaderSize = 3;
inline constexpr size_t kReadingHeaderSize = kHeaderSize + 8;
inline constexpr size_t kCommandHeaderSize = kHeaderSize + 8;
// A value fits one v1 frame (every ESP-NOW receiver takes those) with its header.
inline constexpr size_t kMaxValueSize = espnow::kMaxPayloadV1 - kReadingHeaderSize;
// The largest message: a reading or command with a kMaxValueSize value.
inline constexpr size_t kMaxMessageSize = espnow::kMaxPayloadV1;

// One decoded message; `value` points into the payload it was parsed from.
struct Message {
  MessageType type = MessageType::kRaw;
  uint32_t session = 0;                   // kDiscover, kHello, kReading, kAck, kPing
  uint32_t sequence = 0;                  // kReading, kAck
  uint64_t command_id = 0;                // kCommand
  uint8_t channel = 0;                    // kHello
  AckResult result = AckResult::kStored;  // kAck
  ByteSpan value;                         // kReading, kCommand; kRaw: the whole payload
};

// Reads a payload. Without the magic it is kRaw (never an error). kOutOfRange: the magic
// and a known type, but shorter than that type's fixed part. kDataLoss: the magic and an
// unknown type or a bad AckResult.
Result<Message> ParseMessage(ByteSpan payload);

// Writes `message` into `out` (kMaxMessageSize holds any) and returns the bytes written.
// kInvalidArgument: kRaw, or a value over kMaxValueSize. kResourceExhausted: `out` is too
// small.
Result<ByteSpan> WriteMessage(const Message& message, MutableByteSpan out);

}  // namespace airlab::apps
