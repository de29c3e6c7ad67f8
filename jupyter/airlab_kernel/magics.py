"""The lab's `%` magics: how a cell splits into magics and MicroPython, and each magic's options.

A cell runs its leading `%` lines in order (blank and `#` lines between them are skipped);
from the first other line on, the rest of the cell is MicroPython for the board.
`%sendtofile` without --source takes the rest of the cell as the file's text.
"""

import argparse
import shlex


class MagicError(Exception):
    """Bad magic usage; the message is one line naming the fix."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting the kernel."""

    def error(self, message):
        raise MagicError("%%%s: %s (usage: %s)" % (self.prog, message, self.format_usage().strip()[7:]))

    def exit(self, status=0, message=None):
        raise MagicError(message or self.format_help())


def _parser(name, description):
    return _Parser(prog=name, description=description, add_help=False)


def _build_parsers():
    parsers = {}

    p = _parser("serialconnect", "connect to a board's serial port (MicroPython's raw REPL)")
    p.add_argument("--port", help="a path (/dev/ttyUSB0), an index into the detected ports, or a lab board's name")
    p.add_argument("--baud", type=int, default=115200, help="baud rate (default 115200)")
    parsers["serialconnect"] = p

    p = _parser("sendtofile", "write the cell's text (or --source FILE) to DEST on the board")
    p.add_argument("--binary", action="store_true", help="send bytes as they are (base64 pieces)")
    p.add_argument("--append", action="store_true", help="append instead of replacing DEST")
    p.add_argument("--mkdir", action="store_true", help="create DEST's missing folders")
    p.add_argument("--source", help="a file on this computer (default: the rest of the cell)")
    p.add_argument("dest", nargs="?", help="path on the board; ending in / means that folder, with the source's name")
    parsers["sendtofile"] = p

    p = _parser("fetchfile", "copy SRC from the board to DEST here (default: SRC's name)")
    p.add_argument("--binary", action="store_true", help="write the bytes as they are")
    p.add_argument("--print", action="store_true", help="show the file in the cell instead of saving it")
    p.add_argument("src")
    p.add_argument("dest", nargs="?")
    parsers["fetchfile"] = p

    p = _parser("ls", "list a folder on the board (default /)")
    p.add_argument("dir", nargs="?", default="/")
    parsers["ls"] = p

    parsers["rebootdevice"] = _parser("rebootdevice", "soft-reset the board (Ctrl-D): boot.py and main.py run again")
    parsers["disconnect"] = _parser("disconnect", "close the serial port")
    parsers["lsmagic"] = _parser("lsmagic", "list the magics")

    p = _parser("mpy-cross", "compile FILE to .mpy with the mpy-cross named by --set-exe")
    p.add_argument("--set-exe", dest="set_exe", metavar="PATH", help="the mpy-cross program to use from now on")
    p.add_argument("file", nargs="?")
    parsers["mpy-cross"] = p

    p = _parser("esptool", "flash a board with esptool: erase, or write BIN for an esp32 / esp8266")
    p.add_argument("--port", help="default: the connected port")
    p.add_argument("action", choices=["erase", "esp32", "esp8266"])
    p.add_argument("bin", nargs="?")
    parsers["esptool"] = p
    return parsers


PARSERS = _build_parsers()


class Magic:
    def __init__(self, name, args, body):
        self.name = name
        self.args = args  # argparse.Namespace
        self.body = body  # the rest of the cell, for %sendtofile without --source


def parse_magic(line, rest_of_cell=""):
    """One `%name args` line -> Magic; MagicError for an unknown magic or bad options."""
    text = line.strip()[1:]
    if text.startswith("%"):
        raise MagicError("cell magics (%%%%) are not supported here; %%lsmagic lists the magics")
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise MagicError("%%%s: %s" % (text, error))
    if not words:
        raise MagicError("an empty magic: %lsmagic lists the magics")
    name, argv = words[0], words[1:]
    if name not in PARSERS:
        raise MagicError("unknown magic %%%s; %%lsmagic lists the magics this kernel has" % name)
    args = PARSERS[name].parse_args(argv)
    return Magic(name, args, rest_of_cell)


def split_cell(code):
    """The cell's steps in order: Magic objects, then at most one str of MicroPython (from
    the line after the last magic, so the board's line numbers match the cell's)."""
    lines = code.splitlines(keepends=True)
    steps = []
    code_start = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not stripped.startswith("%"):
            steps.append("\n" * code_start + "".join(lines[code_start:]))
            return steps
        magic = parse_magic(stripped, "".join(lines[index + 1 :]))
        steps.append(magic)
        code_start = index + 1
        if magic.name == "sendtofile" and magic.args.source is None:
            return steps
    return steps


def lsmagic_text():
    lines = ["Magics of the airlab MicroPython kernel (anything else in a cell runs on the board):"]
    for name, parser in PARSERS.items():
        usage = parser.format_usage().strip()[len("usage: ") :]
        lines.append("  %%%s\n      %s" % (usage, parser.description))
    return "\n".join(lines) + "\n"
