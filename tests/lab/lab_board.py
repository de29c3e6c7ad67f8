"""A board `airlab lab up` started, driven over its serial port as MicroPython's tools drive
one (tests/boards/harness.py's raw REPL)."""

import os
import sys

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
