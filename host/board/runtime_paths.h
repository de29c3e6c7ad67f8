#pragma once
// Where a board's runtime is: runtime/board.mjs and its lib/ beside this file in the source
// tree (a path compiled in), or the folder AIRLAB_BOARD_RUNTIME names; the MicroPython
// package comes from the project's node_modules (scripts/setup installs it).

#include <string>

#include "host/board/node_child.h"

namespace airlab::host::board {

// Throws std::runtime_error naming the fix when board.mjs or the MicroPython package is
// missing.
RuntimePaths FindRuntime(const std::string& node);

}  // namespace airlab::host::board
