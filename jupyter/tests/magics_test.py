"""How cells split into magics and MicroPython, each magic's options and errors, and the
file programs (run here by CPython, which shares the subset of Python they use)."""

import base64
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from airlab_kernel import board_files  # noqa: E402
from airlab_kernel.magics import MagicError, lsmagic_text, split_cell  # noqa: E402


class SplitCell(unittest.TestCase):
    def test_plain_code_is_one_step(self):
        self.assertEqual(split_cell("import network\nprint(1)\n"), ["import network\nprint(1)\n"])

    def test_the_labs_connect_cell(self):
        (magic,) = split_cell("%serialconnect --port=1 --baud=115200")
        self.assertEqual((magic.name, magic.args.port, magic.args.baud), ("serialconnect", "1", 115200))

    def test_magics_then_code_keep_the_cells_line_numbers(self):
        steps = split_cell("# flash\n%sendtofile --source a.py /\n\nimport machine\nmachine.reset()\n")
        self.assertEqual(steps[0].name, "sendtofile")
        self.assertEqual((steps[0].args.source, steps[0].args.dest), ("a.py", "/"))
        self.assertEqual(steps[1].splitlines()[3], "import machine")

    def test_sendtofile_without_source_takes_the_rest_of_the_cell(self):
        (magic,) = split_cell("%sendtofile --append log.txt\nline 1\n%not a magic\n")
        self.assertTrue(magic.args.append)
        self.assertEqual(magic.body, "line 1\n%not a magic\n")

    def test_options_of_the_labs_flash_cells(self):
        steps = split_cell("%mpy-cross --set-exe ./mpy-cross\n%mpy-cross wifi_manager.py\n%sendtofile --binary --source ./wifi_manager.mpy /")
        self.assertEqual(steps[0].args.set_exe, "./mpy-cross")
        self.assertEqual(steps[1].args.file, "wifi_manager.py")
        self.assertTrue(steps[2].args.binary)
        (esptool,) = split_cell("%esptool esp32 firmware.bin")
        self.assertEqual((esptool.args.action, esptool.args.bin), ("esp32", "firmware.bin"))

    def test_unknown_magic(self):
        with self.assertRaisesRegex(MagicError, r"unknown magic %run; %lsmagic lists"):
            split_cell("%run thing.py")

    def test_bad_options_name_the_usage(self):
        with self.assertRaisesRegex(MagicError, r"%serialconnect: .*--bogus.*usage: serialconnect"):
            split_cell("%serialconnect --bogus")
        with self.assertRaisesRegex(MagicError, r"invalid int value"):
            split_cell("%serialconnect --baud=fast")
        with self.assertRaisesRegex(MagicError, r"invalid choice"):
            split_cell("%esptool flash")

    def test_cell_magics_are_refused_clearly(self):
        with self.assertRaisesRegex(MagicError, "cell magics"):
            split_cell("%%writefile x.py\nprint(1)")

    def test_lsmagic_lists_every_magic(self):
        text = lsmagic_text()
        for name in ["serialconnect", "sendtofile", "fetchfile", "ls", "rebootdevice", "disconnect", "mpy-cross", "esptool", "lsmagic"]:
            self.assertIn("%" + name, text)


class FilePrograms(unittest.TestCase):
    """The programs are run by CPython in a temporary folder: the file they leave is checked."""

    def run_programs(self, programs):
        for program in programs:
            exec(program, self.namespace)

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        old = os.getcwd()
        os.chdir(folder.name)
        self.addCleanup(os.chdir, old)
        self.namespace = {}

    def test_text_is_sent_as_repr_lines(self):
        text = "print('a')\r\nquote = \"'\"\n\u00e9\n" * 50
        programs = board_files.send_file_programs("t.py", text.encode(), binary=False)
        self.assertIn("_airlab_file.write(\"print('a')\\r\\n\")\n", programs[1])
        self.run_programs(programs)
        with open("t.py", "rb") as f:
            self.assertEqual(f.read(), text.encode())

    def test_binary_is_sent_as_30_byte_base64_pieces(self):
        data = bytes(range(256)) * 3
        programs = board_files.send_file_programs("lib/x.mpy", data, binary=True, mkdir=True)
        pieces = [line for program in programs for line in program.splitlines() if "a2b_base64(b'" in line]
        self.assertEqual(len(pieces), (len(data) + 29) // 30)
        self.assertEqual(len(base64.b64decode(pieces[0].split("'")[1])), 30)
        self.run_programs(programs)
        with open("lib/x.mpy", "rb") as f:
            self.assertEqual(f.read(), data)

    def test_append(self):
        self.run_programs(board_files.send_file_programs("a.txt", b"one\n", binary=False))
        self.run_programs(board_files.send_file_programs("a.txt", b"two\n", binary=False, append=True))
        with open("a.txt") as f:
            self.assertEqual(f.read(), "one\ntwo\n")

    def test_fetch_round_trip(self):
        data = os.urandom(1000)
        with open("blob", "wb") as f:
            f.write(data)
        lines = []
        self.namespace["print"] = lambda *args: lines.append(" ".join(map(str, args)))
        exec(board_files.fetch_file_program("blob"), self.namespace)
        self.assertEqual(board_files.decode_fetched("\n".join(lines).encode()), data)

    def test_listing(self):
        os.mkdir("lib")
        with open("boot.py", "w") as f:
            f.write("x" * 123)
        lines = []
        self.namespace["print"] = lambda *args: lines.append(" ".join(map(str, args)))
        exec(board_files.list_dir_program("."), self.namespace)
        table = board_files.format_listing(".", "\n".join(lines).encode())
        self.assertEqual(table, ".:\n  123  boot.py\n       lib/\n")


if __name__ == "__main__":
    unittest.main()
