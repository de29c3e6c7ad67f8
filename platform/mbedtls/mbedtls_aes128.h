#pragma once
// port::Aes128 over mbedTLS (AES block cipher and CCM).

#include <mbedtls/ccm.h>

#include "core/port/cipher.h"

namespace airlab::mbedtls {

class MbedtlsAes128 final : public port::Aes128 {
 public:
  MbedtlsAes128();
  ~MbedtlsAes128() override;
  MbedtlsAes128(const MbedtlsAes128&) = delete;
  MbedtlsAes128& operator=(const MbedtlsAes128&) = delete;

 private:
  Status DoEcbEncryptBlock(const port::Aes128Key& key,
                           std::span<const std::byte, port::kAesBlockSize> in,
                           std::span<std::byte, port::kAesBlockSize> out) override;
  Status DoEcbDecryptBlock(const port::Aes128Key& key,
                           std::span<const std::byte, port::kAesBlockSize> in,
                           std::span<std::byte, port::kAesBlockSize> out) override;
  Status DoCcmEncrypt(const port::Aes128Key& key, const port::CcmNonce& nonce, ByteSpan aad,
                      ByteSpan plaintext, MutableByteSpan ciphertext,
                      std::span<std::byte, port::kCcmTagSize> tag) override;
  Status DoCcmDecrypt(const port::Aes128Key& key, const port::CcmNonce& nonce, ByteSpan aad,
                      ByteSpan ciphertext, std::span<const std::byte, port::kCcmTagSize> tag,
                      MutableByteSpan plaintext) override;

  // Expanding the AES key costs about as much as a short frame's CCM: a receiver mostly
  // sees runs of frames from one peer, so the schedule of the last key is kept.
  Status UseCcmKey(const port::Aes128Key& key);

  mbedtls_ccm_context ccm_;
  port::Aes128Key ccm_key_{};
  bool ccm_keyed_ = false;
};

}  // namespace airlab::mbedtls
