#!/usr/bin/python3
"""Improv Wi-Fi on a virtual board's serial port, end to end: `airlab provision` on the
board's pseudo-terminal scans the lab's routers and sends credentials; MicroPython on the board
then sees the station joined; a wrong password comes back as Improv's 'unable to connect';
garbage and refused packets on the port leave the REPL as it was."""

import os
import select
import subprocess
import sys
import threading
import time
import tty
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AirTestCase, airlab_binary  # noqa: E402

STATION = "import network\nsta = network.WLAN(network.STA_IF)\n"


class ImprovProvisioning(AirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        routers = ["--router", "lab-router:lab-password:6", "--router", "open-router::11"]
        cls.board = cls.air.board("dev", "02:00:00:00:0e:10", extra_args=routers)

    def provision(self, *args, port=None):
        return subprocess.run(
            [airlab_binary(), "provision", "--port", port or self.board.path] + list(args),
            capture_output=True, text=True, timeout=120)

    def python(self, code):
        out, err = self.board.exec(STATION + code)
        self.assertEqual(err, "", code)
        return out.replace("\r\n", "\n").strip()

    def test_provision_joins_and_python_sees_the_network(self):
        self.python("sta.active(False)")
        r = self.provision("--ssid", "lab-router", "--password", "lab-password")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        lines = r.stdout.splitlines()
        self.assertIn("state: ready", lines)
        self.assertIn("device: dev (airlab board 0.1.0 on ESP32 (virtual, MicroPython))", lines)
        # The scan table: both routers, aligned, with their signal and whether they need a
        # password.
        table = lines[lines.index("networks the device sees:") + 1:][:3]
        self.assertEqual(table[0].split(), ["SSID", "RSSI", "PASSWORD"])
        self.assertEqual(sorted(row.split() for row in table[1:]),
                         [["lab-router", "-45", "dBm", "yes"], ["open-router", "-45", "dBm", "no"]])
        self.assertEqual(table[1].index("-45"), table[0].index("RSSI"))
        self.assertLess(lines.index("state: provisioning"), lines.index("state: provisioned"))
        self.assertTrue(lines[-1].startswith("provisioned: the device joined lab-router in "),
                        lines[-1])
        self.assertEqual(self.python("print(sta.isconnected(), sta.config('essid'), "
                                     "sta.config('channel'), sta.status() == network.STAT_GOT_IP)"),
                         "True lab-router 6 True")

    def test_wrong_password_is_improvs_unable_to_connect(self):
        r = self.provision("--ssid", "lab-router", "--password", "not-the-password")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("state: provisioning", r.stdout)
        self.assertNotIn("provisioned", r.stdout)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        self.assertIn("Improv error 'unable to connect'", r.stderr)
        self.assertIn("check --password", r.stderr)
        self.assertEqual(self.python("print(sta.isconnected(), "
                                     "sta.status() == network.STAT_WRONG_PASSWORD)"),
                         "False True")

    def test_scan_only_sends_nothing(self):
        self.python("sta.active(True)\nsta.disconnect()")
        r = self.provision("--scan-only")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("open-router", r.stdout)
        self.assertNotIn("sending", r.stdout)
        self.assertEqual(self.python("print(sta.isconnected())"), "False")

    def test_garbage_and_refused_packets_leave_the_repl_working(self):
        if self.board.in_raw:
            self.board.leave_raw()
        self.board.write(b"x = 41\r")
        self.board.port.read_until(b">>> ")
        garbage = (
            b"IMPROV\x01\x03\x02\x03\x00\xff\n"  # bad checksum: its 0x03 must not be a Ctrl-C
            b"IMPROV\x01\x01\x05\x02\x00\x00\x00\x00\x00\n"  # a state packet of 5 bytes
            b"IMPROV\x04\x04\x04\n"  # an unknown version: \x04 would be a Ctrl-D
            b"IMPROV\x01\x03\xff\x01\xfd\x01"  # promises 253 bytes, then stops
        )
        self.board.write(garbage)
        time.sleep(0.5)  # the line goes quiet: the board gives the last packet up
        self.board.write(b"print('IMPROVED', x + 1)\r")
        out = self.board.port.read_until(b">>> ", 20).decode(errors="replace")
        self.assertIn("IMPROVED 42", out)
        self.assertNotIn("Traceback", out)
        self.assertNotIn("soft reboot", out)
        self.assertNotIn("KeyboardInterrupt", out)
        # And Improv still answers after it.
        r = self.provision("--scan-only")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_port_without_improv_times_out_clearly(self):
        master, slave = os.openpty()
        try:
            r = self.provision("--ssid", "lab-router", "--timeout", "2", port=os.ttyname(slave))
        finally:
            os.close(master)
            os.close(slave)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no Improv answer within 2 s", r.stderr)
        self.assertIn("is it a board running Improv", r.stderr)

    def test_a_join_that_never_ends_times_out_with_progress(self):
        # A device written here from the specification (not airlab's codec): it answers with
        # console lines between its packets and stays "provisioning" for ever.
        def packet(kind, data):
            head = b"IMPROV" + bytes([1, kind, len(data)]) + data
            return head + bytes([sum(head) & 0xFF]) + b"\n"

        def result(command, *strings):
            body = b"".join(bytes([len(s)]) + s for s in strings)
            return packet(4, bytes([command, len(body)]) + body)

        answers = {2: packet(1, b"\x02"),
                   3: result(3, b"fake", b"1.0", b"esp32", b"stuck"),
                   4: result(4, b"net", b"-60", b"YES") + b"I (812) wifi: scan done\r\n" + result(4),
                   1: packet(1, b"\x03")}
        master, slave = os.openpty()
        tty.setraw(slave)
        stop = threading.Event()

        def device():
            seen = b""
            while not stop.is_set():
                if not select.select([master], [], [], 0.05)[0]:
                    continue
                seen += os.read(master, 4096)
                while b"IMPROV" in seen and len(seen) >= seen.index(b"IMPROV") + 10:
                    at = seen.index(b"IMPROV")
                    command = seen[at + 9]
                    seen = seen[at + 10:]
                    os.write(master, b"boot log line\r\n" + answers.get(command, b""))

        thread = threading.Thread(target=device)
        thread.start()
        try:
            r = self.provision("--ssid", "net", "--password", "password1", "--timeout", "3",
                               port=os.ttyname(slave))
        finally:
            stop.set()
            thread.join()
            os.close(master)
            os.close(slave)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("device: stuck (fake 1.0 on esp32)", r.stdout)
        self.assertIn("net   -60 dBm  yes", r.stdout)
        self.assertIn("state: provisioning", r.stdout)
        self.assertIn("waiting for the join: 1 s of 3", r.stdout)
        self.assertIn("did not finish joining net within 3 s: give it longer with --timeout",
                      r.stderr)

    def test_no_such_port(self):
        r = self.provision("--ssid", "x", port="/nonexistent/tty")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(), "airlab: error: no serial port /nonexistent/tty: give the "
                         "port `airlab board` printed, or a USB board's (ls /dev/ttyUSB* "
                         "/dev/ttyACM*)")


if __name__ == "__main__":
    unittest.main()
