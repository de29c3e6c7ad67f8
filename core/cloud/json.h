#pragma once
// A small JSON reader for ThingSpeak's answers: the document is checked once (RFC 8259
// syntax, UTF-8 strings, paired surrogates, bounded nesting), then values are views over its bytes - objects
// are searched and arrays walked in place, strings are unescaped only when asked, into the
// caller's buffer. Nothing is copied or allocated.
//
// Why not nlohmann-json, which the host side uses: core cross-compiles for a microcontroller
// with -fno-exceptions and no heap, and nlohmann builds a DOM of std::map, std::string and
// std::vector and reports errors by throwing. ThingSpeak's answers only need a few members
// looked up and one array walked, which a view over the answer buffer does without copying
// an 8000-entry feed.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab::cloud {

// How deep arrays and objects may nest; ThingSpeak's answers use 3.
inline constexpr size_t kMaxJsonDepth = 32;

enum class JsonType : uint8_t { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };

// A string value: the bytes between its quotes as the document has them (escapes and all).
// Default-constructed, or taken from something that is not a string, it is absent.
class JsonString {
 public:
  constexpr JsonString() = default;
  // `escaped` must be valid JSON string content (as JsonValue hands it out).
  static constexpr JsonString FromEscaped(std::string_view escaped) {
    JsonString s;
    s.escaped_ = escaped;
    s.present_ = true;
    return s;
  }

  constexpr bool present() const { return present_; }
  constexpr std::string_view escaped() const { return escaped_; }
  // Without escapes, escaped() is the text itself and needs no copy.
  constexpr bool has_escapes() const { return escaped_.find('\\') != std::string_view::npos; }
  // The length of the text once unescaped, in bytes.
  size_t size() const;
  // Whether the unescaped text is `text` (absent strings equal nothing).
  bool Equals(std::string_view text) const;
  // Writes the unescaped text to `out`. kResourceExhausted, with the whole characters that
  // fit written, when it is too small.
  StatusWithSize CopyTo(MutableByteSpan out) const;

 private:
  std::string_view escaped_;
  bool present_ = false;
};

class JsonValue;
struct JsonMember;

// Walks the elements of an array or the members of an object.
class JsonCursor {
 public:
  constexpr JsonCursor() = default;
  // `container` is an array or object's text, "[...]" or "{...}".
  explicit JsonCursor(std::string_view container);
  bool done() const { return pos_ >= text_.size(); }
  // The member's key (objects) and value; only when !done().
  JsonString key() const { return key_; }
  std::string_view value() const { return value_; }
  void Next();

  friend bool operator==(const JsonCursor& a, const JsonCursor& b) {
    return a.done() == b.done() && (a.done() || a.pos_ == b.pos_);
  }

 private:
  void Load(size_t pos);

  std::string_view text_;
  size_t pos_ = 0;  // where the current element starts; text_.size() when done
  size_t next_ = 0;
  JsonString key_;
  std::string_view value_;
};

// A view of one value of a checked document. Lives as long as the document's bytes.
class JsonValue {
 public:
  constexpr JsonValue() = default;

  // Checks a whole document (one value, surrounded by whitespace only). kDataLoss when it
  // is not JSON, has bytes after its value, or nests deeper than kMaxJsonDepth.
  static Result<JsonValue> Parse(std::string_view document);

  JsonType type() const;
  bool present() const { return !text_.empty(); }
  bool is_null() const { return type() == JsonType::kNull; }
  bool is_object() const { return type() == JsonType::kObject; }
  bool is_array() const { return type() == JsonType::kArray; }
  // The value as the document writes it ("320", "\"73\"", "{...}").
  std::string_view text() const { return text_; }

  // A string's content; absent for other types.
  JsonString AsString() const;
  // An integer written without fraction or exponent, at most 18 digits. kDataLoss otherwise.
  Result<int64_t> AsInt() const;
  // true or false. kDataLoss otherwise.
  Result<bool> AsBool() const;

  // The value of the first member named `key`; absent when there is none or this is not
  // an object.
  JsonValue Find(std::string_view key) const;

  // Iteration: for (JsonValue v : value.elements()), for (auto [k, v] : value.members()).
  template <typename Entry>
  class Range;
  using Elements = Range<JsonValue>;
  using Members = Range<JsonMember>;
  Elements elements() const;
  Members members() const;

 private:
  friend class JsonCursor;
  explicit constexpr JsonValue(std::string_view text) : text_(text) {}

  std::string_view text_;  // exactly the value's bytes; empty when absent
};

struct JsonMember {
  JsonString key;
  JsonValue value;
};

// The elements of an array (Entry JsonValue) or the members of an object (Entry JsonMember).
template <typename Entry>
class JsonValue::Range {
 public:
  class iterator {
   public:
    explicit iterator(JsonCursor cursor) : cursor_(cursor) {}
    Entry operator*() const {
      if constexpr (std::is_same_v<Entry, JsonMember>) {
        return {cursor_.key(), JsonValue(cursor_.value())};
      } else {
        return JsonValue(cursor_.value());
      }
    }
    iterator& operator++() {
      cursor_.Next();
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.cursor_ == b.cursor_; }

   private:
    JsonCursor cursor_;
  };
  explicit Range(std::string_view text) : text_(text) {}
  iterator begin() const { return iterator(text_.empty() ? JsonCursor() : JsonCursor(text_)); }
  iterator end() const { return iterator(JsonCursor()); }

 private:
  std::string_view text_;  // the array's or object's text; empty when the value is not one
};

inline JsonValue::Elements JsonValue::elements() const {
  return Elements(is_array() ? text_ : std::string_view());
}
inline JsonValue::Members JsonValue::members() const {
  return Members(is_object() ? text_ : std::string_view());
}

}  // namespace airlab::cloud
