#pragma once
// The sniffer's filter language (grammar and fields: core/sniff/README.md). A filter is
// compiled once into a fixed array of instructions with short-circuit jumps and a small
// pool for addresses and byte patterns, then run on every FrameRecord without allocating.
//
//   Filter filter;
//   ParseError error;
//   if (!filter.Compile("espnow and espnow.sender == 24:0a:c4:01:02:03", &error).ok()) ...
//   if (filter.Matches(record)) ...

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/status.h"
#include "core/sniff/record.h"

namespace airlab::sniff {

// Where compiling stopped and what would have been accepted there, for an error line like
// "column 12: expected a MAC address like aa:bb:cc:dd:ee:ff". `expected` is a static string.
struct ParseError {
  size_t position = 0;  // byte offset into the text
  const char* expected = "";
};

class Filter {
 public:
  static constexpr size_t kMaxInstructions = 64;
  static constexpr size_t kMaxPoolBytes = 256;  // addresses (6 bytes each) and byte patterns
  static constexpr size_t kMaxDepth = 16;       // nested parentheses and `not`s

  // Compiles `text`, replacing what the filter held. Empty or blank text matches every
  // frame. kInvalidArgument: a syntax error, an unknown field or a bad value.
  // kResourceExhausted: more instructions, pattern bytes or nesting than the limits above.
  // On an error the filter matches nothing and `error`, when given, says where and what.
  Status Compile(std::string_view text, ParseError* error = nullptr);

  bool Matches(const FrameRecord& record) const;

  size_t instruction_count() const { return count_; }
  // Whether the filter tests channel, rssi or rate (DecodeOptions::radio).
  bool needs_radio() const { return needs_radio_; }
  // Whether the filter tests espnow.payload (DecodeOptions::espnow_payload).
  bool needs_payload() const { return needs_payload_; }
  bool match_all() const { return count_ == 0 && valid_; }

  // Instructions are public only so the compiler in filter.cc can build them.
  enum class Op : uint8_t {
    kType,         // value: frame type (0 mgmt, 1 ctrl, 2 data)
    kTypeSubtype,  // value: type << 4 | subtype
    kFlag,         // arg: Flag
    kAddress,      // arg: AddressField; b: 1 for !=; a: pool offset of the address
    kNumber,       // arg: NumberField; b: Compare; value
    kPayload,      // arg: 0 contains, 1 starts-with; a, b: pool offset and length
    kNot,
    kJumpIfFalse,  // a: target instruction
    kJumpIfTrue,
  };
  struct Instruction {
    Op op = Op::kType;
    uint8_t arg = 0;
    uint16_t a = 0;
    uint16_t b = 0;
    int32_t value = 0;
  };

 private:
  friend class FilterCompiler;

  std::array<Instruction, kMaxInstructions> code_{};
  size_t count_ = 0;
  std::array<uint8_t, kMaxPoolBytes> pool_{};
  size_t pool_size_ = 0;
  bool valid_ = true;
  bool needs_radio_ = false;
  bool needs_payload_ = false;
};

}  // namespace airlab::sniff
