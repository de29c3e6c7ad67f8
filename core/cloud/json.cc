#include "core/cloud/json.h"

#include "core/base/ascii.h"
#include "core/cloud/text.h"

namespace airlab::cloud {
namespace {

constexpr size_t kBad = std::string_view::npos;

constexpr bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

size_t SkipSpace(std::string_view s, size_t pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  return pos;
}

// Reads the four hex digits at `pos` into `value`; false when they are not there.
bool ReadHex4(std::string_view s, size_t pos, uint32_t& value) {
  if (pos > s.size() || s.size() - pos < 4) return false;
  value = 0;
  for (size_t k = 0; k < 4; ++k) {
    int digit = HexDigitValue(s[pos + k]);
    if (digit < 0) return false;
    value = (value << 4) | static_cast<uint32_t>(digit);
  }
  return true;
}

// --- Checking: every rule of RFC 8259, used once per document. ---

// `pos` is at the opening quote; returns the position after the closing one, or kBad.
size_t CheckString(std::string_view s, size_t pos) {
  size_t start = ++pos;
  while (pos < s.size()) {
    char c = s[pos];
    if (c == '"') {
      // Escapes are ASCII, so checking the raw bytes checks the unescaped text's UTF-8.
      return Utf8Length(Slice(s, start, pos - start)).ok() ? pos + 1 : kBad;
    }
    if (static_cast<uint8_t>(c) < 0x20) return kBad;
    if (c != '\\') {
      ++pos;
      continue;
    }
    if (++pos >= s.size()) return kBad;
    switch (s[pos]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't': ++pos; break;
      case 'u': {
        uint32_t unit = 0;
        if (!ReadHex4(s, pos + 1, unit)) return kBad;
        pos += 5;
        // UTF-16 surrogates come in pairs; a lone one names no character (nlohmann and
        // Python refuse it too), so it cannot be turned into UTF-8.
        if (unit >= 0xdc00 && unit <= 0xdfff) return kBad;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          uint32_t low = 0;
          if (Slice(s, pos, 2) != "\\u" || !ReadHex4(s, pos + 2, low) || low < 0xdc00 ||
              low > 0xdfff) {
            return kBad;
          }
          pos += 6;
        }
        break;
      }
      default: return kBad;
    }
  }
  return kBad;
}

size_t SkipDigits(std::string_view s, size_t pos) {
  while (pos < s.size() && IsDigit(s[pos])) ++pos;
  return pos;
}

size_t CheckNumber(std::string_view s, size_t pos) {
  if (s[pos] == '-') ++pos;
  if (pos >= s.size()) return kBad;
  if (s[pos] == '0') {
    ++pos;
  } else if (IsDigit(s[pos])) {
    pos = SkipDigits(s, pos + 1);
  } else {
    return kBad;
  }
  if (pos < s.size() && s[pos] == '.') {
    size_t end = SkipDigits(s, pos + 1);
    if (end == pos + 1) return kBad;
    pos = end;
  }
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    size_t end = SkipDigits(s, pos);
    if (end == pos) return kBad;
    pos = end;
  }
  return pos;
}

size_t CheckLiteral(std::string_view s, size_t pos, std::string_view word) {
  return Slice(s, pos, word.size()) == word ? pos + word.size() : kBad;
}

// Checks the value starting at `pos` (no leading space) and returns where it ends, or kBad.
// Iterative, with the open containers as a bit stack, so the call depth stays constant on
// any input.
size_t CheckValue(std::string_view s, size_t pos) {
  static_assert(kMaxJsonDepth <= 64);
  enum class Want { kValue, kValueOrClose, kKey, kKeyOrClose, kAfterValue };
  uint64_t objects = 0;  // bit d: the container at depth d is an object
  size_t depth = 0;
  Want want = Want::kValue;
  for (;;) {
    if (want == Want::kAfterValue && depth == 0) return pos;
    pos = SkipSpace(s, pos);
    if (pos >= s.size()) return kBad;
    char c = s[pos];
    bool in_object = depth > 0 && ((objects >> (depth - 1)) & 1);
    switch (want) {
      case Want::kValueOrClose:
      case Want::kValue:
        if (want == Want::kValueOrClose && c == ']') {
          --depth, ++pos, want = Want::kAfterValue;
        } else if (c == '{' || c == '[') {
          if (depth == kMaxJsonDepth) return kBad;
          uint64_t bit = uint64_t{1} << depth;
          objects = c == '{' ? (objects | bit) : (objects & ~bit);
          ++depth, ++pos;
          want = c == '{' ? Want::kKeyOrClose : Want::kValueOrClose;
        } else {
          if (c == '"') {
            pos = CheckString(s, pos);
          } else if (c == '-' || IsDigit(c)) {
            pos = CheckNumber(s, pos);
          } else if (c == 't') {
            pos = CheckLiteral(s, pos, "true");
          } else if (c == 'f') {
            pos = CheckLiteral(s, pos, "false");
          } else if (c == 'n') {
            pos = CheckLiteral(s, pos, "null");
          } else {
            return kBad;
          }
          if (pos == kBad) return kBad;
          want = Want::kAfterValue;
        }
        break;
      case Want::kKeyOrClose:
      case Want::kKey:
        if (want == Want::kKeyOrClose && c == '}') {
          --depth, ++pos, want = Want::kAfterValue;
          break;
        }
        if (c != '"') return kBad;
        pos = CheckString(s, pos);
        if (pos == kBad) return kBad;
        pos = SkipSpace(s, pos);
        if (pos >= s.size() || s[pos] != ':') return kBad;
        ++pos, want = Want::kValue;
        break;
      case Want::kAfterValue:
        if (c == ',') {
          ++pos, want = in_object ? Want::kKey : Want::kValue;
        } else if (c == (in_object ? '}' : ']')) {
          --depth, ++pos;
        } else {
          return kBad;
        }
        break;
    }
  }
}

// --- Skipping: values of a checked document, so only the structure is followed. ---

// `pos` is at the opening quote of a checked string; returns the position after its end.
size_t SkipString(std::string_view s, size_t pos) {
  for (++pos; pos < s.size(); ++pos) {
    if (s[pos] == '\\') {
      ++pos;
    } else if (s[pos] == '"') {
      return pos + 1;
    }
  }
  return s.size();
}

size_t SkipValue(std::string_view s, size_t pos) {
  size_t depth = 0;
  while (pos < s.size()) {
    char c = s[pos];
    if (c == '"') {
      pos = SkipString(s, pos);
    } else if (c == '{' || c == '[') {
      ++depth, ++pos;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return pos;  // the end of an enclosing container: a scalar ended here
      --depth, ++pos;
    } else if (depth == 0 && (c == ',' || IsSpace(c))) {
      return pos;
    } else {
      ++pos;
    }
    if (depth == 0 && (c == '"' || c == '}' || c == ']')) return pos;
  }
  return pos;
}

// --- Unescaping ---

size_t EncodeUtf8(uint32_t cp, uint8_t out[4]) {
  if (cp < 0x80) {
    out[0] = static_cast<uint8_t>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<uint8_t>(0xc0 | (cp >> 6));
    out[1] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<uint8_t>(0xe0 | (cp >> 12));
    out[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
    out[2] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = static_cast<uint8_t>(0xf0 | (cp >> 18));
  out[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3f));
  out[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
  out[3] = static_cast<uint8_t>(0x80 | (cp & 0x3f));
  return 4;
}

// Decodes the character at `pos` of checked string content into `out`; returns its byte
// count and moves `pos` past it. Raw bytes pass one at a time (UTF-8 sequences stay whole
// because they are copied byte after byte).
size_t DecodeNext(std::string_view e, size_t& pos, uint8_t out[4]) {
  if (e[pos] != '\\') {
    out[0] = static_cast<uint8_t>(e[pos++]);
    return 1;
  }
  char kind = e[pos + 1];
  pos += 2;
  switch (kind) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = static_cast<uint8_t>(kind); return 1;  // " \ /
  }
  uint32_t cp = 0;
  ReadHex4(e, pos, cp);
  pos += 4;
  if (cp >= 0xd800 && cp <= 0xdbff) {  // checked: a low surrogate follows
    uint32_t low = 0;
    ReadHex4(e, pos + 2, low);
    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    pos += 6;
  }
  return EncodeUtf8(cp, out);
}

}  // namespace

size_t JsonString::size() const {
  if (!has_escapes()) return escaped_.size();
  size_t n = 0;
  uint8_t buf[4];
  for (size_t pos = 0; pos < escaped_.size();) n += DecodeNext(escaped_, pos, buf);
  return n;
}

bool JsonString::Equals(std::string_view text) const {
  if (!present_) return false;
  if (!has_escapes()) return escaped_ == text;
  size_t at = 0;
  uint8_t buf[4];
  for (size_t pos = 0; pos < escaped_.size();) {
    size_t n = DecodeNext(escaped_, pos, buf);
    if (text.size() - at < n) return false;
    for (size_t k = 0; k < n; ++k) {
      if (static_cast<uint8_t>(text[at + k]) != buf[k]) return false;
    }
    at += n;
  }
  return at == text.size();
}

StatusWithSize JsonString::CopyTo(MutableByteSpan out) const {
  size_t written = 0;
  uint8_t buf[4];
  for (size_t pos = 0; pos < escaped_.size();) {
    size_t n = DecodeNext(escaped_, pos, buf);
    if (out.size() - written < n) return StatusWithSize(Status::ResourceExhausted(), written);
    for (size_t k = 0; k < n; ++k) out[written++] = std::byte{buf[k]};
  }
  return StatusWithSize(written);
}

JsonCursor::JsonCursor(std::string_view container) : text_(container) { Load(SkipSpace(text_, 1)); }

void JsonCursor::Load(size_t pos) {
  if (pos >= text_.size() || text_[pos] == ']' || text_[pos] == '}') {
    pos_ = text_.size();
    return;
  }
  pos_ = pos;
  if (text_[0] == '{') {
    size_t key_end = SkipString(text_, pos);
    key_ = JsonString::FromEscaped(Slice(text_, pos + 1, key_end - pos - 2));
    pos = SkipSpace(text_, key_end);
    pos = SkipSpace(text_, pos + 1);  // past ':'
  }
  size_t end = SkipValue(text_, pos);
  value_ = Slice(text_, pos, end - pos);
  next_ = SkipSpace(text_, end);
}

void JsonCursor::Next() {
  if (done()) return;
  size_t pos = next_;
  if (pos < text_.size() && text_[pos] == ',') pos = SkipSpace(text_, pos + 1);
  Load(pos);
}

Result<JsonValue> JsonValue::Parse(std::string_view document) {
  size_t start = SkipSpace(document, 0);
  if (start >= document.size()) return Status::DataLoss();
  size_t end = CheckValue(document, start);
  if (end == kBad || SkipSpace(document, end) != document.size()) return Status::DataLoss();
  return JsonValue(Slice(document, start, end - start));
}

JsonType JsonValue::type() const {
  if (text_.empty()) return JsonType::kAbsent;
  switch (text_[0]) {
    case 'n': return JsonType::kNull;
    case 't':
    case 'f': return JsonType::kBool;
    case '"': return JsonType::kString;
    case '[': return JsonType::kArray;
    case '{': return JsonType::kObject;
    default: return JsonType::kNumber;
  }
}

JsonString JsonValue::AsString() const {
  if (type() != JsonType::kString) return {};
  return JsonString::FromEscaped(Slice(text_, 1, text_.size() - 2));
}

Result<int64_t> JsonValue::AsInt() const {
  if (type() != JsonType::kNumber) return Status::DataLoss();
  Result<int64_t> value = ParseDecimal(text_);
  if (!value.ok()) return Status::DataLoss();
  return value;
}

Result<bool> JsonValue::AsBool() const {
  if (text_ == "true") return true;
  if (text_ == "false") return false;
  return Status::DataLoss();
}

JsonValue JsonValue::Find(std::string_view key) const {
  for (JsonMember member : members()) {
    if (member.key.Equals(key)) return member.value;
  }
  return {};
}

}  // namespace airlab::cloud
