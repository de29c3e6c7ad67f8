#include "platform/mbedtls/mbedtls_sha1.h"

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>

namespace airlab::mbedtls {
namespace {

const unsigned char* U8(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* U8(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

// An HMAC-SHA1 context for one call; mbedtls_md_free wipes the key it holds.
class HmacContext {
 public:
  HmacContext() { mbedtls_md_init(&ctx_); }
  ~HmacContext() { mbedtls_md_free(&ctx_); }
  HmacContext(const HmacContext&) = delete;
  HmacContext& operator=(const HmacContext&) = delete;
  // 0 on success, as mbedTLS reports.
  int Setup() {
    return mbedtls_md_setup(&ctx_, mbedtls_md_info_from_type(MBEDTLS_MD_SHA1), /*hmac=*/1);
  }
  mbedtls_md_context_t* get() { return &ctx_; }

 private:
  mbedtls_md_context_t ctx_;
};

}  // namespace

Status MbedtlsSha1::DoHmacSha1(ByteSpan key, std::span<const ByteSpan> parts,
                               std::span<std::byte, port::kSha1DigestSize> out) {
  HmacContext ctx;
  int rc = ctx.Setup();
  if (rc == 0) rc = mbedtls_md_hmac_starts(ctx.get(), U8(key.data()), key.size());
  for (ByteSpan part : parts) {
    if (rc == 0) rc = mbedtls_md_hmac_update(ctx.get(), U8(part.data()), part.size());
  }
  if (rc == 0) rc = mbedtls_md_hmac_finish(ctx.get(), U8(out.data()));
  return rc == 0 ? Status::Ok() : Status::Internal();
}

Status MbedtlsSha1::DoPbkdf2HmacSha1(ByteSpan password, ByteSpan salt, uint32_t iterations,
                                     MutableByteSpan out) {
  HmacContext ctx;
  int rc = ctx.Setup();
  if (rc == 0) {
    rc = mbedtls_pkcs5_pbkdf2_hmac(ctx.get(), U8(password.data()), password.size(), U8(salt.data()),
                                   salt.size(), iterations, static_cast<uint32_t>(out.size()),
                                   U8(out.data()));
  }
  return rc == 0 ? Status::Ok() : Status::Internal();
}

}  // namespace airlab::mbedtls
