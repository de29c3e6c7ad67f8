#pragma once
// A command reaches a node once each: the gateway sends it again until the node's radio
// ACKs it, and an ACK can be lost after the node took the command. Commands carry the
// cloud entry id that made them, which only grows, so the newest id taken is enough to
// know them apart. A lab master's bare payload (kRaw) has no id and is always new.

#include <cstdint>

#include "apps/common/messages.h"

namespace airlab::apps {

class CommandFilter {
 public:
  // True when `command` (kCommand or kRaw) is to be acted on; notes its id.
  bool Take(const Message& command) {
    if (command.type == MessageType::kRaw) return true;
    if (command.command_id <= newest_) return false;
    newest_ = command.command_id;
    return true;
  }
  uint64_t newest() const { return newest_; }

 private:
  uint64_t newest_ = 0;
};

}  // namespace airlab::apps
