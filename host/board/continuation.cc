#include "host/board/continuation.h"

namespace airlab::host::board {
namespace {

bool StartsWithWord(std::string_view input, std::string_view word) {
  if (input.substr(0, word.size()) != word) return false;
  if (input.size() == word.size()) return true;
  const char next = input[word.size()];
  return !(next == '_' || (next >= '0' && next <= '9') || (next >= 'a' && next <= 'z') ||
           (next >= 'A' && next <= 'Z'));
}

bool StartsCompound(std::string_view input) {
  if (input[0] == '@') return true;
  for (std::string_view word : {"if", "while", "for", "try", "with", "def", "class", "async"}) {
    if (StartsWithWord(input, word)) return true;
  }
  return false;
}

enum Quote { kNone, kSingle, kDouble, kTripleSingle, kTripleDouble };

// Flips `quote` for the quote character at input[i]; returns how many characters it took.
size_t QuoteAt(std::string_view input, size_t i, Quote& quote) {
  const char q = input[i];
  const Quote one = q == '\'' ? kSingle : kDouble;
  const Quote three = q == '\'' ? kTripleSingle : kTripleDouble;
  const bool triple = i + 2 < input.size() && input[i + 1] == q && input[i + 2] == q;
  if ((quote == kNone || quote == three) && triple) {
    quote = quote == kNone ? three : kNone;
    return 3;
  }
  if (quote == kNone || quote == one) quote = quote == kNone ? one : kNone;
  return 1;
}

}  // namespace

bool ContinueWithInput(std::string_view input) {
  if (input.empty()) return false;
  int paren = 0, brack = 0, brace = 0;
  Quote quote = kNone;
  for (size_t i = 0; i < input.size();) {
    const char c = input[i];
    if (c == '\'' || c == '"') {
      i += QuoteAt(input, i, quote);
      continue;
    }
    if (c == '\\' && i + 1 < input.size() &&
        (input[i + 1] == '\'' || input[i + 1] == '"' || input[i + 1] == '\\')) {
      i += quote != kNone ? 2 : 1;
      continue;
    }
    if (quote == kNone) {
      paren += (c == '(') - (c == ')');
      brack += (c == '[') - (c == ']');
      brace += (c == '{') - (c == '}');
    }
    ++i;
  }
  if (quote == kTripleSingle || quote == kTripleDouble) return true;
  if ((paren > 0 || brack > 0 || brace > 0) && quote == kNone) return true;
  if (input.back() == '\\') return true;
  return StartsCompound(input) && input.back() != '\n';
}

}  // namespace airlab::host::board
