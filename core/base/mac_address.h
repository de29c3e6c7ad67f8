#pragma once
// MacAddress: six bytes with value semantics, formatted as "aa:bb:cc:dd:ee:ff".

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab {

class MacAddress {
 public:
  static constexpr size_t kSize = 6;
  static constexpr size_t kStringSize = 17;  // without the terminating NUL

  constexpr MacAddress() = default;
  constexpr explicit MacAddress(const std::array<uint8_t, kSize>& octets) : octets_(octets) {}
  // Reads six bytes; the caller has checked the span holds them.
  static MacAddress FromBytes(ByteSpan bytes);
  // Accepts "aa:bb:cc:dd:ee:ff", "aa-bb-...", or 12 hex digits; kInvalidArgument otherwise.
  static Result<MacAddress> Parse(const char* text, size_t length);

  static constexpr MacAddress Broadcast() {
    return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  }

  constexpr const std::array<uint8_t, kSize>& octets() const { return octets_; }
  constexpr uint8_t operator[](size_t i) const { return octets_[i]; }
  ByteSpan bytes() const { return AsBytes(octets_.data(), kSize); }
  constexpr bool is_broadcast() const { return *this == Broadcast(); }
  constexpr bool is_multicast() const { return (octets_[0] & 0x01) != 0; }

  // Writes 17 characters and a NUL into `out`.
  void Format(std::span<char, kStringSize + 1> out) const;

  // As two loads and compares, not a call to memcmp: the sim and the ESP-NOW stack compare
  // addresses on every frame.
  friend constexpr bool operator==(const MacAddress& a, const MacAddress& b) {
    if (std::is_constant_evaluated()) return a.octets_ == b.octets_;
    uint32_t a4, b4;
    uint16_t a2, b2;
    std::memcpy(&a4, a.octets_.data(), 4);
    std::memcpy(&b4, b.octets_.data(), 4);
    std::memcpy(&a2, a.octets_.data() + 4, 2);
    std::memcpy(&b2, b.octets_.data() + 4, 2);
    return ((a4 ^ b4) | static_cast<uint32_t>(a2 ^ b2)) == 0;
  }
  friend constexpr auto operator<=>(const MacAddress&, const MacAddress&) = default;

 private:
  std::array<uint8_t, kSize> octets_{};
};

}  // namespace airlab
