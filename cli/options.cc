#include "cli/options.h"

#include "cli/commands.h"

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

namespace airlab::cli {

MacAddress ParseMacOption(const std::string& text, const std::string& option) {
  Result<MacAddress> mac = MacAddress::Parse(text.data(), text.size());
  if (!mac.ok()) {
    throw UserError(option + " \"" + text +
                    "\" is not a MAC address; write it as aa:bb:cc:dd:ee:ff");
  }
  return *mac;
}

}  // namespace airlab::cli
