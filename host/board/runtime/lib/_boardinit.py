# Makes a fresh interpreter a board's: the flash at '/', our time (waits in the board, on
# the air's clock) in place of the built-in one, and ESP32's module search path. board.mjs
# calls start() with /.frozen (this folder, in MEMFS) mounted.
import builtins
import sys
import os
import _board
import vfs
import _flashfs
import _boardtime
import _boardos


def start(frozen_folder):
    vfs.umount("/.frozen")  # from now on the flash serves /.frozen itself, unlisted
    vfs.mount(_flashfs.FlashFs(vfs.VfsPosix(frozen_folder)), "/")
    os.chdir("/")
    sys.modules["time"] = sys.modules["utime"] = _boardtime
    sys.modules["os"] = sys.modules["uos"] = _boardos
    # Our modules stand for an ESP32's built-in ones, which files on the flash cannot shadow.
    sys.path[:] = ["/.frozen", "", ".frozen", "/lib"]
    # input() reads a line from the serial port (the runtime's own would read Node's stdin).
    builtins.input = lambda prompt="": _board.call("board.input", str(prompt))
