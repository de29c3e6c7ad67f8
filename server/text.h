#pragma once
// Text helpers for the server's answers and inputs: JSON and CSV quoting written straight into an
// output string (feeds of 8000 entries are built this way, not through a JSON DOM), UTF-8 checks
// (ThingSpeak refuses invalid byte sequences with 422) and form decoding for MQTT payloads.
//
// UTF-8 is decoded by core/cloud's Utf8Length, the tree's one decoder. JSON strings are written
// here, not with cloud::AppendJsonString: that one fills a fixed buffer for requests a board
// sends, while answers grow without bound (8000 entries) and must be safe inside a page, so
// this one appends to a std::string in runs and also escapes <, >, & and DEL as Rails does.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cloud/text.h"

namespace airlab::server {

// Appends s as a JSON string literal with its quotes. s must be valid UTF-8 (the server checks
// every input); control characters become \u escapes, and so do <, > and & so that an answer
// pasted into a page can never close a script element.
void AppendJsonString(std::string& out, std::string_view s);

// Appends s as one CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180).
void AppendCsvField(std::string& out, std::string_view s);

// Well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF).
inline bool IsValidUtf8(std::string_view s) { return cloud::Utf8Length(s).ok(); }

// Code points in s (ThingSpeak's 255 limit counts characters); bytes when s is not UTF-8.
inline std::size_t Utf8Length(std::string_view s) {
  Result<std::size_t> n = cloud::Utf8Length(s);
  return n.ok() ? *n : s.size();
}

// Decodes application/x-www-form-urlencoded text ("a=1&b=x%20y+z") into ordered pairs; a key
// without '=' gets an empty value. Percent escapes that are not two hex digits stay as they are.
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view text);

// Decodes %XX escapes, and '+' as a space when plus_is_space.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace airlab::server
