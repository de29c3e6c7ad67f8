#pragma once
// What every command's options share, so that the same mistake gets the same answer from
// every command: a negative duration, seed, count or interval is refused by one check with
// one wording ("--duration: must be >= 0 (got -1)").

#include <CLI/CLI.hpp>

namespace airlab::cli {

// A CLI11 check for options that take a count, a seed, a duration or an interval. It reads
// the text as given, before conversion, so it also refuses a negative value for an unsigned
// option (which would otherwise wrap around) and a negative duration with a unit ("-5s").
const CLI::Validator& NonNegative();

}  // namespace airlab::cli

#include <string>

#include "core/base/mac_address.h"

namespace airlab::cli {

// The MAC address an option names (unicast or group); throws UserError naming the option
// and the form to write when `text` is not one.
MacAddress ParseMacOption(const std::string& text, const std::string& option);

}  // namespace airlab::cli
