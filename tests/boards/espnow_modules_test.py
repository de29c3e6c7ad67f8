#!/usr/bin/python3
"""espnow and esp.espnow on virtual boards, as MicroPython on an ESP32 answers: the errors
(OSError with the ESP_ERR_ESPNOW_* value and name, ValueError), the peer limits (20, 6
encrypted), v1's 250 bytes and v2's 1470, encryption with set_pmk and an LMK between two
boards, and Ctrl-C ending a receive that waits."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ERR_HELPER, AirTestCase  # noqa: E402

A_STATION = "02:00:00:00:0e:10"
B_STATION = "02:00:00:00:0e:a0"
A = "b'\\x02\\x00\\x00\\x00\\x0e\\x10'"  # the station MACs as Python literals
B = "b'\\x02\\x00\\x00\\x00\\x0e\\xa0'"
HELPERS = ERR_HELPER + """
import network, espnow
from esp import espnow as old_espnow
sta = network.WLAN(network.STA_IF)
"""


class EspnowModules(AirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls.air.board("a", A_STATION)
        cls.b = cls.air.board("b", B_STATION)

    def setUp(self):
        # A fresh boot for each test: interfaces down, no peers.
        for board in (self.a, self.b):
            self.run_on(board, HELPERS + "e = espnow.ESPNow()\ne.active(False)\nsta.active(False)\n"
                        "network.WLAN(network.AP_IF).active(False)\n")

    def run_on(self, board, code):
        out, err = board.exec(code)
        self.assertEqual(err, "", code)
        return out.replace("\r\n", "\n")

    def test_errors_are_micropythons(self):
        out = self.run_on(self.a, """
print(err(e.send, %(B)s, b'x'))
print(err(e.add_peer, %(B)s))
e.active(True)
print(err(e.send, %(B)s, b'x'))
print(err(e.send, b'12345', b'x'))
e.add_peer(%(B)s)
print(err(e.send, %(B)s, b'x'))
sta.active(True)
print(err(e.add_peer, %(B)s))
print(err(e.add_peer, b'\\x04' * 6, b'short key'))
print(err(e.add_peer, b'\\x04' * 6, None, 15))
print(err(e.add_peer, b'\\x04' * 6, None, 3))
print(err(e.get_peer, b'\\x06' * 6))
print(err(e.del_peer, b'\\x06' * 6))
print(err(e.config, 'foo'), e.config('timeout_ms'))
print(err(e.irq, 5))
""" % {"B": B})
        self.assertEqual(out.splitlines(), [
            "OSError(-12389, 'ESP_ERR_ESPNOW_NOT_INIT')",
            "OSError(-12389, 'ESP_ERR_ESPNOW_NOT_INIT')",
            "OSError(-12393, 'ESP_ERR_ESPNOW_NOT_FOUND')",
            "ValueError('invalid buffer length',)",
            "OSError(-12396, 'ESP_ERR_ESPNOW_IF')",  # no WLAN interface is active
            "OSError(-12395, 'ESP_ERR_ESPNOW_EXIST')",
            "ValueError('invalid buffer length',)",
            "OSError(-12390, 'ESP_ERR_ESPNOW_ARG')",
            "OSError(-12397, 'ESP_ERR_ESPNOW_CHAN')",
            "OSError(-12393, 'ESP_ERR_ESPNOW_NOT_FOUND')",
            "OSError(-12393, 'ESP_ERR_ESPNOW_NOT_FOUND')",
            "ValueError('unknown config param',) 300000",
            "ValueError('invalid handler',)",
        ])

    def test_peer_limits_are_20_and_6_encrypted(self):
        out = self.run_on(self.a, """
e.active(True)
for i in range(6):
    e.add_peer(bytes([4, 0, 0, 0, 0, i]), b'0123456789abcdef')
print(err(e.add_peer, b'\\x06' * 6, b'0123456789abcdef'), e.peer_count())
for i in range(14):
    e.add_peer(bytes([8, 0, 0, 0, 0, i]))
print(err(e.add_peer, b'\\x0a' * 6), e.peer_count(), len(e.get_peers()))
print(espnow.MAX_TOTAL_PEER_NUM, espnow.MAX_ENCRYPT_PEER_NUM, espnow.MAX_DATA_LEN, old_espnow.MAX_DATA_LEN)
""")
        self.assertEqual(out.splitlines(), [
            "OSError(-12392, 'ESP_ERR_ESPNOW_FULL') (6, 6)",
            "OSError(-12392, 'ESP_ERR_ESPNOW_FULL') (20, 6) 20",
            "20 6 1470 250",
        ])

    def test_v1_carries_250_bytes_and_v2_1470(self):
        self.run_on(self.b, "sta.active(True)\ne.active(True)")
        out = self.run_on(self.a, """
sta.active(True)
old = old_espnow.ESPNow()
old.init()
old.add_peer(%(B)s)
print(err(old.send, %(B)s, b'v' * 251), old.send(%(B)s, b'v' * 250))
""" % {"B": B})
        self.assertEqual(out, "OSError(-12390, 'ESP_ERR_ESPNOW_ARG') True\n")
        self.assertEqual(self.run_on(self.b, "m = e.recv(1000)\nprint(m[0], len(m[1]))"), A + " 250\n")
        # The 1.21+ module's peers are v2: up to 1470 bytes in one frame.
        out = self.run_on(self.a, """
e.active(False)
e.active(True)
e.add_peer(%(B)s)
print(e.send(%(B)s, b'w' * 1470), err(e.send, %(B)s, b'w' * 1471))
""" % {"B": B})
        self.assertEqual(out, "True OSError(-12390, 'ESP_ERR_ESPNOW_ARG')\n")
        self.assertEqual(self.run_on(self.b, "m = e.recv(1000)\nprint(m[0], len(m[1]), m[1][:3])"),
                         A + " 1470 b'www'\n")

    def test_encryption_needs_the_same_keys(self):
        keys = "e.set_pmk(b'pmk-of-the-lab!!')\n"
        self.run_on(self.b, "sta.active(True)\ne.active(True)\n" + keys +
                    "e.add_peer(%s, b'lmk-of-the-lab!!')\n" % A)
        out = self.run_on(self.a, "sta.active(True)\ne.active(True)\n" + keys +
                          "e.add_peer(%s, b'lmk-of-the-lab!!')\nprint(e.send(%s, b'secret'), e.get_peer(%s)[4])"
                          % (B, B, B))
        self.assertEqual(out, "True True\n")
        self.assertEqual(self.run_on(self.b, "print(e.recv(1000))"), "[%s, b'secret']\n" % A)
        # Another LMK at the receiver: the frame is acknowledged on the air but never delivered.
        self.run_on(self.b, "e.mod_peer(%s, b'another-lmk-000!')" % A)
        self.assertEqual(self.run_on(self.a, "print(e.send(%s, b'lost'))" % B), "True\n")
        self.assertEqual(self.run_on(self.b, "print(e.recv(300))"), "(None, None)\n")

    def test_lab_api_iterates_and_clears(self):
        self.run_on(self.b, "ap = network.WLAN(network.AP_IF)\nap.active(True)\n"
                    "o = old_espnow.ESPNow()\no.init()\nbefore = o.stats()[3]")
        ap_b = "b'\\x02\\x00\\x00\\x00\\x0e\\xa1'"  # the AP MAC: the station's plus one
        self.assertEqual(self.run_on(self.b, "print(ap.config('mac'))"), ap_b + "\n")
        self.run_on(self.a, "ap = network.WLAN(network.AP_IF)\nap.active(True)\n"
                    "o = old_espnow.ESPNow()\no.init()\no.add_peer(%s, ifidx=network.AP_IF)\n"
                    "for m in ('one', 'two', 'three'):\n    o.send(%s, m, True)" % (ap_b, ap_b))
        out = self.run_on(self.b, """
import time
while o.stats()[3] < before + 3:  # the three have reached this board's process
    time.sleep(0.01)
print(o.poll(), err(o.clear, 1))
got = []
for host, msg in o:
    got.append(bytes(msg))
    if len(got) == 2:
        break
print(got, o.any(), o.peers is o.peers_table)
o.clear(True)
print(o.poll())
o.config(timeout=50)
print(next(iter(o)))
o.deinit()
print(list(o))
""")
        self.assertEqual(out.splitlines(), [
            "True ValueError('arg must be True',)",
            "[b'one', b'two'] True True",
            "False",
            "(None, None)",
            "[]",
        ])

    def test_irq_runs_between_calls_and_recvinto_keeps_micropythons_rules(self):
        self.run_on(self.b, """
sta.active(True)
e.active(True)
got = []
def on_message(x):
    while True:
        mac, msg = x.irecv(0)
        if mac is None:
            return
        got.append(bytes(msg))
e.irq(on_message)
""")
        self.run_on(self.a, "sta.active(True)\ne.active(True)\ne.add_peer(%s)\n"
                    "e.send(%s, b'first')\ne.send(%s, b'second')" % (B, B, B))
        # Any call to the board (here time.sleep) runs the callback once messages came.
        self.assertEqual(self.run_on(self.b, "import time\nfor i in range(200):\n"
                                     "    if len(got) == 2:\n        break\n    time.sleep(0.01)\n"
                                     "print(got)\ne.irq(None)"),
                         "[b'first', b'second']\n")
        self.run_on(self.a, "e.send(%s, b'too long for three bytes')" % B)
        out = self.run_on(self.b, """
data = [None, bytearray(3), None, None]
print(err(e.recvinto, data, 1000), e.any())
e.irq(None)
""")
        self.assertEqual(out, "ValueError('ESPNow.recv(): buffer error',) False\n")
        self.run_on(self.a, "e.send(%s, b'ok')" % B)
        out = self.run_on(self.b, "print(e.recvinto(data, 1000), data[0], data[1], data[2] < 0, data[3] > 0)")
        self.assertEqual(out, "2 %s bytearray(b'ok') True True\n" % A)

    def test_soft_reset_forgets_peers_and_stops_the_interfaces(self):
        self.run_on(self.a, "sta.active(True)\ne.active(True)\ne.add_peer(%s)" % B)
        self.a.leave_raw()
        self.a.write(b"\x04")  # Ctrl-D on the friendly REPL's empty line: soft reset
        self.assertIn(b"MPY: soft reboot", self.a.wait_prompt(60))
        out = self.run_on(self.a, HELPERS + "e = espnow.ESPNow()\nprint(sta.active(), e.active())\n"
                          "e.active(True)\nprint(e.peer_count(), err(e.send, %s, b'x'))" % B)
        self.assertEqual(out, "False False\n(0, 0) OSError(-12393, 'ESP_ERR_ESPNOW_NOT_FOUND')\n")

    def test_ctrl_c_ends_a_receive(self):
        self.run_on(self.a, "sta.active(True)\ne.active(True)")
        self.a.write(b"e.recv(60000)\x04")
        self.a.port.read_until(b"OK", 10)
        self.a.write(b"\x03")
        self.a.port.read_until(b"\x04", 10)
        err = self.a.port.read_until(b"\x04", 10)
        self.a.port.read_until(b">", 10)
        self.assertIn(b"KeyboardInterrupt", err)


if __name__ == "__main__":
    unittest.main()
