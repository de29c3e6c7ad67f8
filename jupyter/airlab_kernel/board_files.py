"""The MicroPython snippets the file magics run on the board, and what their output means.

They only use what every MicroPython port has (open, os.listdir/stat/mkdir, binascii), so
they work the same on a virtual airlab board and on an ESP32 on /dev/ttyUSB0.
"""

import base64

# Binary files cross as base64 in 30-byte pieces, one `write` a line, as the lab's kernel did:
# short lines keep a real board's raw REPL buffer and heap small.
BINARY_PIECE = 30
# Lines (text) or pieces (binary) per raw REPL execution.
LINES_PER_EXEC = 64
FETCH_PIECE = 240

_IMPORT_BINASCII = (
    "try:\n from binascii import a2b_base64, b2a_base64\n"
    "except ImportError:\n from ubinascii import a2b_base64, b2a_base64\n"
)
_FILE = "_airlab_file"


def _mkdir_code(path):
    """Creates every folder above `path` that is missing (what --mkdir asks for)."""
    return (
        "import os\n"
        "_airlab_dir = '/' if %r.startswith('/') else ''\n"
        "for _airlab_part in %r.split('/')[:-1]:\n"
        " if _airlab_part:\n"
        "  _airlab_dir += ('' if _airlab_dir in ('', '/') else '/') + _airlab_part\n"
        "  try:\n   os.mkdir(_airlab_dir)\n  except OSError:\n   pass\n"
    ) % (path, path)


def send_file_programs(dest, data, binary, append=False, mkdir=False):
    """The programs that write `data` (bytes) to `dest` on the board, in order.

    Text is sent as one `write(repr(line))` per line (the file's bytes must be UTF-8);
    binary as base64 pieces decoded on the board with a2b_base64."""
    mode = ("a" if append else "w") + ("b" if binary else "")
    opening = (_mkdir_code(dest) if mkdir else "") + "%s = open(%r, %r)\n" % (_FILE, dest, mode)
    if binary:
        opening = _IMPORT_BINASCII + opening
        pieces = [data[i : i + BINARY_PIECE] for i in range(0, len(data), BINARY_PIECE)]
        # bytes, not str: some ports' binascii (micropython-lib's, in the WebAssembly build) take only bytes
        lines = ["%s.write(a2b_base64(%r))\n" % (_FILE, base64.b64encode(p)) for p in pieces]
    else:
        text = data.decode("utf-8")
        lines = ["%s.write(%r)\n" % (_FILE, line) for line in text.splitlines(keepends=True)]
    programs = [opening]
    for start in range(0, len(lines), LINES_PER_EXEC):
        programs.append("".join(lines[start : start + LINES_PER_EXEC]))
    programs.append(CLOSE_PROGRAM)
    return programs


# Run after the last piece, and after a failed one so the file is not left open.
CLOSE_PROGRAM = "try:\n %s.close()\n del %s\nexcept NameError:\n pass\n" % (_FILE, _FILE)


def fetch_file_program(source):
    """Prints the file's bytes as base64 lines (byte-exact for text and binary alike)."""
    return (
        _IMPORT_BINASCII + "with open(%r, 'rb') as _airlab_file:\n"
        " while True:\n"
        "  _airlab_piece = _airlab_file.read(%d)\n"
        "  if not _airlab_piece:\n   break\n"
        "  print(b2a_base64(_airlab_piece).decode().strip())\n"
        "del _airlab_file, _airlab_piece\n"
    ) % (source, FETCH_PIECE)


def decode_fetched(output):
    """The file's bytes from fetch_file_program's output."""
    return b"".join(base64.b64decode(line) for line in output.split() if line)


def list_dir_program(folder):
    """One line per entry: `d NAME` for a folder, `SIZE NAME` for a file."""
    return (
        "import os\n"
        "for _airlab_name in sorted(os.listdir(%r)):\n"
        " _airlab_stat = os.stat(%r.rstrip('/') + '/' + _airlab_name)\n"
        " print('d' if _airlab_stat[0] & 0x4000 else _airlab_stat[6], _airlab_name)\n"
    ) % (folder, folder)


def format_listing(folder, output):
    """`%ls`'s table: size right-aligned, folders with a trailing slash."""
    rows = []
    for line in output.decode("utf-8", "replace").splitlines():
        kind, _, name = line.partition(" ")
        rows.append(("", name + "/") if kind == "d" else (kind, name))
    width = max([len(size) for size, _ in rows] + [1])
    lines = ["%s:" % folder] + ["  %*s  %s" % (width, size, name) for size, name in rows]
    return "\n".join(lines) + "\n"
