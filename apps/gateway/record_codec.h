#pragma once
// What the gateway keeps in its durable queue, and how: readings as records, and marks
// (the queue's small key/value table) for what must survive a restart with them.
//
// A record: [version 1][field][node MAC x6][wall time ms, i64 LE][value]. Record 1 is
// the only version; a record of another version, or shorter than the header, is
// kDataLoss (the uplink drops it rather than post garbage).
//
// Mark keys: a namespace in the top byte, a node's MAC in the low 48 bits:
//   NodeMarkKey(mac)       field | newest command delivered << 8
//   SequenceMarkKey(mac)   session << 32 | sequence, of the newest reading committed
//   kIncarnationMark       the queue's incarnation (named in every status tag)
//   FieldsMarkKey(channel) bit n: the channel has field n, as the last read-back found

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/espnow/link.h"

namespace airlab::apps {

inline constexpr size_t kRecordHeaderSize = 16;
inline constexpr size_t kMaxRecordSize = kRecordHeaderSize + espnow::kMaxPayloadV2;

struct RecordView {
  int field = 0;
  MacAddress node;
  int64_t time_ms = 0;
  ByteSpan value;  // inside the parsed bytes
};

// kDataLoss: not a record of this version.
Result<RecordView> ParseRecord(ByteSpan data);
// The record's bytes at the start of `out`; kResourceExhausted when they do not fit.
Result<ByteSpan> WriteRecord(MutableByteSpan out, int field, const MacAddress& node,
                             int64_t time_ms, ByteSpan value);

// A value the cloud stores in `field`: non-empty UTF-8 of at most 255 characters.
bool UsableValue(int field, ByteSpan value);
// The longest prefix of `value` of at most `limit` bytes that ends on a UTF-8 character.
size_t Utf8Prefix(ByteSpan value, size_t limit);
std::string_view AsText(ByteSpan bytes);

inline constexpr uint64_t kMacBits = (uint64_t{1} << 48) - 1;
inline constexpr uint64_t kNodeMarks = uint64_t{1} << 56;
inline constexpr uint64_t kSequenceMarks = uint64_t{2} << 56;
inline constexpr uint64_t kIncarnationMark = uint64_t{3} << 56;
inline constexpr uint64_t kFieldsMarks = uint64_t{4} << 56;

uint64_t MacKey(const MacAddress& mac);
MacAddress MacFromKey(uint64_t key);  // the low 48 bits
inline uint64_t NodeMarkKey(const MacAddress& mac) { return kNodeMarks | MacKey(mac); }
inline uint64_t SequenceMarkKey(const MacAddress& mac) { return kSequenceMarks | MacKey(mac); }
inline uint64_t FieldsMarkKey(uint32_t channel_id) { return kFieldsMarks | channel_id; }

}  // namespace airlab::apps
