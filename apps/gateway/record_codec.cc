#include "apps/gateway/record_codec.h"

#include <array>

#include "core/base/status.h"
#include "core/cloud/entry.h"

namespace airlab::apps {
namespace {

constexpr uint8_t kRecordVersion = 1;

}  // namespace

Result<RecordView> ParseRecord(ByteSpan data) {
  if (data.size() < kRecordHeaderSize || load_u8(data, 0) != kRecordVersion) {
    return Status::DataLoss();
  }
  RecordView r;
  r.field = load_u8(data, 1);
  r.node = MacAddress::FromBytes(data.subspan(2, MacAddress::kSize));
  r.time_ms = static_cast<int64_t>(load_le64(data, 8));
  r.value = data.subspan(kRecordHeaderSize);
  return r;
}

Result<ByteSpan> WriteRecord(MutableByteSpan out, int field, const MacAddress& node,
                             int64_t time_ms, ByteSpan value) {
  ByteBuilder b(out);
  b.PutU8(kRecordVersion).PutU8(static_cast<uint8_t>(field)).Append(node.bytes());
  b.PutLe64(static_cast<uint64_t>(time_ms)).Append(value);
  AIRLAB_TRY(b.status());
  return b.bytes();
}

std::string_view AsText(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool UsableValue(int field, ByteSpan value) {
  cloud::Entry probe;  // Entry checks the field number, UTF-8 and the length
  return !value.empty() && probe.SetField(field, AsText(value)).ok();
}

size_t Utf8Prefix(ByteSpan value, size_t limit) {
  if (value.size() <= limit) return value.size();
  size_t n = limit;
  while (n > 0 && (load_u8(value, n) & 0xc0) == 0x80) --n;
  return n;
}

uint64_t MacKey(const MacAddress& mac) {
  uint64_t key = 0;
  for (size_t i = 0; i < MacAddress::kSize; ++i) key = key << 8 | mac[i];
  return key;
}

MacAddress MacFromKey(uint64_t key) {
  std::array<uint8_t, MacAddress::kSize> octets{};
  for (size_t i = MacAddress::kSize; i-- > 0;) {
    octets[i] = static_cast<uint8_t>(key);
    key >>= 8;
  }
  return MacAddress(octets);
}

}  // namespace airlab::apps
