#include "platform/mbedtls/mbedtls_aes128.h"

#include <mbedtls/aes.h>

namespace airlab::mbedtls {
namespace {

const unsigned char* U8(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* U8(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

constexpr unsigned kKeyBits = port::kAes128KeySize * 8;

}  // namespace

MbedtlsAes128::MbedtlsAes128() { mbedtls_ccm_init(&ccm_); }
MbedtlsAes128::~MbedtlsAes128() { mbedtls_ccm_free(&ccm_); }  // also wipes the schedule

namespace {

// One block with a fresh key schedule: ECB is used for key derivation and key wrap, a few
// blocks per join, so nothing is cached (the context is wiped by mbedtls_aes_free).
Status EcbBlock(const port::Aes128Key& key, int mode,
                std::span<const std::byte, port::kAesBlockSize> in,
                std::span<std::byte, port::kAesBlockSize> out) {
  mbedtls_aes_context aes;
  mbedtls_aes_init(&aes);
  int rc = mode == MBEDTLS_AES_ENCRYPT ? mbedtls_aes_setkey_enc(&aes, U8(key.data()), kKeyBits)
                                       : mbedtls_aes_setkey_dec(&aes, U8(key.data()), kKeyBits);
  if (rc == 0) rc = mbedtls_aes_crypt_ecb(&aes, mode, U8(in.data()), U8(out.data()));
  mbedtls_aes_free(&aes);
  return rc == 0 ? Status::Ok() : Status::Internal();
}

}  // namespace

Status MbedtlsAes128::DoEcbEncryptBlock(const port::Aes128Key& key,
                                        std::span<const std::byte, port::kAesBlockSize> in,
                                        std::span<std::byte, port::kAesBlockSize> out) {
  return EcbBlock(key, MBEDTLS_AES_ENCRYPT, in, out);
}

Status MbedtlsAes128::DoEcbDecryptBlock(const port::Aes128Key& key,
                                        std::span<const std::byte, port::kAesBlockSize> in,
                                        std::span<std::byte, port::kAesBlockSize> out) {
  return EcbBlock(key, MBEDTLS_AES_DECRYPT, in, out);
}

Status MbedtlsAes128::UseCcmKey(const port::Aes128Key& key) {
  if (ccm_keyed_ && key == ccm_key_) return Status::Ok();
  ccm_keyed_ = false;
  if (mbedtls_ccm_setkey(&ccm_, MBEDTLS_CIPHER_ID_AES, U8(key.data()), kKeyBits) != 0) {
    return Status::Internal();
  }
  ccm_key_ = key;
  ccm_keyed_ = true;
  return Status::Ok();
}

Status MbedtlsAes128::DoCcmEncrypt(const port::Aes128Key& key, const port::CcmNonce& nonce,
                                   ByteSpan aad, ByteSpan plaintext, MutableByteSpan ciphertext,
                                   std::span<std::byte, port::kCcmTagSize> tag) {
  if (Status s = UseCcmKey(key); !s.ok()) return s;
  const int rc = mbedtls_ccm_encrypt_and_tag(
      &ccm_, plaintext.size(), U8(nonce.data()), nonce.size(), U8(aad.data()), aad.size(),
      U8(plaintext.data()), U8(ciphertext.data()), U8(tag.data()), tag.size());
  return rc == 0 ? Status::Ok() : Status::Internal();
}

Status MbedtlsAes128::DoCcmDecrypt(const port::Aes128Key& key, const port::CcmNonce& nonce,
                                   ByteSpan aad, ByteSpan ciphertext,
                                   std::span<const std::byte, port::kCcmTagSize> tag,
                                   MutableByteSpan plaintext) {
  if (Status s = UseCcmKey(key); !s.ok()) return s;
  // On a tag mismatch mbedTLS zeroes the output before returning, as the port promises.
  const int rc = mbedtls_ccm_auth_decrypt(&ccm_, ciphertext.size(), U8(nonce.data()), nonce.size(),
                                          U8(aad.data()), aad.size(), U8(ciphertext.data()),
                                          U8(plaintext.data()), U8(tag.data()), tag.size());
  if (rc == MBEDTLS_ERR_CCM_AUTH_FAILED) return Status::PermissionDenied();
  return rc == 0 ? Status::Ok() : Status::Internal();
}

}  // namespace airlab::mbedtls
