"""The kernel's side of the raw REPL protocol, byte by byte, on a real pseudo-terminal.

The other end is a script of what a board sends, so that the branches a virtual board never
takes (firmware without raw-paste, a small flow-control window, a board that resets) are
checked against MicroPython's documented protocol too. kernel_board_test.py drives a real
`airlab board`.
"""

import os
import pty
import struct
import sys
import threading
import tty
import unittest

import serial

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from airlab_kernel.raw_repl import BANNER_END, RAW_PROMPT, BoardError, RawRepl, ReplError  # noqa: E402


class ScriptedBoard:
    """The board's end of a pty: `expect` reads exactly the bytes given (or fails the
    test), `send` answers."""

    def __init__(self):
        self.board_fd, host_fd = pty.openpty()
        tty.setraw(host_fd)
        tty.setraw(self.board_fd)
        self.path = os.ttyname(host_fd)
        self.host_fd = host_fd
        self.port = serial.Serial(self.path, 115200, timeout=0.05)
        self.failure = None

    def close(self):
        self.port.close()
        os.close(self.host_fd)
        os.close(self.board_fd)

    def read(self, count):
        data = b""
        while len(data) < count:
            data += os.read(self.board_fd, count - len(data))
        return data

    def expect(self, wanted):
        got = self.read(len(wanted))
        if got != wanted:
            raise AssertionError("host sent %r, protocol says %r" % (got, wanted))

    def send(self, data):
        os.write(self.board_fd, data)

    def run(self, script):
        """Runs script(self) on a thread; join() re-raises its failure in the test."""

        def body():
            try:
                script(self)
            except BaseException as error:  # reported by join()
                self.failure = error

        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()

    def join(self):
        self.thread.join(10)
        if self.failure:
            raise self.failure


class RawReplProtocol(unittest.TestCase):
    def setUp(self):
        self.board = ScriptedBoard()
        self.addCleanup(self.board.close)
        self.repl = RawRepl(self.board.port)

    def test_raw_paste_respects_the_window(self):
        code = b"x = 1\n" * 20  # 120 bytes through a 32-byte window
        window = 32

        def board(b):
            b.expect(b"\x01")
            b.send(b"\r\n" + RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(b"R\x01" + struct.pack("<H", window))
            received = b""
            while len(received) < len(code):
                received += b.read(min(window, len(code) - len(received)))  # never more than the window
                b.send(b"\x01")
            assert received == code, received
            b.expect(b"\x04")
            b.send(b"\x04")  # end of paste acknowledged; now output, \x04, error, \x04, >
            b.send(b"hello\r\n\x04\x04>")

        self.board.run(board)
        out = bytearray()
        result = self.repl.execute(code, out.extend)
        self.board.join()
        self.assertEqual(out, b"hello\r\n")
        self.assertEqual(result.error, "")
        self.assertFalse(result.reset)
        self.assertTrue(self.repl.raw_paste)

    def test_board_without_raw_paste_gets_the_raw_repl(self):
        code = b"print('a')\n" + b"#" * 600 + b"\n"

        def board(b):
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(b"R\x00")
            b.expect(code + b"\x04")
            b.send(b"OKa\r\n\x04Traceback (most recent call last):\r\nValueError: x\r\n\x04>")
            # The second execution does not ask for raw-paste again.
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"1\x04")
            b.send(b"OK\x04\x04>")

        self.board.run(board)
        out = bytearray()
        result = self.repl.execute(code, out.extend)
        self.assertEqual(out, b"a\r\n")
        self.assertIn("ValueError: x", result.error)
        self.assertEqual(self.repl.execute(b"1", out.extend).error, "")
        self.board.join()
        self.assertFalse(self.repl.raw_paste)

    def test_firmware_older_than_raw_paste(self):
        # It reads \x05 and A as code, then \x01 restarts its raw REPL.
        def board(b):
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(RAW_PROMPT)
            b.expect(b"2\x04")
            b.send(b"OK2\x04\x04>")

        self.board.run(board)
        self.assertEqual(self.repl.evaluate(b"2"), b"2")
        self.board.join()

    def test_interrupt_sends_ctrl_c_once_per_request(self):
        running = threading.Event()
        requests = []

        def interrupted():  # one request, once the program runs
            if running.is_set() and not requests:
                requests.append(True)
                return True
            return False

        def board(b):
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(b"R\x00")
            b.expect(b"sleep()\x04")
            b.send(b"OK")
            running.set()
            b.expect(b"\x03")
            b.send(b"\x04Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n\x04>")

        self.board.run(board)
        result = self.repl.execute(b"sleep()", bytearray().extend, interrupted)
        self.board.join()
        self.assertIn("KeyboardInterrupt", result.error)
        os.set_blocking(self.board.board_fd, False)
        with self.assertRaises(BlockingIOError):  # nothing more: one Ctrl-C per request
            os.read(self.board.board_fd, 1)

    def test_a_board_that_reboots_ends_the_execution(self):
        def board(b):
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(b"R\x00")
            b.expect(b"machine.reset()\x04")
            b.send(b"OKets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET)\r\n")
            b.send(b"MicroPython v1.27.0 on 2025-12-10; Generic ESP32 module with ESP32\r\n" + BANNER_END)

        self.board.run(board)
        out = bytearray()
        result = self.repl.execute(b"machine.reset()", out.extend)
        self.board.join()
        self.assertTrue(result.reset)
        self.assertIn(b"POWERON_RESET", out)

    def test_a_soft_reset_in_the_raw_repl(self):
        # MicroPython ends the execution (\x04\x04), then soft-reboots back into the raw REPL;
        # a board may also reboot without ending it: both end the call, and the next works.
        def board(b):
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(b"R\x00")
            b.expect(b"machine.soft_reset()\x04")
            b.send(b"OK\x04\x04MPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>")
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"machine.soft_reset()\x04")
            b.send(b"OKMPY: soft reboot\r\nboot.py ran\r\n" + RAW_PROMPT)
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"1\x04")
            b.send(b"OK1\x04\x04>")

        self.board.run(board)
        out = bytearray()
        self.assertEqual(self.repl.execute(b"machine.soft_reset()", out.extend).error, "")
        self.assertTrue(self.repl.execute(b"machine.soft_reset()", out.extend).reset)
        self.assertIn(b"boot.py ran", out)
        self.assertEqual(self.repl.evaluate(b"1"), b"1")
        self.board.join()

    def test_a_running_program_is_interrupted_to_get_the_prompt(self):
        def board(b):
            b.expect(b"\x01")  # main.py is running: no answer
            b.expect(b"\r\x03\x03")
            b.send(b"Traceback...KeyboardInterrupt\r\n>>> ")
            b.expect(b"\x01")
            b.send(RAW_PROMPT)

        self.board.run(board)
        self.assertTrue(self.repl.enter())
        self.board.join()

    def test_silence_is_a_clear_error(self):
        with self.assertRaisesRegex(ReplError, "no raw REPL prompt"):
            self.repl.enter()

    def test_a_traceback_from_a_helper_raises(self):
        def board(b):
            b.expect(b"\x01")
            b.send(RAW_PROMPT)
            b.expect(b"\x05A\x01")
            b.send(b"R\x00")
            b.expect(b"open('x')\x04")
            b.send(b"OK\x04Traceback (most recent call last):\r\nOSError: [Errno 2] ENOENT\r\n\x04>")

        self.board.run(board)
        with self.assertRaises(BoardError) as caught:
            self.repl.evaluate("open('x')")
        self.board.join()
        self.assertEqual(caught.exception.last_line(), "OSError: [Errno 2] ENOENT")


if __name__ == "__main__":
    unittest.main()
