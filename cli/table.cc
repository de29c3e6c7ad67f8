#include "cli/table.h"

#include <algorithm>

#include "server/text.h"

namespace airlab::cli {

std::string AlignedTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], server::Utf8Length(row[i]));
  }
  std::string text;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      text += row[i];
      if (i + 1 < row.size()) text += std::string(widths[i] - server::Utf8Length(row[i]) + 2, ' ');
    }
    text += '\n';
  }
  return text;
}

}  // namespace airlab::cli
