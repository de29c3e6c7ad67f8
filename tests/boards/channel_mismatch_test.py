#!/usr/bin/python3
"""The lab's failure, reproduced and explained: the master joins the router on channel 6
(a WPA2 access point on the air: another board's soft-AP, until the hub hosts routers)
(its radio, and ESP-NOW with it, moves there) while the slave stays on channel 1, so the
slave's sends are never acknowledged. The master's log says its radio moved and that peers
left on channel 1 no longer hear it; the slave's log says the peer did not acknowledge on
channel 1 and why; `airlab sniff --hub` shows the two on different channels with a hint.
Setting the slave's channel to 6 fixes it: the lab's send cell then runs to its end."""

import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ERR_HELPER, SOURCE, AirTestCase, airlab_binary  # noqa: E402

CELLS = os.path.join(os.path.dirname(SOURCE), "shared", "reference", "lab-scripts")
MASTER, SLAVE = "4c:11:ae:89:bd:d5", "4c:11:ae:89:bc:95"  # the AP MACs the cells print


def cell(name):
    with open(os.path.join(CELLS, name)) as f:
        return f.read()


@unittest.skipUnless(os.path.isdir(CELLS), "the lab's cells are not at " + CELLS)
class ChannelMismatch(AirTestCase):
    def test_router_on_6_slave_on_1_then_fixed(self):
        router = self.air.board("router", "02:00:00:00:0b:10", extra_args=["--position", "4,3"])
        self.assertEqual(router.exec(
            "import network\nap = network.WLAN(network.AP_IF)\nap.active(True)\n"
            "ap.config(essid='lab-router', password='lab-password', authmode=3, channel=6)")[1], "")
        master = self.air.board("master", "4c:11:ae:89:bd:d4")
        slave = self.air.board("slave", "4c:11:ae:89:bc:94", extra_args=["--position", "3,0"])
        setup = cell("master_setup.py").replace(
            "from thingspeak import post_thingspeak, get_thingspeak\n", "")
        self.assertEqual(master.exec(setup)[1], "")
        self.assertEqual(slave.exec(cell("slave_setup.py"))[1], "")
        send3 = "print([e.send(peer, str(i), True) for i in range(3)])"
        self.assertEqual(slave.exec(send3), ("[True, True, True]\r\n", ""))  # same channel

        out, err = master.exec(ERR_HELPER + "import time\nsta = network.WLAN(network.STA_IF)\n"
                               "sta.active(True)\nsta.connect('lab-router', 'lab-password')\n"
                               "while sta.status() == network.STAT_CONNECTING:\n    time.sleep_ms(50)\n"
                               "print(sta.isconnected(), sta.config('channel'), wlan.config('channel'))",
                               timeout=60)
        self.assertEqual((out, err), ("True 6 6\r\n", ""))
        master.log_line(r"station joined lab-router on channel 6 .*moved from channel 1 to 6 .*"
                        r"ESP-NOW peers left on channel 1 no longer hear this board")

        sniff = subprocess.Popen([airlab_binary(), "sniff", "--hub", self.air.address, "--summary",
                                  "--duration", "6"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        time.sleep(1.5)  # the sniffer joins the hub
        self.assertEqual(slave.exec(send3), ("[False, False, False]\r\n", ""))
        self.assertEqual(master.exec("print(e.send(peer, b'x', True))"), ("False\r\n", ""))
        tables = sniff.communicate(timeout=60)[0]
        self.assertEqual(sniff.returncode, 0, tables)
        self.assertIn("hint: %s sends to %s on channel 1, but %s was last heard on channel 6"
                      % (SLAVE, MASTER, MASTER), tables)
        self.assertIn("hint: %s sends to %s on channel 6, but %s was last heard on channel 1"
                      % (MASTER, SLAVE, SLAVE), tables)
        slave.log_line(re.escape("espnow: " + MASTER) + r" did not acknowledge a send on channel 1: "
                       r"a peer on another channel never hears this board")

        # The fix: the slave on the router's channel. The lab's send cell retries until each
        # send is acknowledged, so it ends only when they are.
        self.assertEqual(slave.exec("wlan.config(channel=6)\nprint(wlan.config('channel'))"),
                         ("6\r\n", ""))
        out, err = slave.exec(cell("slave_send.py"), timeout=60)
        self.assertEqual((out, err), ("0\r\n1\r\n2\r\n3\r\n4\r\n", ""))
        got, err = master.exec("print([bytes(e.recv(1000)[1]) for i in range(8)])")
        self.assertEqual(err, "")
        self.assertIn("b'0', b'1', b'2', b'3', b'4'", got)


if __name__ == "__main__":
    unittest.main()
