#include "host/board/runtime_paths.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace airlab::host::board {

RuntimePaths FindRuntime(const std::string& node) {
  const char* configured = std::getenv("AIRLAB_BOARD_RUNTIME");
  const std::filesystem::path folder = configured && *configured
                                           ? std::filesystem::path(configured)
                                           : std::filesystem::path(AIRLAB_BOARD_RUNTIME_DIR);
  RuntimePaths paths{node, folder / "board.mjs"};
  if (!std::filesystem::exists(paths.script)) {
    throw std::runtime_error("the board runtime " + paths.script.string() +
                             " is missing: set AIRLAB_BOARD_RUNTIME to the folder holding it");
  }
  // Node resolves the package from the script's folder upwards.
  for (std::filesystem::path up = folder; !up.empty(); up = up.parent_path()) {
    if (std::filesystem::exists(up / "node_modules/@micropython/micropython-webassembly-pyscript"))
      return paths;
    if (up == up.parent_path()) break;
  }
  throw std::runtime_error(
      "the MicroPython runtime (npm package @micropython/micropython-webassembly-pyscript) is "
      "not installed: run scripts/setup --deps-only (npm ci) in the airlab source tree");
}

}  // namespace airlab::host::board
