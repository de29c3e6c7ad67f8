#pragma once
// Whether the friendly REPL asks for another line ("... ") before running what was typed,
// as MicroPython's mp_repl_continue_with_input (py/repl.c) decides: a compound statement
// (if, while, for, try, with, def, class, async, a decorator) until an empty line, an open
// bracket or triple quote, or a trailing backslash.

#include <string_view>

namespace airlab::host::board {

bool ContinueWithInput(std::string_view input);

}  // namespace airlab::host::board
