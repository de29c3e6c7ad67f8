"""A board `airlab lab up` started, driven over its serial port as MicroPython's tools drive
one (tests/boards/harness.py's raw REPL)."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'boards'))
import harness  # noqa: E402  (tests/boards: the serial port driven as MicroPython's tools do)


class LabBoard(harness.Board):
    """A board the lab started, driven over its serial port with harness.Board's raw REPL; the
    lab owns its process."""

    def __init__(self, name, path):  # pylint: disable=super-init-not-called
        self.name = name
        self.path = path
        self.port = harness.Port(path)
        self.in_raw = False

    def stop(self):
        self.port.close()

    def enter_raw(self, timeout=120):
        """harness.Board's, tried again until the board answers or `timeout` ends: a board of
        a class may still be starting MicroPython (30 start at once on two cores)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return super().enter_raw(min(10.0, max(1.0, deadline - time.monotonic())))
            except harness.BoardError:
                if time.monotonic() >= deadline:
                    raise
