"""The Jupyter kernel: cells run on a MicroPython board over its serial port (raw REPL),
with the lab's magics. A virtual `airlab board` and an ESP32 on /dev/ttyUSB0 are driven
the same way."""

import codecs
import os
import shutil
import signal
import subprocess
import threading

import serial
from ipykernel.kernelbase import Kernel

from . import board_files, magics, ports
from .magics import MagicError
from .raw_repl import BoardError, RawRepl, ReplError

__version__ = "1.0"


class _Output:
    """Board bytes -> the cell's stdout, decoded as UTF-8 across chunk boundaries, with the
    board's \\r\\n line ends as \\n."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending_cr = False

    def __call__(self, data):
        text = self.decoder.decode(bytes(data))
        if self.pending_cr:
            text = "\r" + text
        self.pending_cr = text.endswith("\r")
        if self.pending_cr:
            text = text[:-1]
        self.kernel.show(text.replace("\r\n", "\n"))


class MicroPythonKernel(Kernel):
    implementation = "airlab-micropython"
    implementation_version = __version__
    language = "python"
    language_version = "3"
    language_info = {
        "name": "python",
        "version": "3",
        "mimetype": "text/x-python",
        "file_extension": ".py",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "pygments_lexer": "python3",
    }
    banner = "MicroPython on a board's serial port (airlab); %lsmagic lists the magics"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.port = None  # serial.Serial while connected
        self.repl = None
        self.mpy_cross = None
        self._interrupt = threading.Event()
        self.executing = False  # a cell runs (on the shell thread)

    # Jupyter interrupts a kernel with SIGINT. Instead of raising KeyboardInterrupt wherever
    # the kernel happens to be (inside a zmq send, say), the handler sets a flag that the
    # serial loops poll every 50 ms; they answer it with Ctrl-C to the board.
    def pre_handler_hook(self):
        self.saved_sigint_handler = signal.signal(signal.SIGINT, lambda *_: self._interrupt.set())

    def post_handler_hook(self):
        signal.signal(signal.SIGINT, self.saved_sigint_handler)

    def interrupted(self):
        if self._interrupt.is_set():
            self._interrupt.clear()
            return True
        return False

    def show(self, text, name="stdout"):
        if text:
            self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False):
        self._interrupt.clear()
        self.executing = True
        try:
            return self.execute_cell(code)
        finally:
            self.executing = False

    def execute_cell(self, code):
        try:
            for step in magics.split_cell(code):
                if isinstance(step, str):
                    error = self.run_on_board(step)
                    if error:
                        return self.error_reply(error)
                else:
                    getattr(self, "magic_" + step.name.replace("-", "_"))(step)
        except BoardError as error:
            return self.error_reply(str(error))
        except (MagicError, ReplError) as error:
            return self.error_reply(str(error), ename=type(error).__name__)
        except serial.SerialException as error:
            self.close_port()
            return self.error_reply("the serial port failed (%s); %%serialconnect again" % error, ename="SerialError")
        except OSError as error:  # a local file of a magic: --source, %fetchfile's DEST
            return self.error_reply(str(error), ename=type(error).__name__)
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def error_reply(self, text, ename=None):
        """A board traceback (its last line says `Type: value`) or one of our messages."""
        lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
        if ename is None:
            ename, _, evalue = lines[-1].partition(": ")
        else:
            evalue = text
        content = {"ename": ename, "evalue": evalue, "traceback": lines}
        self.send_response(self.iopub_socket, "error", content)
        return dict(content, status="error", execution_count=self.execution_count)

    def need_board(self):
        if self.repl is None:
            raise MagicError("no board connected: %serialconnect first, e.g. %serialconnect --port=/dev/ttyUSB0 --baud=115200")
        return self.repl

    def run_on_board(self, code):
        """Runs code, streaming its output; returns the board's traceback text or ''."""
        result = self.need_board().execute(code, _Output(self), self.interrupted)
        if result.reset:
            self.show("\n[the board rebooted]\n")
        return result.error

    def evaluate(self, code):
        return self.need_board().evaluate(code, self.interrupted)

    def close_port(self):
        if self.port is not None:
            try:
                self.port.close()
            finally:
                self.port = self.repl = None

    def do_shutdown(self, restart):
        # Shutdown comes on the control thread: a running cell still reads the port, and the
        # process's end closes it; an idle board is left in its friendly REPL.
        if self.executing:
            return {"status": "ok", "restart": restart}
        if self.repl is not None:
            try:
                self.repl.leave()
            except (serial.SerialException, OSError):
                pass
        self.close_port()
        return {"status": "ok", "restart": restart}

    # The magics, one method each (magic_NAME; '-' in a name becomes '_').

    def magic_lsmagic(self, magic):
        self.show(magics.lsmagic_text())

    def magic_serialconnect(self, magic):
        self.close_port()
        path = ports.resolve_port(magic.args.port)
        try:
            # exclusive: a second notebook on the same board gets this error, not mixed bytes
            self.port = serial.Serial(path, magic.args.baud, timeout=0.05, exclusive=True)
        except serial.SerialException as error:
            raise MagicError("%%serialconnect: cannot open %s (%s): is another notebook connected to it?" % (path, error))
        self.repl = RawRepl(self.port)
        try:
            interrupted_program = self.repl.enter(self.interrupted)
        except ReplError:
            self.close_port()
            raise
        note = " (it was running a program: interrupted)" if interrupted_program else ""
        self.show("Connected to %s at %d baud%s; ready.\n" % (path, magic.args.baud, note))

    def magic_disconnect(self, magic):
        if self.repl is None:
            self.show("Not connected.\n")
            return
        path = self.port.name
        self.repl.leave()
        self.close_port()
        self.show("Disconnected from %s.\n" % path)

    def magic_rebootdevice(self, magic):
        self.need_board().soft_reset(_Output(self), self.interrupted)

    def magic_ls(self, magic):
        self.show(board_files.format_listing(magic.args.dir, self.evaluate(board_files.list_dir_program(magic.args.dir))))

    def magic_sendtofile(self, magic):
        args = magic.args
        if args.source is None:
            if not args.dest:
                raise MagicError("%sendtofile: give DEST (a path on the board), or --source FILE")
            data = magic.body.encode("utf-8")
            dest = args.dest
        else:
            with open(args.source, "rb") as source:
                data = source.read()
            name = os.path.basename(args.source)
            dest = name if not args.dest else args.dest + name if args.dest.endswith("/") else args.dest
        try:
            programs = board_files.send_file_programs(dest, data, args.binary, args.append, args.mkdir)
        except UnicodeDecodeError:
            raise MagicError("%%sendtofile: %s is not UTF-8 text: add --binary" % (args.source or "the cell"))
        try:
            for program in programs:
                self.evaluate(program)
        except BoardError:
            self.evaluate(board_files.CLOSE_PROGRAM)  # the last program did not run
            raise
        self.show("Sent %d bytes to %s.\n" % (len(data), dest))

    def magic_fetchfile(self, magic):
        args = magic.args
        data = board_files.decode_fetched(self.evaluate(board_files.fetch_file_program(args.src)))
        if args.print:
            self.show(data.decode("utf-8", "replace"))
            return
        dest = args.dest or os.path.basename(args.src.rstrip("/"))
        if not args.binary:
            data.decode("utf-8")  # text must be text: say so rather than write mojibake
        aside = dest + ".part"
        with open(aside, "wb") as out:
            out.write(data)
        os.replace(aside, dest)
        self.show("Fetched %s (%d bytes) to %s.\n" % (args.src, len(data), dest))

    def magic_mpy_cross(self, magic):
        args = magic.args
        if args.set_exe:
            exe = shutil.which(args.set_exe)
            if exe is None:
                raise MagicError("%%mpy-cross --set-exe %s: not an executable program" % args.set_exe)
            self.mpy_cross = exe
            self.show("mpy-cross is %s.\n" % exe)
        if not args.file:
            if not args.set_exe:
                raise MagicError("%mpy-cross: give FILE to compile (and --set-exe PATH once)")
            return
        if self.mpy_cross is None:
            raise MagicError(
                "%mpy-cross: no mpy-cross set (Debian has none): build MicroPython's mpy-cross, "
                "then %mpy-cross --set-exe PATH; or send the .py file itself with %sendtofile --source"
            )
        self.run_program([self.mpy_cross, args.file], "mpy-cross")

    def magic_esptool(self, magic):
        args = magic.args
        path = ports.resolve_port(args.port) if args.port else (self.port.name if self.port else ports.resolve_port(None))
        if ports.is_virtual_board(path):
            raise MagicError(
                "%%esptool: %s is a virtual airlab board (a pseudo-terminal): it runs MicroPython "
                "but does not answer the ESP32 ROM loader, so esptool cannot erase or flash it; "
                "copy files with %%sendtofile instead" % path
            )
        exe = shutil.which("esptool") or shutil.which("esptool.py")
        if exe is None:
            raise MagicError("%esptool: esptool is not installed (apt-get install esptool, where your Debian release has it)")
        if args.action != "erase" and not args.bin:
            raise MagicError("%%esptool %s: give the firmware BIN to write" % args.action)
        if self.port is not None and self.port.name == path:
            self.close_port()  # esptool needs the port to itself
            self.show("Disconnected from %s for esptool; %%serialconnect again afterwards.\n" % path)
        command = {
            "erase": ["--port", path, "erase_flash"],
            "esp32": ["--chip", "esp32", "--port", path, "write_flash", "-z", "0x1000", args.bin or ""],
            "esp8266": ["--chip", "esp8266", "--port", path, "write_flash", "--flash_size=detect", "0", args.bin or ""],
        }[args.action]
        self.run_program([exe] + command, "esptool")

    def run_program(self, argv, name):
        """Runs a host program, streaming its output into the cell; a failure is an error."""
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for line in process.stdout:
            self.show(line.decode("utf-8", "replace"))
        if process.wait() != 0:
            raise MagicError("%%%s: %s exited with status %d" % (name, argv[0], process.returncode))
