#pragma once
// Sha1 port: the HMAC-SHA1 and PBKDF2-HMAC-SHA1 that WPA2-PSK needs (the PMK from the
// passphrase, the PTK's PRF, the EAPOL-Key MIC), behind a small interface like Aes128's:
// nothing cryptographic is written in core. The host and the sim use mbedTLS
// (platform/mbedtls/mbedtls_sha1.h); the ESP-IDF port the mbedTLS that ships with ESP-IDF.

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::port {

inline constexpr size_t kSha1DigestSize = 20;

// One implementation object is not safe to share between threads: give each thread (the
// Wi-Fi task, the sim's event loop) its own.
class Sha1 {
 public:
  virtual ~Sha1() = default;

  // out = HMAC-SHA1(key, parts[0] || parts[1] || ...): the parts are hashed in order as one
  // message, so callers need not copy a label, data and a counter together.
  // kInternal if the backend fails.
  Status HmacSha1(ByteSpan key, std::span<const ByteSpan> parts,
                  std::span<std::byte, kSha1DigestSize> out) {
    return DoHmacSha1(key, parts, out);
  }

  // out = PBKDF2-HMAC-SHA1(password, salt, iterations, out.size() bytes) (RFC 2898 5.2).
  // kInvalidArgument when `iterations` is 0 or `out` is empty; kInternal if the backend
  // fails.
  Status Pbkdf2HmacSha1(ByteSpan password, ByteSpan salt, uint32_t iterations,
                        MutableByteSpan out) {
    if (iterations == 0 || out.empty()) return Status::InvalidArgument();
    return DoPbkdf2HmacSha1(password, salt, iterations, out);
  }

 protected:
  // Called with arguments already checked.
  virtual Status DoHmacSha1(ByteSpan key, std::span<const ByteSpan> parts,
                            std::span<std::byte, kSha1DigestSize> out) = 0;
  virtual Status DoPbkdf2HmacSha1(ByteSpan password, ByteSpan salt, uint32_t iterations,
                                  MutableByteSpan out) = 0;
};

}  // namespace airlab::port
