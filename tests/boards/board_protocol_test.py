#!/usr/bin/python3
"""A board driven over its pseudo-terminal the way MicroPython's tools drive an ESP32, with
the bytes checked against MicroPython's documented protocol (docs: reference/repl.html, "Raw
mode and raw-paste mode"; shared/runtime/pyexec.c): the raw REPL, raw-paste with its flow
control, Ctrl-C during time.sleep(60), Ctrl-D soft reset running boot.py, the friendly REPL
and paste mode, machine.reset()."""

import os
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AirTestCase  # noqa: E402

BANNER = (b"MicroPython v1.27.0 on 2025-12-10; Generic ESP32 module with ESP32\r\n"
          b'Type "help()" for more information.\r\n')


class Protocol(AirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.board = cls.air.board("proto", "02:00:00:00:0c:01")
        cls.port = cls.board.port

    def setUp(self):
        # Each test starts in the friendly REPL with nothing pending.
        self.port.write(b"\x02")
        self.port.drain(0.2)

    def raw(self):
        self.port.write(b"\x01")
        self.assertEqual(self.port.read_until(b">"), b"\r\nraw REPL; CTRL-B to exit\r\n>")

    def test_raw_repl_exchange(self):
        self.raw()
        self.port.write(b"print('hi')\x04")
        self.assertEqual(self.port.read_until(b"\x04>"), b"OKhi\r\n\x04\x04>")
        self.port.write(b"x = [1, 2\x04")
        reply = self.port.read_until(b"\x04>")
        self.assertTrue(reply.startswith(b"OK\x04Traceback (most recent call last):\r\n"), reply)
        self.assertIn(b"SyntaxError", reply)
        self.port.write(b"\x02")
        self.assertEqual(self.port.read_until(b">>> "), b"\r\n" + BANNER + b">>> ")

    def test_raw_paste_with_flow_control(self):
        self.raw()
        self.port.write(b"\x05A\x01")
        self.assertEqual(self.port.read_until(b"\x01", 5)[:2], b"R\x01")
        window = struct.unpack("<H", self.port.read_until(b"\x01")[:2])[0]
        # The window comes first (2 bytes), then one \x01 saying a window is free.
        self.assertEqual(window, 128)
        code = b"".join(b"v%d = %d\n" % (i, i) for i in range(200)) + b"print(v199 + v1)\n"
        sent, credit = 0, window  # as mpremote: send while credit lasts, wait for \x01
        while sent < len(code):
            if credit == 0:
                self.assertEqual(self.port.read_until(b"\x01", 5), b"\x01")
                credit = window
            chunk = code[sent:sent + credit]
            self.port.write(chunk)
            sent += len(chunk)
            credit -= len(chunk)
        self.port.write(b"\x04")
        reply = self.port.drain(1.0)
        # Flow-control \x01s may still precede the end; then \x04, output, \x04, error, \x04, >.
        self.assertEqual(reply.lstrip(b"\x01"), b"\x04200\r\n\x04\x04>")

    def test_ctrl_c_ends_time_sleep_60(self):
        self.raw()
        self.port.write(b"import time\nprint('sleeping')\ntime.sleep(60)\nprint('woke')\x04")
        self.assertEqual(self.port.read_until(b"sleeping\r\n"), b"OKsleeping\r\n")
        started = time.monotonic()
        self.port.write(b"\x03")
        reply = self.port.read_until(b"\x04>", 10)
        self.assertLess(time.monotonic() - started, 5)
        self.assertTrue(reply.startswith(b"\x04Traceback (most recent call last):\r\n"), reply)
        self.assertTrue(reply.endswith(b"KeyboardInterrupt: \r\n\x04>"), reply)
        self.assertNotIn(b"woke", reply)
        # The board serves on.
        self.port.write(b"print(6 * 7)\x04")
        self.assertEqual(self.port.read_until(b"\x04>"), b"OK42\r\n\x04\x04>")

    def test_ctrl_d_soft_reset_runs_boot_py(self):
        with open(os.path.join(self.board.fs, "boot.py"), "w") as f:
            f.write("print('boot.py ran')\nbooted = 1\n")
        with open(os.path.join(self.board.fs, "main.py"), "w") as f:
            f.write("print('main.py ran')\n")
        try:
            self.raw()
            self.port.write(b"leftover = 1\x04")
            self.port.read_until(b"\x04>")
            # Ctrl-D on an empty raw REPL: OK, soft reboot, boot.py (not main.py), raw prompt.
            self.port.write(b"\x04")
            self.assertEqual(self.port.read_until(b"CTRL-B to exit\r\n>", 30),
                             b"OK\r\nMPY: soft reboot\r\nboot.py ran\r\nraw REPL; CTRL-B to exit\r\n>")
            self.port.write(b"print(booted, 'leftover' in globals())\x04")
            self.assertEqual(self.port.read_until(b"\x04>"), b"OK1 False\r\n\x04\x04>")
            # In the friendly REPL, Ctrl-D runs boot.py then main.py, then the banner.
            self.port.write(b"\x02")
            self.port.read_until(b">>> ")
            self.port.write(b"\x04")
            self.assertEqual(self.port.read_until(b">>> ", 30),
                             b"\r\nMPY: soft reboot\r\nboot.py ran\r\nmain.py ran\r\n" + BANNER + b">>> ")
        finally:
            os.remove(os.path.join(self.board.fs, "boot.py"))
            os.remove(os.path.join(self.board.fs, "main.py"))

    def test_sys_exit_soft_resets(self):
        self.raw()
        self.port.write(b"print('bye')\nimport sys\nsys.exit()\x04")
        self.assertEqual(self.port.read_until(b"CTRL-B to exit\r\n>", 30),
                         b"OKbye\r\n\x04\x04MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>")

    def test_friendly_repl_single_mode_and_compound(self):
        self.port.write(b"1 + 2\r")
        self.assertEqual(self.port.read_until(b">>> "), b"1 + 2\r\n3\r\n>>> ")
        self.port.write(b"for i in range(2):\r")
        self.assertEqual(self.port.read_until(b"...     "), b"for i in range(2):\r\n...     ")
        self.port.write(b"print(i)\r\x7f\r")
        self.assertEqual(self.port.read_until(b">>> "),
                         b"print(i)\r\n...     \b\b\b\b\x1b[K\r\n0\r\n1\r\n>>> ")

    def test_paste_mode(self):
        self.port.write(b"\x05")
        self.assertEqual(self.port.read_until(b"=== "),
                         b"\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ")
        self.port.write(b"a = 2\rprint(a * 21)\r\x04")
        self.assertEqual(self.port.read_until(b">>> "),
                         b"a = 2\r\n=== print(a * 21)\r\n=== \r\n42\r\n>>> ")

    def test_flash_survives_machine_reset(self):
        out, err = self.board.exec(
            "with open('kept.txt', 'w') as f:\n    f.write('flash')\nimport machine")
        self.assertEqual(err, "")
        self.port.write(b"machine.reset()\x04")
        reply = self.port.read_until(b">>> ", 30)
        self.assertIn(b"rst:0xc (SW_CPU_RESET)", reply)
        self.assertTrue(reply.endswith(BANNER + b">>> "), reply)
        self.board.in_raw = False
        out, err = self.board.exec("import machine\nprint(open('kept.txt').read(), machine.reset_cause())")
        self.assertEqual((out, err), ("flash 2\r\n", ""))
        with open(os.path.join(self.board.fs, "kept.txt")) as f:
            self.assertEqual(f.read(), "flash")


if __name__ == "__main__":
    unittest.main()
