#include "core/wifi/credential_record.h"

#include "core/wire/dot11.h"

namespace airlab::wifi {
namespace {

constexpr std::byte kMagic[4] = {std::byte{'A'}, std::byte{'W'}, std::byte{'C'}, std::byte{'R'}};
constexpr uint8_t kVersion = 1;
constexpr size_t kHeaderSize = 12;
constexpr size_t kCrcSize = 4;

void PutField(ByteBuilder& b, ByteSpan field) {
  b.PutU8(static_cast<uint8_t>(field.size())).Append(field);
}

// Reads fields front to back; any overrun or oversize makes ok() false for good.
class FieldReader {
 public:
  explicit FieldReader(ByteSpan bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  bool done() const { return offset_ == bytes_.size(); }
  uint8_t U8() {
    if (!Have(1)) return 0;
    return load_u8(bytes_, offset_++);
  }
  uint32_t Le32() {
    if (!Have(4)) return 0;
    const uint32_t v = load_le32(bytes_, offset_);
    offset_ += 4;
    return v;
  }
  // A length-prefixed field of at most `max` bytes.
  ByteSpan Field(size_t max) {
    const size_t size = U8();
    if (size > max) ok_ = false;
    if (!Have(size)) return {};
    ByteSpan field = bytes_.subspan(offset_, size);
    offset_ += size;
    return field;
  }

 private:
  bool Have(size_t n) {
    if (ok_ && InBounds(bytes_.size(), offset_, n)) return true;
    ok_ = false;
    return false;
  }
  ByteSpan bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

}  // namespace

StatusWithSize EncodeCredentials(const port::Credentials& record, MutableByteSpan out) {
  if (!port::IsValidCredentials(record)) return StatusWithSize(Status::InvalidArgument(), 0);
  ByteBuilder b(out);
  b.Append(kMagic)
      .PutU8(kVersion)
      .PutU8(static_cast<uint8_t>(record.network_count))
      .PutU8(static_cast<uint8_t>(record.parameter_count))
      .PutU8(0)
      .PutLe32(record.join_counter);
  for (const port::StoredNetwork& n : record.stored_networks()) {
    PutField(b, n.ssid.bytes());
    PutField(b, n.passphrase.bytes());
    b.PutLe32(n.last_joined);
  }
  for (const port::StoredParameter& p : record.stored_parameters()) {
    PutField(b, p.id.bytes());
    PutField(b, p.value.bytes());
  }
  if (!b.ok()) return StatusWithSize(b.status(), 0);
  b.PutLe32(wire::Crc32(b.bytes()));
  if (!b.ok()) return StatusWithSize(b.status(), 0);
  return StatusWithSize(b.size());
}

Status DecodeCredentials(ByteSpan bytes, port::Credentials& out) {
  out = port::Credentials{};
  if (bytes.size() < kHeaderSize + kCrcSize) return Status::DataLoss();
  for (size_t i = 0; i < sizeof(kMagic); ++i) {
    if (bytes[i] != kMagic[i]) return Status::DataLoss();
  }
  const ByteSpan body = bytes.first(bytes.size() - kCrcSize);
  if (wire::Crc32(body) != load_le32(bytes, body.size())) return Status::DataLoss();
  if (load_u8(bytes, 4) != kVersion) return Status::Unimplemented();

  FieldReader r(body.subspan(5));
  const size_t network_count = r.U8();
  const size_t parameter_count = r.U8();
  const uint8_t reserved = r.U8();
  out.join_counter = r.Le32();
  if (reserved != 0 || network_count > port::Credentials::kMaxNetworks ||
      parameter_count > port::Credentials::kMaxParameters) {
    out = port::Credentials{};
    return Status::DataLoss();
  }
  out.network_count = network_count;
  out.parameter_count = parameter_count;
  for (port::StoredNetwork& n : out.stored_networks()) {
    n.ssid.Assign(r.Field(port::Ssid::kMaxSize));
    n.passphrase.Assign(r.Field(port::Passphrase::kMaxSize));
    n.last_joined = r.Le32();
  }
  for (port::StoredParameter& p : out.stored_parameters()) {
    p.id.Assign(r.Field(decltype(p.id)::kMaxSize));
    p.value.Assign(r.Field(decltype(p.value)::kMaxSize));
  }
  if (!r.ok() || !r.done() || !port::IsValidCredentials(out)) {
    out = port::Credentials{};
    return Status::DataLoss();
  }
  return Status::Ok();
}

}  // namespace airlab::wifi
