#pragma once
// port::Sha1 over mbedTLS (its message-digest layer with SHA-1, and PKCS#5's PBKDF2).

#include "core/port/sha1.h"

namespace airlab::mbedtls {

class MbedtlsSha1 final : public port::Sha1 {
 public:
  MbedtlsSha1() = default;
  MbedtlsSha1(const MbedtlsSha1&) = delete;
  MbedtlsSha1& operator=(const MbedtlsSha1&) = delete;

 private:
  Status DoHmacSha1(ByteSpan key, std::span<const ByteSpan> parts,
                    std::span<std::byte, port::kSha1DigestSize> out) override;
  Status DoPbkdf2HmacSha1(ByteSpan password, ByteSpan salt, uint32_t iterations,
                          MutableByteSpan out) override;
};

}  // namespace airlab::mbedtls
