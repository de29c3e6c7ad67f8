#include "core/wifi/keys.h"

#include <algorithm>
#include <cstring>

#include "core/base/ascii.h"

namespace airlab::wifi {
namespace {

constexpr size_t kSemiblock = 8;
constexpr uint8_t kKeyWrapIv = 0xa6;  // RFC 3394 2.2.3.1: A6A6A6A6A6A6A6A6
constexpr size_t kRounds = 6;
constexpr char kPairwiseLabel[] = "Pairwise key expansion";

int HexValue(std::byte b) { return HexDigitValue(static_cast<char>(b)); }

bool LessThan(ByteSpan a, ByteSpan b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// The 64-bit counter t of RFC 3394's step, XORed into A big-endian.
void XorCounter(std::span<std::byte, kSemiblock> a, uint64_t t) {
  for (size_t i = 0; i < kSemiblock; ++i) {
    a[kSemiblock - 1 - i] ^= static_cast<std::byte>(t >> (8 * i));
  }
}

}  // namespace

Result<Pmk> DerivePmk(port::Sha1& sha1, ByteSpan passphrase, const port::Ssid& ssid) {
  if (passphrase.empty() || !port::IsValidPassphrase(passphrase)) {
    return Status::InvalidArgument();
  }
  Pmk pmk{};
  if (passphrase.size() == 2 * kPmkSize) {
    for (size_t i = 0; i < kPmkSize; ++i) {
      pmk[i] = static_cast<std::byte>(HexValue(passphrase[2 * i]) * 16 +
                                      HexValue(passphrase[2 * i + 1]));
    }
    return pmk;
  }
  AIRLAB_TRY(sha1.Pbkdf2HmacSha1(passphrase, ssid.bytes(), kPmkIterations, pmk));
  return pmk;
}

Status Prf(port::Sha1& sha1, ByteSpan key, ByteSpan label, ByteSpan data, MutableByteSpan out) {
  const size_t blocks = (out.size() + port::kSha1DigestSize - 1) / port::kSha1DigestSize;
  if (blocks == 0 || blocks > 255) return Status::InvalidArgument();
  const std::byte zero{0};
  for (size_t i = 0; i < blocks; ++i) {
    const std::byte counter{static_cast<uint8_t>(i)};
    const ByteSpan parts[] = {label, ByteSpan(&zero, 1), data, ByteSpan(&counter, 1)};
    std::array<std::byte, port::kSha1DigestSize> digest;
    AIRLAB_TRY(sha1.HmacSha1(key, parts, digest));
    const size_t offset = i * port::kSha1DigestSize;
    const size_t n = std::min(port::kSha1DigestSize, out.size() - offset);
    std::memcpy(out.data() + offset, digest.data(), n);
  }
  return Status::Ok();
}

Result<Ptk> DerivePtk(port::Sha1& sha1, const Pmk& pmk, const MacAddress& aa, const MacAddress& spa,
                      const Nonce& anonce, const Nonce& snonce) {
  const bool aa_first = aa < spa;
  const bool anonce_first = LessThan(anonce, snonce);
  FrameBuffer<2 * MacAddress::kSize + 2 * kNonceSize> data;
  data.Append((aa_first ? aa : spa).bytes()).Append((aa_first ? spa : aa).bytes());
  data.Append(anonce_first ? anonce : snonce).Append(anonce_first ? snonce : anonce);
  std::array<std::byte, kPtkSize> ptk_bytes;
  AIRLAB_TRY(
      Prf(sha1, pmk, AsBytes(kPairwiseLabel, sizeof kPairwiseLabel - 1), data.bytes(), ptk_bytes));
  Ptk ptk;
  std::memcpy(ptk.kck.data(), ptk_bytes.data(), kKckSize);
  std::memcpy(ptk.kek.data(), ptk_bytes.data() + kKckSize, kKekSize);
  std::memcpy(ptk.tk.data(), ptk_bytes.data() + kKckSize + kKekSize, kTkSize);
  return ptk;
}

Result<Mic> EapolMic(port::Sha1& sha1, const Kck& kck, ByteSpan eapol_frame) {
  if (eapol_frame.size() < kEapolMicOffset + kMicSize) return Status::OutOfRange();
  const Mic zeros{};
  const ByteSpan parts[] = {eapol_frame.first(kEapolMicOffset), zeros,
                            eapol_frame.subspan(kEapolMicOffset + kMicSize)};
  std::array<std::byte, port::kSha1DigestSize> digest;
  AIRLAB_TRY(sha1.HmacSha1(kck, parts, digest));
  Mic mic;
  std::memcpy(mic.data(), digest.data(), kMicSize);
  return mic;
}

Status AesKeyWrap(port::Aes128& aes, const port::Aes128Key& kek, ByteSpan plaintext,
                  ByteBuilder& out) {
  if (plaintext.size() % kSemiblock != 0 || plaintext.size() < 2 * kSemiblock) {
    return Status::InvalidArgument();
  }
  const size_t start = out.size();
  MutableByteSpan c = out.Reserve(plaintext.size() + kSemiblock);
  if (c.empty()) return out.status();
  // C holds A in its first semiblock and R[1..n] after it, updated in place.
  std::memset(c.data(), kKeyWrapIv, kSemiblock);
  std::memcpy(c.data() + kSemiblock, plaintext.data(), plaintext.size());
  const size_t n = plaintext.size() / kSemiblock;
  port::AesBlock block;
  for (size_t j = 0; j < kRounds; ++j) {
    for (size_t i = 1; i <= n; ++i) {
      std::byte* r = c.data() + i * kSemiblock;
      std::memcpy(block.data(), c.data(), kSemiblock);
      std::memcpy(block.data() + kSemiblock, r, kSemiblock);
      if (Status s = aes.EcbEncryptBlock(kek, block, block); !s.ok()) {
        out.Truncate(start);
        return s;
      }
      std::memcpy(c.data(), block.data(), kSemiblock);
      XorCounter(c.first<kSemiblock>(), n * j + i);
      std::memcpy(r, block.data() + kSemiblock, kSemiblock);
    }
  }
  return Status::Ok();
}

Status AesKeyUnwrap(port::Aes128& aes, const port::Aes128Key& kek, ByteSpan ciphertext,
                    ByteBuilder& out) {
  if (ciphertext.size() % kSemiblock != 0 || ciphertext.size() < 3 * kSemiblock) {
    return Status::InvalidArgument();
  }
  const size_t start = out.size();
  MutableByteSpan p = out.Reserve(ciphertext.size() - kSemiblock);
  if (p.empty()) return out.status();
  std::array<std::byte, kSemiblock> a;
  std::memcpy(a.data(), ciphertext.data(), kSemiblock);
  std::memcpy(p.data(), ciphertext.data() + kSemiblock, p.size());
  const size_t n = p.size() / kSemiblock;
  port::AesBlock block;
  Status status;
  for (size_t j = kRounds; j-- > 0 && status.ok();) {
    for (size_t i = n; i >= 1 && status.ok(); --i) {
      std::byte* r = p.data() + (i - 1) * kSemiblock;
      XorCounter(a, n * j + i);
      std::memcpy(block.data(), a.data(), kSemiblock);
      std::memcpy(block.data() + kSemiblock, r, kSemiblock);
      status = aes.EcbDecryptBlock(kek, block, block);
      std::memcpy(a.data(), block.data(), kSemiblock);
      std::memcpy(r, block.data() + kSemiblock, kSemiblock);
    }
  }
  const bool intact =
      std::all_of(a.begin(), a.end(), [](std::byte b) { return b == std::byte{kKeyWrapIv}; });
  if (status.ok() && !intact) status = Status::PermissionDenied();
  if (!status.ok()) {
    std::memset(p.data(), 0, p.size());  // never leave half-unwrapped key bytes behind
    out.Truncate(start);
  }
  return status;
}

}  // namespace airlab::wifi
