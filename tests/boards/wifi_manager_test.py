#!/usr/bin/python3
"""examples/wifi_manager on a virtual board: with nothing saved it opens its hotspot; what
it serves on 192.168.4.1 is reached at the port `airlab board` prints: its DNS responder
answers every name with 192.168.4.1, every OS probe gets the 302, headless Chromium on a
phone-sized page sees the networks the board scanned on the air (the "router" is another
board's WPA2 soft-AP), picks it, a wrong password is refused by the real handshake, the
right one joins and shows the success page (screenshot kept in the build folder); the
credentials are then on the flash folder and after a reset the board joins by itself."""

import http.client
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SOURCE, AirTestCase  # noqa: E402

EXAMPLE = os.path.join(SOURCE, "examples", "wifi_manager")
# A modelled router whose SSID holds HTML (the page must show it as text).
ROUTERS = ["--router", "<b>evil</b>:12345678:11"]
HOME_SSID, HOME_PASSWORD = "home-wifi", "home-pass-123"
PROBES = ["/generate_204", "/gen_204", "/hotspot-detect.html", "/library/test/success.html",
          "/connecttest.txt", "/ncsi.txt", "/success.txt", "/redirect", "/canonical.html",
          "/anything/else"]


def dns_query(name, qtype, ident=0x1234):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", qtype, 1)


def ask_dns(port, name, qtype, host="127.0.0.1"):
    """(rcode, [A addresses]) of the answer the responder sends."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        s.sendto(dns_query(name, qtype), (host, port))
        answer = s.recv(512)
    ident, flags, _, ancount = struct.unpack(">HHHH", answer[:8])
    assert ident == 0x1234, answer
    addresses = []
    if ancount:
        addresses.append(socket.inet_ntoa(answer[-4:]))
    return flags & 0xF, addresses


def get(host, port, path):
    connection = http.client.HTTPConnection(host, port, timeout=20)
    connection.request("GET", path, headers={"Host": "connectivitycheck.gstatic.com"})
    response = connection.getresponse()
    result = response.status, response.getheader("Location"), response.read()
    connection.close()
    return result


class WifiManagerOnABoard(AirTestCase):
    def test_portal_saves_and_the_board_rejoins_after_reset(self):
        home = self.air.board("home", "02:00:00:00:0e:e0", extra_args=["--position", "6,0"])
        out, err = home.exec("import network\nap = network.WLAN(network.AP_IF)\nap.active(True)\n"
                             "ap.config(essid=%r, password=%r, authmode=network.AUTH_WPA2_PSK, "
                             "channel=6)" % (HOME_SSID, HOME_PASSWORD))
        self.assertEqual(err, "")
        fs = os.path.join(self.air.folder, "manager-flash")
        os.makedirs(fs)
        for name in ("wifi_manager.py", "boot.py"):
            shutil.copy(os.path.join(EXAMPLE, name), fs)
        board = self.air.board("manager", "02:00:00:00:0e:10", fs=fs, extra_args=ROUTERS,
                               prompt=False)
        http_port = int(board.log_line(r"hotspot 192\.168\.4\.1:80 -> 127\.0\.0\.1:(\d+) \(tcp\)").group(1))
        dns_port = int(board.log_line(r"hotspot 192\.168\.4\.1:53 -> 127\.0\.0\.1:(\d+) \(udp\)").group(1))

        # The responder: any name is the portal; other types get an empty NOERROR answer.
        self.assertEqual(ask_dns(dns_port, "connectivitycheck.gstatic.com", 1), (0, ["192.168.4.1"]))
        self.assertEqual(ask_dns(dns_port, "captive.apple.com", 28), (0, []))
        for path in PROBES:
            status, location, body = get("127.0.0.1", http_port, path)
            self.assertEqual((status, location), (302, "http://192.168.4.1/"), path)
            self.assertTrue(body, path)

        build = os.environ.get("AIRLAB_BUILD_DIR") or self.air.folder
        shot = os.path.join(build, "wifi-manager-portal-phone.png")
        if os.path.exists(shot):
            os.remove(shot)
        check = subprocess.run(
            ["node", "tests/boards/wifi_portal_check.mjs", "http://127.0.0.1:%d/" % http_port,
             HOME_SSID, HOME_PASSWORD, shot],
            cwd=SOURCE, capture_output=True, text=True, timeout=180)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("wifi portal: ", check.stdout)
        self.assertIn(" 0 failed", check.stdout)
        self.assertGreater(os.path.getsize(shot), 1000)

        # The manager closes its hotspot and boot.py ends: the REPL comes.
        board.port.read_until(b"wifi_manager: hotspot closed", 60)
        board.port.read_until(b">>> ", 60)
        with open(os.path.join(fs, "wifi.json")) as f:
            self.assertEqual(json.load(f), [{"ssid": HOME_SSID, "password": HOME_PASSWORD}])
        self.assertFalse(os.path.exists(os.path.join(fs, "wifi.json.new")))

        # A hard reset: boot.py finds the saved network and joins it, no hotspot.
        board.write(b"import machine; machine.reset()\r")
        joined = board.port.read_until(b">>> ", 90)
        self.assertIn(b"wifi_manager: joined home-wifi as 192.168.4.", joined)
        self.assertNotIn(b"hotspot", joined)
        out, err = board.exec("import network\nsta = network.WLAN(network.STA_IF)\n"
                              "print(sta.isconnected(), sta.config('channel'), sta.ifconfig()[0])")
        self.assertEqual(err, "")
        self.assertRegex(out, r"^True 6 192\.168\.4\.\d+\r\n$")
        with open(board.log) as f:
            self.assertEqual(f.read().count("station joined home-wifi on channel 6"), 2)


if __name__ == "__main__":
    unittest.main()
