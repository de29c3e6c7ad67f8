#pragma once
// Aes128 port: the block cipher and the AES-CCM mode that CCMP needs, behind a small
// interface. Nothing cryptographic is written in core: the host and the sim use mbedTLS
// (platform/mbedtls), the ESP-IDF port uses the mbedTLS that ships with ESP-IDF (with the
// chip's AES engine underneath). core/espnow/ccmp.* builds the 802.11 framing on top.

#include <array>
#include <cstddef>
#include <span>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::port {

inline constexpr size_t kAes128KeySize = 16;
inline constexpr size_t kAesBlockSize = 16;
// CCMP's CCM parameters (IEEE 802.11-2016 12.5.3.1): a 13-byte nonce, so L = 2 length
// bytes, and an 8-byte MIC (M = 8). The port offers exactly these sizes.
inline constexpr size_t kCcmNonceSize = 13;
inline constexpr size_t kCcmTagSize = 8;
// With L = 2 the message length must fit in 16 bits (RFC 3610 2.1).
inline constexpr size_t kCcmMaxMessageSize = 0xffff;
// CCM encodes an AAD length below 2^16 - 2^8 in two bytes; longer AAD is never needed here.
inline constexpr size_t kCcmMaxAadSize = 0xfeff;

using Aes128Key = std::array<std::byte, kAes128KeySize>;
using AesBlock = std::array<std::byte, kAesBlockSize>;
using CcmNonce = std::array<std::byte, kCcmNonceSize>;
using CcmTag = std::array<std::byte, kCcmTagSize>;

// One implementation object may keep key schedules between calls, so it is not safe to
// share between threads: give each thread (the Wi-Fi task, the sim's event loop) its own.
class Aes128 {
 public:
  virtual ~Aes128() = default;

  // out = AES-128(key, in), one block (ECB). kInternal if the backend fails.
  Status EcbEncryptBlock(const Aes128Key& key, std::span<const std::byte, kAesBlockSize> in,
                         std::span<std::byte, kAesBlockSize> out) {
    return DoEcbEncryptBlock(key, in, out);
  }

  // out = AES-128^-1(key, in), one block (ECB): the inverse of EcbEncryptBlock, which AES
  // key unwrap (RFC 3394, the GTK in EAPOL-Key message 3) needs. kInternal if the backend
  // fails.
  Status EcbDecryptBlock(const Aes128Key& key, std::span<const std::byte, kAesBlockSize> in,
                         std::span<std::byte, kAesBlockSize> out) {
    return DoEcbDecryptBlock(key, in, out);
  }

  // AES-CCM (RFC 3610) with a 13-byte nonce and an 8-byte tag: encrypts `plaintext` into
  // `ciphertext` (same size; the spans must not overlap) and authenticates it together with
  // `aad`. kInvalidArgument if the sizes differ or exceed kCcmMaxMessageSize /
  // kCcmMaxAadSize; kInternal if the backend fails.
  Status CcmEncrypt(const Aes128Key& key, const CcmNonce& nonce, ByteSpan aad, ByteSpan plaintext,
                    MutableByteSpan ciphertext, std::span<std::byte, kCcmTagSize> tag) {
    if (!SizesOk(aad, plaintext, ciphertext)) return Status::InvalidArgument();
    return DoCcmEncrypt(key, nonce, aad, plaintext, ciphertext, tag);
  }

  // The reverse of CcmEncrypt. kPermissionDenied when the tag does not match (wrong key,
  // altered bytes): then `plaintext` is left zeroed, never half-decrypted. kInvalidArgument
  // and kInternal as for CcmEncrypt.
  Status CcmDecrypt(const Aes128Key& key, const CcmNonce& nonce, ByteSpan aad, ByteSpan ciphertext,
                    std::span<const std::byte, kCcmTagSize> tag, MutableByteSpan plaintext) {
    if (!SizesOk(aad, ciphertext, plaintext)) return Status::InvalidArgument();
    return DoCcmDecrypt(key, nonce, aad, ciphertext, tag, plaintext);
  }

 protected:
  // Called with arguments already checked. Do-methods must zero `plaintext` on a tag
  // mismatch.
  virtual Status DoEcbEncryptBlock(const Aes128Key& key,
                                   std::span<const std::byte, kAesBlockSize> in,
                                   std::span<std::byte, kAesBlockSize> out) = 0;
  virtual Status DoEcbDecryptBlock(const Aes128Key& key,
                                   std::span<const std::byte, kAesBlockSize> in,
                                   std::span<std::byte, kAesBlockSize> out) = 0;
  virtual Status DoCcmEncrypt(const Aes128Key& key, const CcmNonce& nonce, ByteSpan aad,
                              ByteSpan plaintext, MutableByteSpan ciphertext,
                              std::span<std::byte, kCcmTagSize> tag) = 0;
  virtual Status DoCcmDecrypt(const Aes128Key& key, const CcmNonce& nonce, ByteSpan aad,
                              ByteSpan ciphertext, std::span<const std::byte, kCcmTagSize> tag,
                              MutableByteSpan plaintext) = 0;

 private:
  static constexpr bool SizesOk(ByteSpan aad, ByteSpan in, ByteSpan out) {
    return in.size() == out.size() && in.size() <= kCcmMaxMessageSize &&
           aad.size() <= kCcmMaxAadSize;
  }
};

}  // namespace airlab::port
