#pragma once
// The tag each channel entry carries in its status: "airlab <name> <incarnation> #<id>",
// the gateway's name, its durable queue's incarnation (8 hex digits) and the id of the
// entry's last reading. A read-back finds the newest tag of its own and so exactly what
// arrived; another gateway's entries, or an older queue's, never match.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/result.h"

namespace airlab::apps {

class StatusTag {
 public:
  static constexpr size_t kMaxNameSize = 32;

  // A name of 1..32 printable characters without spaces.
  static bool ValidName(std::string_view name);

  // Sets the prefix every tag starts with. `name` must be valid.
  void Set(std::string_view name, uint32_t incarnation);
  // The tag of reading `id` into `out` (cut short if it does not fit); returns its size.
  size_t Write(uint64_t id, std::span<char> out) const;
  // The reading id of a tag of ours; kNotFound for any other status.
  Result<uint64_t> Match(std::string_view status) const;

  std::string_view prefix() const { return {prefix_.data(), prefix_size_}; }

 private:
  std::array<char, 64> prefix_{};
  size_t prefix_size_ = 0;
};

}  // namespace airlab::apps
