#include "core/wifi/escape.h"

#include <cstdint>

namespace airlab::wifi {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendText(ByteBuilder& out, const char* text) {
  for (; *text != '\0'; ++text) out.PutU8(static_cast<uint8_t>(*text));
}

bool IsContinuation(uint8_t b) { return (b & 0xc0) == 0x80; }

}  // namespace

size_t Utf8SequenceLength(ByteSpan text) {
  if (text.empty()) return 0;
  const uint8_t b0 = static_cast<uint8_t>(text[0]);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  uint8_t min_b1 = 0x80;
  uint8_t max_b1 = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) min_b1 = 0xa0;  // overlong
    if (b0 == 0xed) max_b1 = 0x9f;  // UTF-16 surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) min_b1 = 0x90;  // overlong
    if (b0 == 0xf4) max_b1 = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  const uint8_t b1 = static_cast<uint8_t>(text[1]);
  if (b1 < min_b1 || b1 > max_b1) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!IsContinuation(static_cast<uint8_t>(text[i]))) return 0;
  }
  return length;
}

namespace {

// Copies each valid multi-byte UTF-8 sequence of `text` as it is and hands every other byte
// to `escape_byte(out, byte, is_ascii)` (is_ascii: a byte below 0x80, not part of broken
// UTF-8).
template <typename EscapeByte>
Status AppendEscaped(ByteBuilder& out, ByteSpan text, EscapeByte escape_byte) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text.subspan(i));
    if (length > 1) {
      out.Append(text.subspan(i, length));
      i += length;
      continue;
    }
    escape_byte(out, static_cast<uint8_t>(text[i]), length == 1);
    ++i;
  }
  return out.status();
}

bool IsPrintableAscii(uint8_t b, bool is_ascii) { return is_ascii && b >= 0x20 && b != 0x7f; }

}  // namespace

Status AppendHtmlEscaped(ByteBuilder& out, ByteSpan text) {
  return AppendEscaped(out, text, [](ByteBuilder& o, uint8_t b, bool is_ascii) {
    switch (b) {
      case '&': AppendText(o, "&amp;"); return;
      case '<': AppendText(o, "&lt;"); return;
      case '>': AppendText(o, "&gt;"); return;
      case '"': AppendText(o, "&quot;"); return;
      case '\'': AppendText(o, "&#39;"); return;
      case '\\': AppendText(o, "\\\\"); return;
      default: break;
    }
    if (IsPrintableAscii(b, is_ascii)) {
      o.PutU8(b);
      return;
    }
    o.PutU8('\\').PutU8('x').PutU8(kHex[b >> 4]).PutU8(kHex[b & 0xf]);
  });
}

Status AppendJsonEscaped(ByteBuilder& out, ByteSpan text) {
  return AppendEscaped(out, text, [](ByteBuilder& o, uint8_t b, bool is_ascii) {
    if (b == '"' || b == '\\') {
      o.PutU8('\\').PutU8(b);
    } else if (IsPrintableAscii(b, is_ascii)) {
      o.PutU8(b);
    } else {
      AppendText(o, "\\u00");
      o.PutU8(kHex[b >> 4]).PutU8(kHex[b & 0xf]);
    }
  });
}

}  // namespace airlab::wifi
