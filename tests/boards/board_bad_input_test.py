#!/usr/bin/python3
"""A board keeps serving its REPL whatever comes: code that raises or runs out of memory,
output floods, garbage bytes on the serial port, a pure-Python loop that only a second
Ctrl-C (a hard restart) can end."""

import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AirTestCase  # noqa: E402


class BadInput(AirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.board = cls.air.board("bad", "02:00:00:00:0d:01")
        cls.port = cls.board.port

    def assert_serves(self):
        self.assertEqual(self.board.exec("print(6 * 7)"), ("42\r\n", ""))
        self.assertEqual(self.board.process.poll(), None)

    def test_memory_error(self):
        out, err = self.board.exec("b = bytearray(10 ** 9)")
        self.assertIn("MemoryError", err)
        out, err = self.board.exec("x = []\nwhile True:\n    x.append(bytearray(10000))")
        self.assertIn("MemoryError", err)
        self.board.exec("x = None")
        self.assert_serves()

    def test_recursion(self):
        out, err = self.board.exec("def f(n):\n    return f(n + 1)\nf(0)")
        self.assertIn("RuntimeError: maximum recursion depth exceeded", err)
        self.assert_serves()

    def test_output_flood(self):
        out, err = self.board.exec("for i in range(5000):\n    print('flood', i, 'x' * 60)",
                                   timeout=120)
        self.assertEqual(err, "")
        lines = out.split("\r\n")
        self.assertEqual(lines, ["flood %d %s" % (i, "x" * 60) for i in range(5000)] + [""])
        self.assert_serves()

    def test_garbage_on_the_port(self):
        rng = random.Random(11)
        for mode in (b"\x02", b"\x01"):  # the friendly REPL, then the raw REPL
            self.port.write(mode)
            # Every byte value, then random ones (Enters, Ctrl-Ds that soft-reset, escapes).
            self.port.write(bytes(range(256)) + bytes(rng.randrange(256) for _ in range(4000)))
            self.port.drain(0.5)
        # Some of the garbage runs as code (maybe a long computation): Ctrl-C, and a second
        # Ctrl-C a moment later (a restart if the first could not stop it), until the board
        # answers them with bare prompts only; then the tools' way in works.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.port.write(b"\x03")
            time.sleep(0.5)
            self.port.write(b"\x03")
            if self.port.drain(1.0) in (b"\r\n>>> \r\n>>> ", b""):
                break
        self.board.in_raw = False
        self.assert_serves()

    def test_second_ctrl_c_restarts_a_pure_loop(self):
        self.board.enter_raw()
        self.port.write(b"print('spinning')\nwhile True:\n    pass\n\x04")
        self.port.read_until(b"spinning\r\n")
        time.sleep(0.3)  # into the loop, past the print's last look at the interrupts
        self.port.write(b"\x03")
        time.sleep(0.5)  # the loop cannot see the first
        self.assertEqual(self.port.read_available(0.2), b"")
        self.port.write(b"\x03")
        reply = self.port.read_until(b">>> ", 30)
        self.assertIn(b"rst:0xc (SW_CPU_RESET)", reply)
        self.board.in_raw = False
        self.assertEqual(self.board.exec("import machine\nprint(machine.reset_cause())"),
                         ("2\r\n", ""))

    def test_printing_loop_ends_with_one_ctrl_c(self):
        self.board.enter_raw()
        self.port.write(b"i = 0\nwhile True:\n    i += 1\n    print(i)\n\x04")
        self.port.read_until(b"100\r\n")
        self.port.write(b"\x03")
        reply = self.port.read_until(b"\x04>", 10)
        self.assertIn(b"KeyboardInterrupt", reply)
        self.assert_serves()


if __name__ == "__main__":
    unittest.main()
