#!/usr/bin/python3
"""The lab's MicroPython cells, verbatim from reference/lab-scripts/, on two virtual boards:
the master cells on one, the slave cells on the other, with examples/lab/thingspeak.py on the
master's flash and the lab's cloud (`airlab serve`) behind api.thingspeak.com. The cells
print what they print on the real boards (the MACs, True for delivered sends); the slave's
readings "0".."4" reach the channel through the master, and a value written to the channel
reaches the slave.

The cells are read at test time from ../shared/reference/lab-scripts/ next to the source
tree; the test is skipped where that folder is not (they are the lab's, not ours)."""

import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cloud import Cloud  # noqa: E402
from harness import SOURCE, Air  # noqa: E402

CELLS = os.path.join(os.path.dirname(SOURCE), "shared", "reference", "lab-scripts")
LAB_KEY = "E13BHXREJ6K0V1DQ"
ROUTER = ("lab-router", "lab-password", 1)
# The cells print the soft-AP MACs; a board's --mac is its station MAC, one less.
MASTER_STATION = "4c:11:ae:89:bd:d4"
SLAVE_STATION = "4c:11:ae:89:bc:94"
# Stands in for the master's Wi-Fi manager (its boot.py in the lab): joins the router.
MASTER_BOOT = ("import network\n"
               "sta = network.WLAN(network.STA_IF)\n"
               "sta.active(True)\n"
               "sta.connect(%r, %r)\n" % ROUTER[:2])


def cell(name):
    with open(os.path.join(CELLS, name)) as f:
        return f.read()


def start(board, code):
    """Starts `code` in the raw REPL without waiting for it to end (the master's loops never
    end)."""
    if not board.in_raw:
        board.enter_raw()
    board.write(code.encode() + b"\x04")
    board.port.read_until(b"OK", 10)


def interrupt(board):
    """Ctrl-C to a running program; its output up to the KeyboardInterrupt's traceback."""
    board.write(b"\x03")
    out = board.port.read_until(b"\x04", 20)
    err = board.port.read_until(b"\x04", 20)
    board.port.read_until(b">", 10)
    return out, err


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


@unittest.skipUnless(os.path.isdir(CELLS), "the lab's cells are not at " + CELLS)
class LabCells(unittest.TestCase):
    def test_the_lab_on_two_boards(self):
        with Air() as air, Cloud(air.folder) as cloud:
            channel = cloud.channel("lab", write_key=LAB_KEY, channel_id=179)
            master_flash = os.path.join(air.folder, "master-flash")
            os.makedirs(master_flash)
            shutil.copy(os.path.join(SOURCE, "examples", "lab", "thingspeak.py"), master_flash)
            with open(os.path.join(master_flash, "boot.py"), "w") as f:
                f.write(MASTER_BOOT)
            master = air.board("master", MASTER_STATION, fs=master_flash, extra_args=[
                "--router", "%s:%s:%d" % ROUTER, "--cloud", cloud.url])
            slave = air.board("slave", SLAVE_STATION)
            out, err = master.exec("import os\nprint('thingspeak.py' in os.listdir('/'))")
            if out != "True\r\n":
                self.skipTest("this airlab board does not serve its --fs folder as its flash yet")

            self.assertEqual(slave.exec(cell("slave_setup.py")), ("b'L\\x11\\xae\\x89\\xbc\\x95'\r\n", ""))
            self.assertEqual(master.exec(cell("master_setup.py")), ("b'L\\x11\\xae\\x89\\xbd\\xd5'\r\n", ""))
            self.assertEqual(slave.exec("print(e.send(peer, 'hello', True))"), ("True\r\n", ""))
            self.assertEqual(master.exec("print(e.send(peer, b'hello', True))"), ("True\r\n", ""))

            # The slave's readings reach the channel through the master's loop.
            from_slave = cell("master_cloud_from_slave.py")
            if channel.write_key != LAB_KEY:  # this airlab cannot choose keys: the test's copy
                from_slave = from_slave.replace(LAB_KEY, channel.write_key)
            start(master, from_slave)
            time.sleep(2)  # its first line, e.clear(True), must not drop the first reading
            self.assertEqual(slave.exec(cell("slave_send.py")), ("0\r\n1\r\n2\r\n3\r\n4\r\n", ""))
            readings = ["0", "1", "2", "3", "4"]
            self.assertEqual(wait_for(lambda: cloud.field_values(channel.id) == readings and readings)
                             or cloud.field_values(channel.id), readings)
            out, err = interrupt(master)
            self.assertIn(b"KeyboardInterrupt", err)
            self.assertEqual(master.exec("print('still here')"), ("still here\r\n", ""))

            # A value written to the channel reaches the slave's output.
            to_slave = cell("master_cloud_to_slave.py")
            if channel.id != 179:
                to_slave = to_slave.replace('"179"', '"%d"' % channel.id)
            start(slave, cell("slave_receive.py"))
            start(master, to_slave)
            first = master.port.read_until(b"4\r\n", 30)  # the newest value when it began
            self.assertGreater(cloud.write(channel.write_key, "from-the-cloud"), 0)
            slave.port.read_until(b"bytearray(b'from-the-cloud')\r\n", 30)
            self.assertIn(b"KeyboardInterrupt", interrupt(slave)[1])
            out, err = interrupt(master)
            self.assertIn(b"from-the-cloud\r\n", first + out)


if __name__ == "__main__":
    unittest.main()
