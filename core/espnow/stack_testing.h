#pragma once
// Host-only helpers for the Stack's and the facade's unit tests: a port::Radio whose air
// is the test itself (it keeps what was transmitted until the test reports it, and takes
// frames to deliver), so each case controls every ACK, loss and retransmission.

#include <cstddef>
#include <deque>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/port/radio.h"

namespace airlab::espnow::testing {

using Bytes = std::vector<std::byte>;

inline Bytes ToBytes(ByteSpan span) { return Bytes(span.begin(), span.end()); }
inline Bytes ToBytes(std::string_view text) {
  return Bytes(reinterpret_cast<const std::byte*>(text.data()),
               reinterpret_cast<const std::byte*>(text.data()) + text.size());
}
inline ByteSpan AsSpan(const Bytes& bytes) { return ByteSpan(bytes.data(), bytes.size()); }

class FakeRadio final : public port::Radio {
 public:
  struct Frame {
    Bytes mpdu;
    port::TxOptions options;
  };

  // Frames accepted by Transmit and not yet reported, oldest first.
  std::deque<Frame> pending;
  // Every frame accepted by Transmit.
  std::vector<Frame> transmitted;
  // What DoTransmit answers; anything but kOk refuses the frame.
  Status transmit_status = Status::Ok();

  // Reports the oldest pending frame and returns it.
  Frame Finish(port::TxResult result, uint8_t attempts = 1, port::TimeNs time = 0) {
    Frame frame = pending.front();
    pending.pop_front();
    ReportTxDone({frame.options.tag, result, attempts, time});
    return frame;
  }
  // A frame heard on the air, through the base class's address filter.
  void Hear(ByteSpan mpdu, const port::RxInfo& info = {}) { Deliver(mpdu, info); }

 protected:
  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoTransmit(ByteSpan mpdu, const port::TxOptions& options) override {
    if (!transmit_status.ok()) return transmit_status;
    pending.push_back({ToBytes(mpdu), options});
    transmitted.push_back(pending.back());
    return Status::Ok();
  }
  Status DoSetChannel(uint8_t) override { return Status::Ok(); }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }
};

// What the radio does to a retransmission: the retry bit in frame control.
inline Bytes WithRetryBit(Bytes mpdu) {
  mpdu[1] |= std::byte{0x08};
  return mpdu;
}

}  // namespace airlab::espnow::testing
