# `os` on the board: MicroPython's own (its file functions reach the flash through the VFS
# at '/') with uname() answering as an ESP32 does.
from os import *  # noqa: F401,F403


class _UName(tuple):
    sysname = property(lambda self: self[0])
    nodename = property(lambda self: self[1])
    release = property(lambda self: self[2])
    version = property(lambda self: self[3])
    machine = property(lambda self: self[4])


def uname():
    return _UName(("esp32", "esp32", "1.27.0", "v1.27.0 on 2025-12-10",
                   "Generic ESP32 module with ESP32"))
