#pragma once
// Byte-order helpers and a bounded builder. Wire formats are read with these, never by
// casting a buffer to a struct: the bytes may be unaligned and the host may be either endian.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "core/base/status.h"

namespace airlab {

using ByteSpan = std::span<const std::byte>;
using MutableByteSpan = std::span<std::byte>;

inline ByteSpan AsBytes(const void* data, size_t size) {
  return {static_cast<const std::byte*>(data), size};
}
inline MutableByteSpan AsWritableBytes(void* data, size_t size) {
  return {static_cast<std::byte*>(data), size};
}

// Unchecked loads: the caller has checked that [offset, offset + N) is inside `b`.
constexpr uint8_t load_u8(ByteSpan b, size_t o) { return static_cast<uint8_t>(b[o]); }
constexpr uint16_t load_le16(ByteSpan b, size_t o) {
  return static_cast<uint16_t>(load_u8(b, o) | (load_u8(b, o + 1) << 8));
}
constexpr uint16_t load_be16(ByteSpan b, size_t o) {
  return static_cast<uint16_t>((load_u8(b, o) << 8) | load_u8(b, o + 1));
}
constexpr uint32_t load_le32(ByteSpan b, size_t o) {
  return uint32_t{load_le16(b, o)} | (uint32_t{load_le16(b, o + 2)} << 16);
}
constexpr uint32_t load_be32(ByteSpan b, size_t o) {
  return (uint32_t{load_be16(b, o)} << 16) | uint32_t{load_be16(b, o + 2)};
}
constexpr uint64_t load_le64(ByteSpan b, size_t o) {
  return uint64_t{load_le32(b, o)} | (uint64_t{load_le32(b, o + 4)} << 32);
}
constexpr uint64_t load_be64(ByteSpan b, size_t o) {
  return (uint64_t{load_be32(b, o)} << 32) | uint64_t{load_be32(b, o + 4)};
}

constexpr void store_u8(MutableByteSpan b, size_t o, uint8_t v) { b[o] = std::byte{v}; }
constexpr void store_le16(MutableByteSpan b, size_t o, uint16_t v) {
  store_u8(b, o, static_cast<uint8_t>(v));
  store_u8(b, o + 1, static_cast<uint8_t>(v >> 8));
}
constexpr void store_be16(MutableByteSpan b, size_t o, uint16_t v) {
  store_u8(b, o, static_cast<uint8_t>(v >> 8));
  store_u8(b, o + 1, static_cast<uint8_t>(v));
}
constexpr void store_le32(MutableByteSpan b, size_t o, uint32_t v) {
  store_le16(b, o, static_cast<uint16_t>(v));
  store_le16(b, o + 2, static_cast<uint16_t>(v >> 16));
}
constexpr void store_be32(MutableByteSpan b, size_t o, uint32_t v) {
  store_be16(b, o, static_cast<uint16_t>(v >> 16));
  store_be16(b, o + 2, static_cast<uint16_t>(v));
}
constexpr void store_le64(MutableByteSpan b, size_t o, uint64_t v) {
  store_le32(b, o, static_cast<uint32_t>(v));
  store_le32(b, o + 4, static_cast<uint32_t>(v >> 32));
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes, without overflow.
constexpr bool InBounds(size_t size, size_t offset, size_t length) {
  return offset <= size && length <= size - offset;
}

// Writes into a caller's span. Never overflows: the first write that does not fit sets a
// sticky kResourceExhausted and every later write is ignored. Check status() once at the end.
class ByteBuilder {
 public:
  explicit constexpr ByteBuilder(MutableByteSpan buffer) : buffer_(buffer) {}
  ByteBuilder(const ByteBuilder&) = delete;
  ByteBuilder& operator=(const ByteBuilder&) = delete;

  constexpr size_t size() const { return size_; }
  constexpr size_t capacity() const { return buffer_.size(); }
  constexpr Status status() const { return status_; }
  constexpr bool ok() const { return status_.ok(); }
  constexpr ByteSpan bytes() const { return buffer_.first(size_); }
  constexpr MutableByteSpan writable_bytes() const { return buffer_.first(size_); }

  ByteBuilder& Append(ByteSpan data) {
    if (MutableByteSpan dst = Reserve(data.size()); !dst.empty()) {
      std::memcpy(dst.data(), data.data(), data.size());
    }
    return *this;
  }
  ByteBuilder& AppendZeros(size_t count) {
    if (MutableByteSpan dst = Reserve(count); !dst.empty()) std::memset(dst.data(), 0, count);
    return *this;
  }
  ByteBuilder& PutU8(uint8_t v) { return Put<1>(v, store_u8); }
  ByteBuilder& PutLe16(uint16_t v) { return Put<2>(v, store_le16); }
  ByteBuilder& PutBe16(uint16_t v) { return Put<2>(v, store_be16); }
  ByteBuilder& PutLe32(uint32_t v) { return Put<4>(v, store_le32); }
  ByteBuilder& PutBe32(uint32_t v) { return Put<4>(v, store_be32); }
  ByteBuilder& PutLe64(uint64_t v) { return Put<8>(v, store_le64); }
  // Pads with zeros until size() is a multiple of `alignment` counted from `origin`.
  ByteBuilder& AlignTo(size_t alignment, size_t origin = 0) {
    size_t rel = size_ - origin;
    return AppendZeros((alignment - rel % alignment) % alignment);
  }

  // Hands out the next `count` bytes to fill in place, or an empty span (and the sticky
  // error) when they do not fit.
  MutableByteSpan Reserve(size_t count) {
    if (!status_.ok()) return {};
    if (!InBounds(buffer_.size(), size_, count)) {
      status_ = Status::ResourceExhausted();
      return {};
    }
    MutableByteSpan out = buffer_.subspan(size_, count);
    size_ += count;
    return out;
  }
  // Forgets everything after `size` (to rewrite a length field's payload, say).
  void Truncate(size_t size) {
    if (size < size_) size_ = size;
  }

 private:
  template <size_t N, typename V, typename F>
  ByteBuilder& Put(V v, F store) {
    if (MutableByteSpan dst = Reserve(N); !dst.empty()) store(dst, 0, v);
    return *this;
  }

  MutableByteSpan buffer_;
  size_t size_ = 0;
  Status status_;
};

// A ByteBuilder with its storage inline, for frames built on the stack.
template <size_t N>
class FrameBuffer : public ByteBuilder {
 public:
  FrameBuffer() : ByteBuilder(storage_) {}

 private:
  std::array<std::byte, N> storage_{};
};

}  // namespace airlab
