"""The kernel, started by jupyter_client as Jupyter starts it, driving a real `airlab board`
(tests/boards/harness.py starts a hub and the board): the magics' round trips, output that
streams while the cell runs, the board's tracebacks as errors, an interrupt ending a long
time.sleep, resets.

The airlab program is $AIRLAB_BINARY (ctest sets it), as for harness.py.
"""

import os
import subprocess
import sys
import tempfile
import time
import unittest

import serial
from jupyter_client.manager import start_new_kernel

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "boards"))
import harness  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "jupyter"))
from airlab_kernel.raw_repl import RawRepl  # noqa: E402


class Cell:
    """What one execution produced: the reply, the stream text with arrival times, errors."""

    def __init__(self, reply, streams, errors):
        self.reply = reply
        self.streams = streams  # [(seconds since the request, text)]
        self.errors = errors

    @property
    def text(self):
        return "".join(text for _, text in self.streams)

    def arrival(self, text):
        """When the output first held `text` (a board's output comes in pieces)."""
        seen = ""
        for at, piece in self.streams:
            seen += piece
            if text in seen:
                return at
        raise AssertionError("%r never came in %r" % (text, seen))

    @property
    def status(self):
        return self.reply["status"]


class KernelOnBoard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        prefix = cls.folder.name
        install = [sys.executable, os.path.join(ROOT, "jupyter", "install_kernelspec.py"), "--prefix", prefix]
        subprocess.run(install, check=True, stdout=subprocess.DEVNULL)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        cls.air = harness.Air().__enter__()
        cls.board = cls.air.board("kernel", "02:00:00:00:00:31")
        cls.board.port.close()  # the kernel's from now on
        cls.work = os.path.join(prefix, "work")
        os.mkdir(cls.work)
        cls.km, cls.kc = start_new_kernel(kernel_name="airlab-micropython", cwd=cls.work)
        cell = cls.run_cell("%%serialconnect --port=%s --baud=115200" % cls.board.path)
        assert cell.status == "ok" and "Connected to" in cell.text, cell.text + str(cell.errors)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)
        cls.air.__exit__(None, None, None)
        cls.folder.cleanup()

    @classmethod
    def run_cell(cls, code, timeout=60, while_running=()):
        """Executes code; while_running: (seconds, action) pairs to do while it runs."""
        msg_id = cls.kc.execute(code)
        start = time.monotonic()
        streams, errors = [], []
        actions = sorted(while_running)
        while True:
            if actions and time.monotonic() - start > actions[0][0]:
                actions.pop(0)[1]()
            try:
                msg = cls.kc.get_iopub_msg(timeout=0.2)
            except Exception:  # queue.Empty: nothing yet
                if time.monotonic() - start > timeout:
                    raise AssertionError("no end of %r in %d s" % (code, timeout))
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                streams.append((time.monotonic() - start, msg["content"]["text"]))
            elif kind == "error":
                errors.append(msg["content"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                break
        reply = cls.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = cls.kc.get_shell_msg(timeout=timeout)
        return Cell(reply["content"], streams, errors)

    def run_ok(self, code, **kwargs):
        cell = self.run_cell(code, **kwargs)
        self.assertEqual(cell.status, "ok", "%r: %s %s" % (code, cell.text, cell.errors))
        return cell

    def test_output_streams_while_the_cell_runs(self):
        cell = self.run_ok("import time\nfor i in range(3):\n    print('tick', i)\n    time.sleep(0.7)\n")
        self.assertEqual(cell.text.split(), ["tick", "0", "tick", "1", "tick", "2"])
        self.assertGreater(cell.arrival("tick 2\n") - cell.arrival("tick 0\n"), 1.0, "tick 0 came with tick 2: not streamed")

    def test_a_traceback_is_the_cells_error(self):
        cell = self.run_cell("x = 1\nraise ValueError('bad value %d' % x)")
        self.assertEqual(cell.status, "error")
        self.assertEqual((cell.reply["ename"], cell.reply["evalue"]), ("ValueError", "bad value 1"))
        self.assertIn('File "<stdin>", line 2', "\n".join(cell.reply["traceback"]))
        self.assertEqual(cell.errors[0]["ename"], "ValueError")
        self.assertEqual(self.run_ok("print(x + 1)").text, "2\n")  # the board goes on

    def test_interrupt_ends_a_long_sleep(self):
        began = time.monotonic()
        cell = self.run_cell("import time\nprint('sleeping')\ntime.sleep(60)\nprint('woke')", while_running=[(1.5, self.km.interrupt_kernel)])
        self.assertLess(time.monotonic() - began, 30)
        self.assertEqual(cell.status, "error")
        self.assertEqual(cell.reply["ename"], "KeyboardInterrupt")
        self.assertIn("sleeping", cell.text)
        self.assertNotIn("woke", cell.text)
        self.assertEqual(self.run_ok("print(6 * 7)").text, "42\n")

    def test_sys_exit_soft_resets_and_the_next_cell_runs(self):
        self.run_ok("kept = 1")
        self.run_ok("import sys\nsys.exit()")
        self.assertEqual(self.run_ok("print('kept' in globals())").text, "False\n")

    def test_a_pure_python_loop_ends_at_the_second_interrupt(self):
        # The WebAssembly interpreter cannot see a Ctrl-C inside `while True: pass`; a second
        # one restarts it as a hard reset (airlab board's documented limit).
        self.run_ok("kept = 1")
        interrupt = self.km.interrupt_kernel
        cell = self.run_cell("while True:\n    pass", while_running=[(1.5, interrupt), (2.0, interrupt)])
        self.assertIn("[the board rebooted]", cell.text)
        self.assertEqual(self.run_ok("print('kept' in globals())").text, "False\n")

    def test_text_file_round_trip(self):
        text = "# a file\nprint('caf\u00e9')\r\nquote = \"'\"\n"
        sent = self.run_ok("%sendtofile --mkdir lib/t.py\n" + text)
        self.assertIn("lib/t.py", sent.text)
        listing = self.run_ok("%ls lib")
        self.assertIn(" %d  t.py" % len(text.encode()), listing.text)
        self.run_ok("%fetchfile lib/t.py back.py")
        with open(os.path.join(self.work, "back.py"), "rb") as f:
            self.assertEqual(f.read(), text.encode())
        self.assertEqual(self.run_ok("%fetchfile --print lib/t.py").text, text)

    def test_binary_file_round_trip_from_a_source(self):
        data = os.urandom(3001)
        with open(os.path.join(self.work, "blob.bin"), "wb") as f:
            f.write(data)
        self.run_ok("%sendtofile --binary --source blob.bin /")
        self.run_ok("%sendtofile --binary --append --source blob.bin /blob.bin")
        self.assertIn(" %d  blob.bin" % (2 * len(data)), self.run_ok("%ls /").text)
        self.run_ok("%fetchfile --binary /blob.bin copy.bin")
        with open(os.path.join(self.work, "copy.bin"), "rb") as f:
            self.assertEqual(f.read(), data + data)
        self.assertEqual(self.run_ok("import os\nprint(os.stat('/blob.bin')[6])").text, "%d\n" % (2 * len(data)))

    def test_missing_file_is_the_boards_error(self):
        cell = self.run_cell("%fetchfile /no/such.file")
        self.assertEqual((cell.status, cell.reply["ename"]), ("error", "OSError"))

    def test_rebootdevice_runs_boot_py_in_a_fresh_interpreter(self):
        self.run_ok("%sendtofile boot.py\nprint('boot.py ran')\n")
        self.run_ok("left_over = 1")
        cell = self.run_ok("%rebootdevice")
        self.assertIn("soft reboot", cell.text)
        self.assertIn("boot.py ran", cell.text)
        self.assertEqual(self.run_ok("print('left_over' in globals())").text, "False\n")
        self.run_ok("import os\nos.remove('boot.py')")

    def test_machine_reset_in_a_cell(self):
        self.run_ok("kept = 1")
        cell = self.run_ok("import machine\nmachine.reset()")
        self.assertIn("[the board rebooted]", cell.text)
        self.assertEqual(self.run_ok("print('kept' in globals())").text, "False\n")

    def test_magics_that_cannot_run_here_say_why(self):
        cell = self.run_cell("%esptool erase")
        self.assertIn("virtual airlab board", cell.reply["evalue"])
        cell = self.run_cell("%frobnicate")
        self.assertIn("unknown magic %frobnicate", cell.reply["evalue"])

    def test_mpy_cross_runs_the_program_named(self):
        cell = self.run_cell("%mpy-cross thingspeak.py")
        self.assertEqual(cell.status, "error")
        self.assertIn("no mpy-cross set", cell.reply["evalue"])
        # /bin/echo stands for a user's mpy-cross: the magic runs it on FILE and shows its output.
        self.assertIn("echo", self.run_ok("%mpy-cross --set-exe /bin/echo").text)
        self.assertEqual(self.run_ok("%mpy-cross wifi_manager.py").text, "wifi_manager.py\n")


class RawReplOnBoard(unittest.TestCase):
    """The protocol layer alone on a real board: it answers raw-paste (R\\x01), so a program
    larger than its flow-control window goes through raw-paste, whole."""

    def test_a_long_program_goes_by_raw_paste(self):
        with harness.Air() as air:
            board = air.board("raw", "02:00:00:00:00:33")
            board.port.close()
            with serial.Serial(board.path, 115200, timeout=0.05) as port:
                repl = RawRepl(port)
                lines = ["x%d = %d" % (i, i) for i in range(600)]  # ~6 KB
                out = bytearray()
                result = repl.execute("\n".join(lines) + "\nprint(x599 + x1)\n", out.extend)
                self.assertTrue(repl.raw_paste)
                self.assertEqual((bytes(out), result.error), (b"600\r\n", ""))


if __name__ == "__main__":
    unittest.main()
