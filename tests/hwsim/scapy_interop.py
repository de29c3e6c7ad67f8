"""Runs inside the hwsim VM (tests/hwsim/run_in_vm.py): airlab and an independent ESP-NOW
implementation, scapy building frames the way ESPythoNOW does (espnow_scapy.py), understand
each other on mac80211_hwsim radios, ACKs included.

wlan0 is scapy's radio, an active monitor with SCAPY_MAC (so it ACKs unicast to it), wlan1
airlab's, wlan2 a second scapy peer for the baseline that shows the oracle itself works.
hwsim0 sees every frame and the ACKs hwsim decides on (only there): that is where scapy
looks for the ACK to its unicast, as ESPythoNOW does on a real radio.
"""

import select
import socket
import threading
import time

import guest
from espnow_scapy import ESPNOW_FILTER, decode, espnow_frame, tx_failed  # noqa: F401
from scapy.all import Dot11, RadioTap, conf, sendp

CHANNEL = 1
SCAPY_MAC = "24:0a:c4:5c:a9:01"
PEER_MAC = "24:0a:c4:5c:a9:02"
AIRLAB_MAC = "24:0a:c4:5c:a9:0a"
ABSENT_MAC = "24:0a:c4:5c:a9:ee"

checks = guest.Checks()
conf.verb = 0


class Capture:
    """Raw AF_PACKET sockets on several interfaces, read by a thread, started before anything
    is sent; scapy dissects the bytes afterwards. (scapy's own sniffer socket loses the last
    4 bytes of every frame on these monitor interfaces, so it is not used.)"""

    def __init__(self, ifaces):
        self.sockets = {}
        for iface in ifaces:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
            s.bind((iface, 0))
            self.sockets[s] = iface
        self.frames = []
        self.running = True
        self.thread = threading.Thread(target=self._read)
        self.thread.start()

    def _read(self):
        while self.running:
            ready, _, _ = select.select(list(self.sockets), [], [], 0.1)
            for s in ready:
                data, address = s.recvfrom(65536)
                if address[2] != socket.PACKET_OUTGOING:  # the TX status echo is OTHERHOST
                    self.frames.append((self.sockets[s], data))

    def stop(self, settle=1.5):
        time.sleep(settle)  # frames sent a moment ago are still in the kernel's queues
        self.running = False
        self.thread.join()
        packets = []
        for iface, data in self.frames:
            p = RadioTap(data)
            p.sniffed_on = iface
            packets.append(p)
        return packets


def is_ack_to(packet, mac):
    return (Dot11 in packet and packet[Dot11].type == 1 and packet[Dot11].subtype == 13 and
            packet[Dot11].addr1 == mac)


def espnow_on(packets, iface, **fields):
    """The decoded ESP-NOW frames captured on IFACE whose fields match FIELDS, echoes of our
    own transmissions (those with TX flags) left out."""
    found = []
    for p in packets:
        if getattr(p, "sniffed_on", None) != iface or tx_failed(p) is not None:
            continue
        d = decode(p)
        if d and all(d.get(k) == v for k, v in fields.items()):
            found.append(d)
    return found


def tx_status(packets, iface, dst, message):
    """F_TX_FAIL of the echo of our frame to DST carrying MESSAGE (None if no echo came)."""
    for p in packets:
        if getattr(p, "sniffed_on", None) == iface and tx_failed(p) is not None:
            d = decode(p)
            if d and d["dst"] == dst and d["message"] == message:
                return tx_failed(p)
    return None


def baseline_scapy_to_scapy():
    """The oracle alone: a unicast to an active monitor is decoded and ACKed, one to an absent
    MAC is not, a v2 broadcast arrives whole."""
    cap = Capture(["wlan0", "wlan2", "hwsim0"])
    sendp(espnow_frame(SCAPY_MAC, PEER_MAC, b"baseline 1 Mb/s"), iface="wlan0")
    sendp(espnow_frame(SCAPY_MAC, PEER_MAC, b"baseline 11 Mb/s", rate_mbps=11), iface="wlan0")
    sendp(espnow_frame(SCAPY_MAC, ABSENT_MAC, b"to nobody"), iface="wlan0")
    sendp(espnow_frame(SCAPY_MAC, "ff:ff:ff:ff:ff:ff", b"x" * 600), iface="wlan0")
    packets = cap.stop()
    got = espnow_on(packets, "wlan2", dst=PEER_MAC, src=SCAPY_MAC)
    checks.check("scapy baseline: unicast at 1 Mb/s decoded by scapy",
                 any(d["message"] == b"baseline 1 Mb/s" for d in got), repr(got))
    checks.check("scapy baseline: unicast at 11 Mb/s decoded by scapy",
                 any(d["message"] == b"baseline 11 Mb/s" for d in got), repr(got))
    checks.check("scapy baseline: the ACK to the sender on hwsim0",
                 any(is_ack_to(p, SCAPY_MAC) for p in packets if p.sniffed_on == "hwsim0"),
                 "no ACK frame addressed to %s on hwsim0" % SCAPY_MAC)
    checks.equal("scapy baseline: TX status of the ACKed unicast",
                 tx_status(packets, "wlan0", PEER_MAC, b"baseline 1 Mb/s"), False)
    checks.equal("scapy baseline: TX status of the unicast to an absent MAC",
                 tx_status(packets, "wlan0", ABSENT_MAC, b"to nobody"), True)
    v2 = espnow_on(packets, "wlan2", dst="ff:ff:ff:ff:ff:ff")
    checks.check("scapy baseline: a 600-byte v2 broadcast in three elements",
                 any(d["message"] == b"x" * 600 and d["version"] == 2 for d in v2), repr(v2)[:200])


def main():
    guest.hwsim_monitor("wlan0", CHANNEL, mac=SCAPY_MAC, active=True)
    guest.hwsim_monitor("wlan2", CHANNEL, mac=PEER_MAC, active=True)
    guest.link_up("hwsim0")
    baseline_scapy_to_scapy()
    checks.finish()


if __name__ == "__main__":
    main()
