#!/usr/bin/python3
"""A phone on a board's hotspot, for real, as root: the hub and a board running
examples/wifi_manager live in one network namespace whose veth is 192.168.4.1 (the board
runs with --hotspot-address 192.168.4.1); a second namespace, the "phone", is 192.168.4.2
on the other end with the hotspot as its DNS server (its resolv.conf) and default route.
From the phone: any name resolves to 192.168.4.1 through the board's MicroPython DNS
responder, every OS probe URL gets the 302 to http://192.168.4.1/, the portal page lists
the routers; and DNS sent to 8.8.8.8 (what Android asks) gets no answer: a MicroPython
manager on a board cannot make Android's pop-up appear that way (the limit the verdict
must name). Skips unless root."""

import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SOURCE, Air  # noqa: E402

EXAMPLE = os.path.join(SOURCE, "examples", "wifi_manager")
# Each OS's probe, by the name the OS asks for (reference/provisioning.md).
PROBES = ["http://connectivitycheck.gstatic.com/generate_204",
          "http://www.google.com/gen_204",
          "http://captive.apple.com/hotspot-detect.html",
          "http://www.apple.com/library/test/success.html",
          "http://www.msftconnecttest.com/connecttest.txt",
          "http://www.msftncsi.com/ncsi.txt",
          "http://detectportal.firefox.com/success.txt",
          "http://www.msftconnecttest.com/redirect",
          "http://detectportal.firefox.com/canonical.html"]


def run(*args, check=True, timeout=30):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=timeout)


@unittest.skipUnless(os.geteuid() == 0, "needs root: it makes network namespaces (CI runs as root)")
@unittest.skipUnless(shutil.which("ip") and shutil.which("dig") and shutil.which("curl"),
                     "needs ip (iproute2), dig (dnsutils) and curl")
class PhoneOnTheHotspot(unittest.TestCase):
    def setUp(self):
        tag = str(os.getpid())
        self.hotspot_ns, self.phone_ns = "airlab-hs-" + tag, "airlab-ph-" + tag
        self.resolv_dir = os.path.join("/etc/netns", self.phone_ns)
        self.addCleanup(self.cleanup)
        hs, ph = "awh" + tag, "awp" + tag
        run("ip", "netns", "add", self.hotspot_ns)
        run("ip", "netns", "add", self.phone_ns)
        run("ip", "link", "add", hs, "type", "veth", "peer", "name", ph)
        run("ip", "link", "set", hs, "netns", self.hotspot_ns)
        run("ip", "link", "set", ph, "netns", self.phone_ns)
        for ns, dev, address in ((self.hotspot_ns, hs, "192.168.4.1/24"),
                                 (self.phone_ns, ph, "192.168.4.2/24")):
            run("ip", "-n", ns, "addr", "add", address, "dev", dev)
            run("ip", "-n", ns, "link", "set", dev, "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "-n", self.phone_ns, "route", "add", "default", "via", "192.168.4.1")
        # `ip netns exec` mounts this over /etc/resolv.conf in the phone's namespace.
        os.makedirs(self.resolv_dir)
        with open(os.path.join(self.resolv_dir, "resolv.conf"), "w") as f:
            f.write("nameserver 192.168.4.1\noptions timeout:2 attempts:1\n")

    def cleanup(self):
        for ns in (self.hotspot_ns, self.phone_ns):
            run("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.resolv_dir, ignore_errors=True)

    def phone(self, *args, timeout=30):
        return run("ip", "netns", "exec", self.phone_ns, *args, check=False, timeout=timeout)

    def test_phone_resolves_every_name_to_the_portal_and_gets_redirected(self):
        with Air(prefix=["ip", "netns", "exec", self.hotspot_ns]) as air:
            fs = os.path.join(air.folder, "hotspot-flash")
            os.makedirs(fs)
            for name in ("wifi_manager.py", "boot.py"):
                shutil.copy(os.path.join(EXAMPLE, name), fs)
            board = air.board("hotspot", "02:00:00:00:0e:20", fs=fs, prompt=False, extra_args=[
                "--router", "lab-router:lab-password:6", "--hotspot-address", "192.168.4.1"])
            board.log_line(r"hotspot 192\.168\.4\.1:80 -> 192\.168\.4\.1:80 \(tcp\)")
            board.log_line(r"hotspot 192\.168\.4\.1:53 -> 192\.168\.4\.1:53 \(udp\)")

            for name in ("connectivitycheck.gstatic.com", "captive.apple.com", "anything.example"):
                dug = self.phone("dig", "+short", "+time=3", "+tries=2", "@192.168.4.1", name)
                self.assertEqual(dug.stdout.strip(), "192.168.4.1", name + dug.stderr)
                # Through the phone's resolver (its resolv.conf), as an app looks names up.
                looked_up = self.phone("getent", "ahostsv4", name)
                self.assertTrue(looked_up.stdout.startswith("192.168.4.1 "), looked_up)
            for url in PROBES:
                curl = self.phone("curl", "-s", "-o", "/dev/null", "--max-time", "20", "-w",
                                  "%{http_code} %{redirect_url}", url)
                self.assertEqual(curl.stdout, "302 http://192.168.4.1/", url + curl.stderr)
            page = self.phone("curl", "-s", "--max-time", "20", "http://192.168.4.1/")
            self.assertIn("lab-router", page.stdout)

            # Android asks 8.8.8.8: the hotspot does not forward and the board's Python can
            # only answer on its own address, so the query goes unanswered.
            android = self.phone("dig", "+short", "+time=2", "+tries=1", "@8.8.8.8",
                                 "connectivitycheck.gstatic.com")
            self.assertNotEqual(android.returncode, 0)
            self.assertIn("timed out", android.stdout + android.stderr)


if __name__ == "__main__":
    unittest.main()
