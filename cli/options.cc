#include "cli/options.h"

#include <string>

namespace airlab::cli {

const CLI::Validator& NonNegative() {
  // CLI11 prefixes the option's name: "--duration: must be >= 0 (got -1)".
  static const CLI::Validator check(
      [](std::string& text) -> std::string {
        const size_t first = text.find_first_not_of(" \t");
        if (first != std::string::npos && text[first] == '-')
          return "must be >= 0 (got " + text + ")";
        return "";
      },
      "", "NonNegative");
  return check;
}

}  // namespace airlab::cli
