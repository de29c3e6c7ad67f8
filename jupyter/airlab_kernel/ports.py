"""Which serial port `%serialconnect --port=P` means: a path, an index into the detected
ports, or the name of a board of a running `airlab lab`."""

import os

from serial.tools import list_ports

from .magics import MagicError


def detected_ports():
    """USB/UART serial ports the system lists (a real ESP32 is /dev/ttyUSB0 or /dev/ttyACM0),
    sorted so that an index means the same port from one call to the next."""
    return sorted(port.device for port in list_ports.comports())


def describe_ports(ports):
    if not ports:
        return "no serial port detected"
    return "detected ports: " + ", ".join("%d=%s" % (i, p) for i, p in enumerate(ports))


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
    if not os.path.exists(wanted):
        raise MagicError("--port=%s: no such device (%s)" % (wanted, describe_ports(ports)))
    return wanted


def is_virtual_board(path):
    """airlab's boards are pseudo-terminals; a USB-serial adapter never is."""
    return os.path.realpath(path).startswith("/dev/pts/")
