#pragma once
// Escaping bytes from the air (SSIDs above all: up to 32 raw bytes an attacker chooses) for
// the places the portal shows them. Valid UTF-8 is kept as it is, so names in any script
// read right; what could end the text early or run as code is escaped; bytes that are not
// UTF-8 are shown so that two different SSIDs never look the same.
#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::wifi {

// HTML text and attribute values: & < > " ' become entities; control bytes and bytes that
// are not part of valid UTF-8 become the visible text \xNN (a backslash becomes \\ so the
// form stays unambiguous). kResourceExhausted when `out` is full.
Status AppendHtmlEscaped(ByteBuilder& out, ByteSpan text);

// The inside of a JSON string (RFC 8259): " and \ escaped, control bytes as \u00NN, and a
// byte that is not part of valid UTF-8 as \u00NN too (read as Latin-1), so the JSON is
// always valid UTF-8. kResourceExhausted when `out` is full.
Status AppendJsonEscaped(ByteBuilder& out, ByteSpan text);

// The length of the valid UTF-8 sequence (1..4) starting at text[0], or 0 when text[0]
// starts none (overlong forms, surrogates and code points past U+10FFFF are not valid).
size_t Utf8SequenceLength(ByteSpan text);

}  // namespace airlab::wifi
