#pragma once
// Text helpers for ThingSpeak's requests: percent-encoding for query strings and form bodies,
// JSON string literals, decimals, UTF-8 checks. All append to a ByteBuilder (sticky
// kResourceExhausted when the buffer is full) and allocate nothing.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab::cloud {

inline ByteSpan ToBytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}
inline std::string_view ToText(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// text.substr(pos, count) without substr's std::out_of_range: `pos` must be at most
// text.size(). Core calls this so that no exception-throwing library code is linked in.
constexpr std::string_view Slice(std::string_view text, size_t pos,
                                 size_t count = std::string_view::npos) {
  size_t left = text.size() - pos;
  return {text.data() + pos, count < left ? count : left};
}

// The number of characters (code points) in UTF-8 text. kInvalidArgument when it is not
// well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
Result<size_t> Utf8Length(std::string_view text);

// Whether percent-encoding leaves `c` as it is: RFC 3986's unreserved characters, and ':'
// and ',' which a query may hold and ThingSpeak's own examples leave plain
// ("start=2011-11-11%2010:10:10", CSV updates). Everything else is %XX with upper-case hex,
// the space included ("+" means a space only to form decoders).
constexpr bool IsPlainInQuery(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == ':' || c == ',';
}
ByteBuilder& AppendPercentEncoded(ByteBuilder& out, std::string_view text);

// "text" with JSON's escapes (RFC 8259 7): quote, backslash and control characters.
// Bytes from 0x80 up pass as they are, so UTF-8 stays UTF-8.
ByteBuilder& AppendJsonString(ByteBuilder& out, std::string_view text);

ByteBuilder& AppendText(ByteBuilder& out, std::string_view text);
ByteBuilder& AppendDecimal(ByteBuilder& out, uint64_t value);

// `text` without ASCII whitespace at either end.
std::string_view TrimSpace(std::string_view text);

// A decimal of up to 18 digits with an optional leading '-', nothing else.
// kInvalidArgument otherwise.
Result<int64_t> ParseDecimal(std::string_view text);

}  // namespace airlab::cloud
