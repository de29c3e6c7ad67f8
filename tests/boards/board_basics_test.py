#!/usr/bin/python3
"""`airlab board` end to end over its pseudo-terminal: the raw REPL runs code on the real
MicroPython runtime, errors come back between the EOFs, and the bridge reaches C++."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AirTestCase  # noqa: E402


class BoardBasics(AirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.board = cls.air.board("basics", "02:00:00:00:0b:01")

    def test_boot_shows_the_banner(self):
        self.assertIn(b"MicroPython v1.27.0 on 2025-12-10; Generic ESP32 module with ESP32\r\n",
                      self.board.boot_output)

    def test_raw_repl_runs_micropython(self):
        out, err = self.board.exec("import sys\nprint(sys.implementation.name, 6 * 7)")
        self.assertEqual((out, err), ("micropython 42\r\n", ""))

    def test_error_text_between_the_eofs(self):
        out, err = self.board.exec("print('before')\nraise ValueError('x')")
        self.assertEqual(out, "before\r\n")
        self.assertEqual(err, 'Traceback (most recent call last):\r\n'
                              '  File "<stdin>", line 2, in <module>\r\nValueError: x\r\n')

    def test_bridge_round_trip(self):
        out, err = self.board.exec("import _board\nprint(_board.call('board.echo', 1, 'two', [3]))")
        self.assertEqual((out, err), ("[1, 'two', [3]]\r\n", ""))

    def test_unknown_service_raises(self):
        out, err = self.board.exec("import _board\n_board.call('no.such')")
        self.assertIn("NotImplementedError: the board has no service no.such", err)

    def test_input_reads_a_line_from_the_port(self):
        self.board.enter_raw()
        self.board.port.write(b"name = input('name? ')\nprint('hello', name)\x04")
        self.assertEqual(self.board.port.read_until(b"name? "), b"OKname? ")
        self.board.port.write(b"board\r")
        self.assertEqual(self.board.port.read_until(b"\x04>"), b"board\r\nhello board\r\n\x04\x04>")

    def test_flash_files_through_os_and_open(self):
        out, err = self.board.exec(
            "import os\nos.mkdir('d')\nwith open('d/f.txt', 'w') as f:\n    f.write('one\\ntwo\\n')\n"
            "print(os.listdir('d'), open('/d/f.txt').readlines(), os.stat('d/f.txt')[6])\n"
            "os.rename('d/f.txt', 'd/g.txt')\nos.remove('d/g.txt')\nos.rmdir('d')\n"
            "print('d' in os.listdir())")
        self.assertEqual((out, err), ("['f.txt'] ['one\\n', 'two\\n'] 8\r\nFalse\r\n", ""))

    def test_flash_paths_stay_inside_the_folder(self):
        outside = os.path.join(self.air.folder, "secret.txt")
        with open(outside, "w") as f:
            f.write("host file")
        os.symlink(outside, os.path.join(self.board.fs, "link.txt"))
        out, err = self.board.exec("print(open('/../../../../secret.txt').read())")
        self.assertIn("OSError: [Errno 2] ENOENT", err)
        out, err = self.board.exec("print(open('link.txt').read())")
        self.assertIn("OSError: [Errno 13] EACCES", err)

    def test_globals_persist_between_programs(self):
        self.board.exec("kept = 5")
        self.assertEqual(self.board.exec("print(kept)"), ("5\r\n", ""))


if __name__ == "__main__":
    unittest.main()
