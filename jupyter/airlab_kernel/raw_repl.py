"""MicroPython's raw REPL and raw-paste mode, from the host's side of a serial port.

The byte protocol is MicroPython's (docs.micropython.org, reference/repl.html, "Raw mode and
raw-paste mode"): Ctrl-A enters the raw REPL (`raw REPL; CTRL-B to exit\\r\\n>`); the host
sends code and Ctrl-D; the board answers `OK`, the program's output, `\\x04`, the error text,
`\\x04` and `>`. Raw-paste (`\\x05A\\x01`, answered `R\\x01` + a little-endian 16-bit window)
adds flow control so that long code cannot overrun a board's UART buffer; boards that answer
anything else get the plain raw REPL.

`port` is anything with pyserial's `read(n)` (returning within its own short timeout),
`write(b)`, `in_waiting` and `reset_input_buffer()`: a `serial.Serial` in the kernel.
"""

import struct
import time

RAW_PROMPT = b"raw REPL; CTRL-B to exit\r\n>"
# The friendly REPL's banner ends so after every (soft or hard) reset of an ESP32.
BANNER_END = b'Type "help()" for more information.\r\n>>> '
FRIENDLY_PROMPT = b">>> "
SOFT_REBOOT = b"MPY: soft reboot"
CTRL_A, CTRL_B, CTRL_C, CTRL_D = b"\x01", b"\x02", b"\x03", b"\x04"
RAW_PASTE_REQUEST = b"\x05A\x01"


class ReplError(Exception):
    """The board did not answer as MicroPython's REPL does; the message names what was seen."""


class ExecResult:
    """How one execution ended: `error` is the board's traceback text ('' when none);
    `reset` is True when the board rebooted instead of finishing (machine.reset())."""

    def __init__(self, error="", reset=False):
        self.error = error
        self.reset = reset


def _never():
    return False


class RawRepl:
    # Plain raw REPL: real boards' UARTs take code in 256-byte pieces 10 ms apart.
    CHUNK = 256
    CHUNK_PAUSE_S = 0.01

    def __init__(self, port):
        self.port = port
        self.raw_paste = None  # unknown until the board answers the first request

    def read_until(self, suffix, timeout_s, interrupted=_never):
        """Reads until the bytes read end with `suffix`; returns them (without raising) when
        the timeout passes first, so callers can say what the board sent instead."""
        data = bytearray()
        deadline = time.monotonic() + timeout_s
        while not data.endswith(suffix) and time.monotonic() < deadline:
            if interrupted():
                break
            data += self.port.read(max(1, min(self.port.in_waiting, len(suffix))))
        return bytes(data)

    def enter(self, interrupted=_never):
        """Gets the raw REPL's prompt: from the friendly REPL, the raw REPL itself, or, when
        a program holds the board (main.py after a reset), by interrupting it first.
        Returns True when it had to interrupt a running program."""
        self.port.write(CTRL_A)
        if self.read_until(RAW_PROMPT, 1.0, interrupted).endswith(RAW_PROMPT):
            return False
        self.port.write(b"\r" + CTRL_C + CTRL_C)
        time.sleep(0.1)
        self.port.reset_input_buffer()
        self.port.write(CTRL_A)
        seen = self.read_until(RAW_PROMPT, 3.0, interrupted)
        if not seen.endswith(RAW_PROMPT):
            raise ReplError(
                "no raw REPL prompt from the board (it sent %r): is it running MicroPython, "
                "at this baud rate?" % seen[-80:]
            )
        return True

    def leave(self):
        """Back to the friendly REPL (Ctrl-B), as a user at a terminal expects to find it."""
        self.port.write(CTRL_B)
        self.read_until(FRIENDLY_PROMPT, 1.0)

    def send_code(self, code):
        """Sends `code` (bytes) at the raw REPL's prompt, by raw-paste when the board has it."""
        if self.raw_paste is not False:
            self.port.write(RAW_PASTE_REQUEST)
            answer = self._read_exactly(2, 2.0)
            if answer == b"R\x01":
                self.raw_paste = True
                return self._paste(code)
            if answer != b"R\x00":
                # Firmware older than raw-paste took \x01 as "enter the raw REPL" again.
                rest = self.read_until(RAW_PROMPT, 1.0)
                if not (answer + rest).endswith(RAW_PROMPT):
                    raise ReplError("no answer to raw-paste and no raw REPL prompt (sent %r)" % (answer + rest))
            self.raw_paste = False
        for start in range(0, len(code), self.CHUNK):
            self.port.write(code[start : start + self.CHUNK])
            time.sleep(self.CHUNK_PAUSE_S)
        self.port.write(CTRL_D)
        answer = self._read_exactly(2, 5.0)
        if answer != b"OK":
            raise ReplError("the board did not accept the code (it answered %r, not OK)" % answer)

    def _paste(self, code):
        window = struct.unpack("<H", self._read_exactly(2, 2.0))[0]
        credit = window
        sent = 0
        while sent < len(code):
            while credit == 0 or self.port.in_waiting:
                flow = self._read_exactly(1, 10.0)
                if flow == b"\x01":
                    credit += window
                elif flow == CTRL_D:  # the board ended the paste early
                    self.port.write(CTRL_D)
                    return
                else:
                    raise ReplError("unexpected %r from the board during raw-paste" % flow)
            piece = code[sent : sent + credit]
            self.port.write(piece)
            sent += len(piece)
            credit -= len(piece)
        self.port.write(CTRL_D)
        ack = self.read_until(CTRL_D, 10.0)
        if not ack.endswith(CTRL_D):
            raise ReplError("the board did not acknowledge the end of raw-paste (sent %r)" % ack)

    def _read_exactly(self, count, timeout_s):
        data = bytearray()
        deadline = time.monotonic() + timeout_s
        while len(data) < count and time.monotonic() < deadline:
            data += self.port.read(count - len(data))
        return bytes(data)

    def follow(self, on_output, interrupted=_never):
        """Streams the program's output to on_output(bytes) as it arrives, until its end
        (the second \\x04; the raw REPL's `>` after it is left for the next enter()).
        Each time interrupted() turns True, sends Ctrl-C (KeyboardInterrupt on the board).
        A board that reboots instead of finishing ends the call with reset=True."""
        tail = bytearray()  # the output's last bytes, where a reboot's banner shows
        soft_reboot = False
        error = None  # once the output's \x04 came: the error text so far
        unanswered_interrupts = 0
        while True:
            if interrupted():
                unanswered_interrupts += 1
                if unanswered_interrupts > 3:
                    raise ReplError("the board does not answer Ctrl-C: reset it (%rebootdevice, or its button)")
                self.port.write(CTRL_C)
            data = self.port.read(max(1, self.port.in_waiting))
            if not data:
                continue
            unanswered_interrupts = 0
            if error is None:
                end = data.find(CTRL_D)
                shown = data if end < 0 else data[:end]
                if shown:
                    on_output(shown)
                    tail = (tail + shown)[-256:]
                    soft_reboot = soft_reboot or SOFT_REBOOT in tail
                    # A hard reset ends in the friendly REPL, a soft one where it was.
                    if tail.endswith(BANNER_END) or (soft_reboot and tail.endswith(RAW_PROMPT)):
                        return ExecResult(reset=True)
                if end < 0:
                    continue
                error = bytearray()
                data = data[end + 1 :]
            end = data.find(CTRL_D)
            if end < 0:
                error += data
                continue
            return ExecResult((error + data[:end]).decode("utf-8", "replace"))

    def soft_reset(self, on_output, interrupted=_never):
        """Ctrl-D in the friendly REPL, as a user at a terminal does it: the board prints
        `MPY: soft reboot`, runs boot.py then main.py, and ends with its banner. A main.py
        that never ends keeps this going until interrupted (Ctrl-C, as on the board)."""
        self.leave()
        self.port.write(CTRL_D)
        tail = bytearray()
        while not tail.endswith(BANNER_END):
            if interrupted():
                self.port.write(CTRL_C)
            data = self.port.read(max(1, self.port.in_waiting))
            if data:
                on_output(data)
                tail = (tail + data)[-len(BANNER_END) :]

    def execute(self, code, on_output, interrupted=_never):
        """enter + send_code + follow: runs `code` (str or bytes) on the board."""
        if isinstance(code, str):
            code = code.encode("utf-8")
        self.enter(interrupted)
        self.send_code(code)
        return self.follow(on_output, interrupted)

    def evaluate(self, code, interrupted=_never):
        """Runs `code` and returns its whole output as bytes; a traceback raises ReplError
        (for the kernel's own helper snippets, whose errors are the user's: a missing file)."""
        out = bytearray()
        result = self.execute(code, out.extend, interrupted)
        if result.reset:
            raise ReplError("the board rebooted while running a helper")
        if result.error:
            raise BoardError(result.error)
        return bytes(out)


class BoardError(ReplError):
    """A traceback from the board; str() is the traceback text."""

    def last_line(self):
        lines = [line for line in str(self).strip().splitlines() if line.strip()]
        return lines[-1] if lines else str(self)
