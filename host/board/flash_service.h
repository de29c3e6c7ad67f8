#pragma once
// The board's flash: a folder on the host (--fs DIR), kept across resets and runs. Python
// sees it as the filesystem mounted at '/' (runtime/lib/_flashfs.py, a MicroPython VFS
// whose methods call the `fs.*` services registered here). Paths are confined to the folder:
// ".." cannot climb out, and a symlink leading outside is refused. Errors are OSError with
// the errno MicroPython uses (ENOENT, EEXIST, EISDIR, ENOTDIR, ENOTEMPTY, EINVAL).

#include <filesystem>

#include "host/board/bridge.h"

namespace airlab::host::board {

void RegisterFlashService(Bridge& bridge, const std::filesystem::path& root);

}  // namespace airlab::host::board
