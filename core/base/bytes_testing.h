#pragma once
// Host-only GoogleTest helper for golden-bytes comparisons. A failure names both
// expressions, their lengths and the first differing offset, and prints a hex dump of the
// rows around it side by side with the differing bytes marked, so a broken byte is found
// without a debugger:
//
//   AIRLAB_EXPECT_BYTES_EQ(writer.bytes(), kGoldenFile);

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>

#include "core/base/bytes.h"

// EXPECT_EQ for byte strings: anything that converts to ByteSpan (std::span, std::vector or
// std::array of std::byte). Non-fatal, like EXPECT_EQ.
#define AIRLAB_EXPECT_BYTES_EQ(actual, expected) \
  EXPECT_PRED_FORMAT2(::airlab::bytes_testing::BytesEqual, actual, expected)

namespace airlab::bytes_testing {

inline constexpr size_t kRowBytes = 16;
// Rows shown before the first differing row and from it on.
inline constexpr size_t kRowsBefore = 1;
inline constexpr size_t kRowsFrom = 4;

// One side of a row: 16 hex bytes, "--" past the end.
inline std::string HexRow(ByteSpan bytes, size_t row_start) {
  std::string text;
  char cell[4];
  for (size_t i = row_start; i < row_start + kRowBytes; ++i) {
    if (i < bytes.size()) {
      std::snprintf(cell, sizeof cell, "%02x ", static_cast<unsigned>(bytes[i]));
    } else {
      std::snprintf(cell, sizeof cell, "-- ");
    }
    text += cell;
  }
  return text;
}

inline bool SameAt(ByteSpan a, ByteSpan b, size_t i) {
  return i < a.size() && i < b.size() && a[i] == b[i];
}

// The predicate-formatter behind AIRLAB_EXPECT_BYTES_EQ.
inline ::testing::AssertionResult BytesEqual(const char* actual_expr, const char* expected_expr,
                                             ByteSpan actual, ByteSpan expected) {
  if (std::equal(actual.begin(), actual.end(), expected.begin(), expected.end())) {
    return ::testing::AssertionSuccess();
  }
  const size_t longest = std::max(actual.size(), expected.size());
  size_t first = 0;
  while (SameAt(actual, expected, first)) ++first;
  size_t differing = 0;
  for (size_t i = 0; i < longest; ++i) differing += SameAt(actual, expected, i) ? 0 : 1;

  char line[160];
  std::snprintf(line, sizeof line, " first at offset %zu (0x%zx), %zu differing byte%s in all\n",
                first, first, differing, differing == 1 ? "" : "s");
  std::string text = std::string(actual_expr) + " (" + std::to_string(actual.size()) +
                     " bytes) differs from " + expected_expr + " (" +
                     std::to_string(expected.size()) + " bytes)" + line;
  text += "  offset  actual" + std::string(3 * kRowBytes - 5, ' ') + "expected\n";
  const size_t first_row = first / kRowBytes;
  const size_t from_row = first_row >= kRowsBefore ? first_row - kRowsBefore : 0;
  const size_t end_row = std::min(first_row + kRowsFrom, (longest + kRowBytes - 1) / kRowBytes);
  for (size_t row = from_row; row < end_row; ++row) {
    const size_t start = row * kRowBytes;
    std::snprintf(line, sizeof line, "  %06zx  ", start);
    std::string dump = line + HexRow(actual, start) + " " + HexRow(expected, start);
    std::string marks;
    for (size_t i = start; i < start + kRowBytes; ++i) {
      marks += i < longest && !SameAt(actual, expected, i) ? "^^ " : "   ";
    }
    dump.erase(dump.find_last_not_of(' ') + 1);
    text += dump + "\n";
    if (marks.find('^') != std::string::npos) {
      std::string both = std::string(10, ' ') + marks + " " + marks;
      both.erase(both.find_last_not_of(' ') + 1);
      text += both + "\n";
    }
  }
  return ::testing::AssertionFailure() << text;
}

}  // namespace airlab::bytes_testing
