#pragma once
// What airlab answers to a command that does not exist, at any level of the command tree
// (`airlab snif`, `airlab channel craete`): the nearest command's name, as git does.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace airlab::cli {

// The name in `names` that `word` most likely misspells (a letter missing, extra, wrong, or
// two swapped; or the start of the name), or "" when none is that close.
std::string NearestName(std::string_view word, const std::vector<std::string>& names);

// After a failed parse of `app`: when the deepest command the line reached has
// subcommands and the line gave a word that is none of them, one line naming the word and
// the nearest command ("unknown command 'snif' for airlab; did you mean 'sniff'?") or, with
// none near, the commands there are. "" otherwise.
std::string UnknownCommandMessage(CLI::App& app);

}  // namespace airlab::cli
