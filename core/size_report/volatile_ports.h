#pragma once
// Ports for the size-report images: each touches volatile memory only, so the linker keeps
// every path of the code above it and nothing is folded at compile time, and each costs a
// few bytes, so `arm-none-eabi-size` on an image is what the code above them costs. The AES
// port is empty (a device's is its hardware AES or mbedTLS, counted apart).

#include <cstddef>
#include <cstdint>

#include "core/port/cipher.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/port/rng.h"
#include "core/port/timer.h"

namespace airlab::size_report {

inline volatile uint8_t g_input[64];
inline volatile uint32_t g_output;

inline void Sink(ByteSpan bytes) {
  for (std::byte b : bytes) g_output = g_output + static_cast<uint8_t>(b);
}

class VolatileRadio final : public port::Radio {
 public:
  // What a driver's receive interrupt would hand over.
  void Hear(ByteSpan mpdu) { Deliver(mpdu, port::RxInfo{}); }

 private:
  Status DoSetEnabled(bool) override { return Status(); }
  Status DoTransmit(ByteSpan mpdu, const port::TxOptions&) override {
    Sink(mpdu);
    return Status();
  }
  Status DoSetChannel(uint8_t) override { return Status(); }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status(); }
  Status DoSetPromiscuous(bool) override { return Status(); }
};

class VolatileRng final : public port::Rng {
 public:
  uint32_t NextU32() override { return g_input[0] * 2654435761u; }
};

class VolatileClock final : public port::Clock {
 public:
  port::TimeNs Now() const override {
    return static_cast<port::TimeNs>(g_input[1]) * port::kMillisecond;
  }
};

class VolatileTimer final : public port::Timer {
 public:
  // What the platform's timer interrupt would do.
  void Fire() { Expire(); }

 private:
  void DoArmAt(port::TimeNs deadline) override {
    g_output = g_output + static_cast<uint32_t>(deadline);
  }
  void DoCancel() override { g_output = g_output + 1; }
};

class NoAes final : public port::Aes128 {
 protected:
  Status DoEcbEncryptBlock(const port::Aes128Key&, std::span<const std::byte, port::kAesBlockSize>,
                           std::span<std::byte, port::kAesBlockSize>) override {
    return Status::Unimplemented();
  }
  Status DoEcbDecryptBlock(const port::Aes128Key&, std::span<const std::byte, port::kAesBlockSize>,
                           std::span<std::byte, port::kAesBlockSize>) override {
    return Status::Unimplemented();
  }
  Status DoCcmEncrypt(const port::Aes128Key&, const port::CcmNonce&, ByteSpan, ByteSpan,
                      MutableByteSpan, std::span<std::byte, port::kCcmTagSize>) override {
    return Status::Unimplemented();
  }
  Status DoCcmDecrypt(const port::Aes128Key&, const port::CcmNonce&, ByteSpan, ByteSpan,
                      std::span<const std::byte, port::kCcmTagSize>, MutableByteSpan) override {
    return Status::Unimplemented();
  }
};

}  // namespace airlab::size_report
