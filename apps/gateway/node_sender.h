#pragma once
// Sends the gateway's messages to its nodes through the Link, and remembers when the
// Link's transmit queue was full, so that every sender (replies, commands) stops until the
// next Poll instead of spinning on it.

#include <cstdint>

#include "apps/common/messages.h"
#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/espnow/link.h"

namespace airlab::apps {

enum class SendResult : uint8_t {
  kSent,     // queued; last_id() is the Link's id for it
  kBlocked,  // the Link's queue is full: blocked() until Unblock
  kFailed,   // any other refusal (not a peer, radio off)
};

class NodeSender {
 public:
  explicit NodeSender(espnow::Link& link) : link_(link) {}

  SendResult Send(const MacAddress& to, ByteSpan payload) {
    Result<uint32_t> id = link_.Send(to, payload);
    if (id.ok()) {
      last_id_ = *id;
      return SendResult::kSent;
    }
    if (id.status() == Status::ResourceExhausted()) {
      blocked_ = true;
      return SendResult::kBlocked;
    }
    return SendResult::kFailed;
  }
  SendResult Send(const MacAddress& to, const Message& message) {
    std::array<std::byte, kMaxMessageSize> buffer;
    Result<ByteSpan> payload = WriteMessage(message, buffer);
    return payload.ok() ? Send(to, *payload) : SendResult::kFailed;
  }

  bool blocked() const { return blocked_; }
  void Unblock() { blocked_ = false; }
  uint32_t last_id() const { return last_id_; }

 private:
  espnow::Link& link_;
  bool blocked_ = false;
  uint32_t last_id_ = 0;
};

}  // namespace airlab::apps
