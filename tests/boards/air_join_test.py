#!/usr/bin/python3
"""A board's station joins another board's soft-AP on the air, for real, and Wireshark
agrees: `airlab sniff --hub` captures the join and tshark dissects the authentication,
association and four EAPOL-Key messages and, given the passphrase, decrypts the DHCP that
follows (the lease MicroPython's ifconfig() shows)."""

import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AirTestCase, airlab_binary  # noqa: E402

SSID, PASSPHRASE = "board-hotspot", "password123"


def tshark(pcap, display_filter, decrypt=False):
    args = ["tshark", "-r", pcap, "-Y", display_filter]
    if decrypt:
        args += ["-o", "wlan.enable_decryption:TRUE",
                 "-o", 'uat:80211_keys:"wpa-pwd","%s:%s"' % (PASSPHRASE, SSID)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60).stdout.splitlines()


class JoinOnTheAir(AirTestCase):
    def test_station_joins_a_soft_ap_and_tshark_decrypts_its_dhcp(self):
        ap = self.air.board("ap", "02:00:00:00:0d:10")
        sta = self.air.board("sta", "02:00:00:00:0d:20", extra_args=["--position", "5,0"])
        out, err = ap.exec("import network\nap = network.WLAN(network.AP_IF)\nap.active(True)\n"
                           "ap.config(essid=%r, password=%r, authmode=network.AUTH_WPA2_PSK, "
                           "channel=6)" % (SSID, PASSPHRASE))
        self.assertEqual(err, "")
        pcap = os.path.join(self.air.folder, "join.pcapng")
        sniff = subprocess.Popen([airlab_binary(), "sniff", "--hub", self.air.address, "--summary",
                                  "--duration", "12", "-w", pcap], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        time.sleep(1.5)  # the sniffer joins the hub
        out, err = sta.exec("""
import network, time
sta = network.WLAN(network.STA_IF)
sta.active(True)
print([(s[0], s[2], s[4]) for s in sta.scan() if s[0] == %r])
sta.connect(%r, %r)
while sta.status() == network.STAT_CONNECTING:
    time.sleep_ms(50)
print(sta.status() == network.STAT_GOT_IP, sta.isconnected(), sta.ifconfig(), sta.config('channel'))
""" % (SSID.encode(), SSID, PASSPHRASE), timeout=60)
        self.assertEqual(err, "")
        self.assertEqual(out.replace("\r\n", "\n"), (
            "[(b'board-hotspot', 6, 3)]\n"
            "True True ('192.168.4.2', '255.255.255.0', '192.168.4.1', '192.168.4.1') 6\n"))
        out, err = ap.exec("print(ap.status('stations'), ap.isconnected())")
        self.assertEqual(out, "[(b'\\x02\\x00\\x00\\x00\\r ',)] True\r\n")
        sta.log_line(r"station joined board-hotspot on channel 6 as 192\.168\.4\.2; the radio, the "
                     r"soft-AP and ESP-NOW moved from channel 1 to 6")
        tables = sniff.communicate(timeout=60)[0]
        self.assertEqual(sniff.returncode, 0, tables)

        self.assertGreaterEqual(len(tshark(pcap, "wlan.fc.type_subtype == 0x08 && wlan.ssid == \"%s\"" % SSID)), 1)
        self.assertGreaterEqual(len(tshark(pcap, "wlan.fc.type_subtype == 0x0b")), 2)  # auth x2
        self.assertGreaterEqual(len(tshark(pcap, "wlan.fc.type_subtype == 0x00")), 1)  # assoc req
        self.assertGreaterEqual(len(tshark(pcap, "wlan.fc.type_subtype == 0x01")), 1)  # assoc resp
        eapol = tshark(pcap, "eapol")
        self.assertEqual(len(eapol), 4, eapol)
        self.assertEqual(tshark(pcap, "dhcp"), [])  # encrypted without the passphrase
        dhcp = tshark(pcap, "dhcp", decrypt=True)
        self.assertGreaterEqual(len(dhcp), 4, dhcp)  # DISCOVER, OFFER, REQUEST, ACK
        self.assertTrue(any("192.168.4.2" in line for line in dhcp), dhcp)


if __name__ == "__main__":
    unittest.main()
