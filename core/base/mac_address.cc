#include "core/base/mac_address.h"

#include "core/base/ascii.h"

namespace airlab {

MacAddress MacAddress::FromBytes(ByteSpan bytes) {
  std::array<uint8_t, kSize> o{};
  for (size_t i = 0; i < kSize; ++i) o[i] = load_u8(bytes, i);
  return MacAddress(o);
}

Result<MacAddress> MacAddress::Parse(const char* text, size_t length) {
  const bool separated = length == kStringSize;
  if (!separated && length != 2 * kSize) return Status::InvalidArgument();
  std::array<uint8_t, kSize> o{};
  size_t pos = 0;
  for (size_t i = 0; i < kSize; ++i) {
    if (separated && i > 0) {
      char sep = text[pos++];
      if (sep != ':' && sep != '-') return Status::InvalidArgument();
    }
    int hi = HexDigitValue(text[pos]);
    int lo = HexDigitValue(text[pos + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument();
    o[i] = static_cast<uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  return MacAddress(o);
}

void MacAddress::Format(std::span<char, kStringSize + 1> out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < kSize; ++i) {
    out[i * 3] = kHex[octets_[i] >> 4];
    out[i * 3 + 1] = kHex[octets_[i] & 0xf];
    if (i + 1 < kSize) out[i * 3 + 2] = ':';
  }
  out[kStringSize] = '\0';
}

}  // namespace airlab
