#pragma once
// Tables as the commands print them: columns aligned, two spaces apart.

#include <string>
#include <vector>

namespace airlab::cli {

// One line per row, each column as wide as its widest cell (counted in UTF-8 characters).
std::string AlignedTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace airlab::cli
