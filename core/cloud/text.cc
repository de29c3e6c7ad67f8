#include "core/cloud/text.h"

namespace airlab::cloud {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

ByteBuilder& PutChar(ByteBuilder& out, char c) { return out.PutU8(static_cast<uint8_t>(c)); }

}  // namespace

Result<size_t> Utf8Length(std::string_view text) {
  size_t chars = 0;
  size_t i = 0;
  while (i < text.size()) {
    auto b0 = static_cast<uint8_t>(text[i]);
    size_t extra;
    uint32_t min;
    uint32_t cp;
    if (b0 < 0x80) {
      extra = 0, min = 0, cp = b0;
    } else if ((b0 & 0xe0) == 0xc0) {
      extra = 1, min = 0x80, cp = b0 & 0x1f;
    } else if ((b0 & 0xf0) == 0xe0) {
      extra = 2, min = 0x800, cp = b0 & 0x0f;
    } else if ((b0 & 0xf8) == 0xf0) {
      extra = 3, min = 0x10000, cp = b0 & 0x07;
    } else {
      return Status::InvalidArgument();
    }
    if (text.size() - i <= extra) return Status::InvalidArgument();
    for (size_t k = 1; k <= extra; ++k) {
      auto b = static_cast<uint8_t>(text[i + k]);
      if ((b & 0xc0) != 0x80) return Status::InvalidArgument();
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return Status::InvalidArgument();
    }
    i += extra + 1;
    ++chars;
  }
  return chars;
}

ByteBuilder& AppendPercentEncoded(ByteBuilder& out, std::string_view text) {
  for (char c : text) {
    if (IsPlainInQuery(c)) {
      PutChar(out, c);
    } else {
      auto u = static_cast<uint8_t>(c);
      PutChar(out, '%');
      PutChar(out, kHex[u >> 4]);
      PutChar(out, kHex[u & 0xf]);
    }
  }
  return out;
}

ByteBuilder& AppendJsonString(ByteBuilder& out, std::string_view text) {
  PutChar(out, '"');
  for (char c : text) {
    auto u = static_cast<uint8_t>(c);
    switch (c) {
      case '"': AppendText(out, "\\\""); break;
      case '\\': AppendText(out, "\\\\"); break;
      case '\n': AppendText(out, "\\n"); break;
      case '\r': AppendText(out, "\\r"); break;
      case '\t': AppendText(out, "\\t"); break;
      case '\b': AppendText(out, "\\b"); break;
      case '\f': AppendText(out, "\\f"); break;
      default:
        if (u < 0x20) {
          AppendText(out, "\\u00");
          PutChar(out, kHex[u >> 4]);
          PutChar(out, kHex[u & 0xf]);
        } else {
          PutChar(out, c);
        }
    }
  }
  return PutChar(out, '"');
}

ByteBuilder& AppendText(ByteBuilder& out, std::string_view text) {
  return out.Append(ToBytes(text));
}

ByteBuilder& AppendDecimal(ByteBuilder& out, uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) PutChar(out, digits[--n]);
  return out;
}

std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return Slice(text, first, text.find_last_not_of(kSpace) - first + 1);
}

Result<int64_t> ParseDecimal(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  // 18 digits always fit an int64_t, so no overflow check is needed.
  if (text.empty() || text.size() > 18) return Status::InvalidArgument();
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument();
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

}  // namespace airlab::cloud
