# Makes a fresh interpreter a board's: the flash at '/', our time (waits in the board, on
# the air's clock) in place of the built-in one, and ESP32's module search path. board.mjs
# calls start() with /.frozen (this folder, in MEMFS) mounted.
import sys
import os
import vfs
import _flashfs
import _boardtime


def start(frozen_folder):
    vfs.umount("/.frozen")  # from now on the flash serves /.frozen itself, unlisted
    vfs.mount(_flashfs.FlashFs(vfs.VfsPosix(frozen_folder)), "/")
    os.chdir("/")
    sys.modules["time"] = sys.modules["utime"] = _boardtime
    # Our modules stand for an ESP32's built-in ones, which files on the flash cannot shadow.
    sys.path[:] = ["/.frozen", "", ".frozen", "/lib"]
