"""Which serial port `%serialconnect --port=P` means: a path, an index into the detected
ports, or the name of a board of a running `airlab lab`."""

import glob
import json
import os

from serial.tools import list_ports

from .magics import MagicError


def detected_ports():
    """USB/UART serial ports the system lists (a real ESP32 is /dev/ttyUSB0 or /dev/ttyACM0),
    sorted so that an index means the same port from one call to the next."""
    return sorted(port.device for port in list_ports.comports())


def _lab_state_dir():
    """Where `airlab lab up` records what runs (host/room/lab_state.h says the same)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "airlab", "labs")
    return "/tmp/airlab-%d/labs" % os.getuid()


def _is_lab_running(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return any(args[i : i + 2] == [b"lab", b"up"] for i in range(len(args)))


def lab_boards():
    """{board name: [serial port, ...]} of the running labs (a name in several labs lists
    several ports)."""
    boards = {}
    for path in sorted(glob.glob(os.path.join(_lab_state_dir(), "lab-*.json"))):
        try:
            with open(path) as f:
                state = json.load(f)
            if not _is_lab_running(int(state["pid"])):
                continue
            for board in state["boards"]:
                boards.setdefault(board["name"], []).append(board["link"] or board["port"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written, or not a lab's: no board of it
    return boards


def describe_ports(ports):
    labs = lab_boards()
    said = ["%d=%s" % (i, p) for i, p in enumerate(ports)] + ["%s=%s" % (n, p[0]) for n, p in sorted(labs.items())]
    return ("ports: " + ", ".join(said)) if said else "no serial port detected and no lab running"


def resolve_port(wanted):
    """The device path for `wanted` (None: the first detected port)."""
    ports = detected_ports()
    if wanted is None:
        if not ports:
            raise MagicError(
                "no serial port detected: give one, e.g. %serialconnect --port=/dev/ttyUSB0 "
                "(a virtual board's port is the path `airlab board` or `airlab lab up` prints)"
            )
        return ports[0]
    if wanted.isdigit():
        index = int(wanted)
        if index >= len(ports):
            raise MagicError("--port=%s: there is no port %d (%s)" % (wanted, index, describe_ports(ports)))
        return ports[index]
    if "/" not in wanted:
        labs = lab_boards().get(wanted, [])
        if len(labs) == 1:
            return labs[0]
        if labs:
            raise MagicError("--port=%s: %d running labs have a board %s (%s): give its port's path" % (wanted, len(labs), wanted, ", ".join(labs)))
    if not os.path.exists(wanted):
        raise MagicError("--port=%s: no such device or lab board (%s)" % (wanted, describe_ports(ports)))
    return wanted


def is_virtual_board(path):
    """airlab's boards are pseudo-terminals; a USB-serial adapter never is."""
    return os.path.realpath(path).startswith("/dev/pts/")
