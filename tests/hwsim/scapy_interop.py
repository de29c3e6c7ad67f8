"""Runs inside the hwsim VM (tests/hwsim/run_in_vm.py): airlab and an independent ESP-NOW
implementation, scapy building frames the way ESPythoNOW does (espnow_scapy.py), understand
each other on mac80211_hwsim radios, ACKs included.

wlan0 is scapy's radio, an active monitor with SCAPY_MAC (so it ACKs unicast to it), wlan1
airlab's, wlan2 a second scapy peer for the baseline that shows the oracle itself works.
hwsim0 sees every frame and the ACKs hwsim decides on (only there): that is where scapy
looks for the ACK to its unicast, as ESPythoNOW does on a real radio.
"""

import json
import select
import socket
import threading
import time

import guest
from espnow_scapy import decode, espnow_frame, tx_failed
from scapy.all import Dot11, RadioTap, conf, raw, sendp

CHANNEL = 1
SCAPY_MAC = "24:0a:c4:5c:a9:01"
PEER_MAC = "24:0a:c4:5c:a9:02"
AIRLAB_MAC = "24:0a:c4:5c:a9:0a"
ABSENT_MAC = "24:0a:c4:5c:a9:ee"

checks = guest.Checks()
conf.verb = 0


class Capture:
    """Raw AF_PACKET sockets on several interfaces, bound before anything is sent (so nothing
    depends on how fast a sniffer thread starts under emulation) and read by a thread; scapy
    dissects the bytes afterwards. The TX status echo of a frame comes as PACKET_OTHERHOST."""

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


def scapy_to_airlab():
    """ESPythoNOW-style frames to airlab: received, and the unicasts ACKed by airlab's radio
    (seen the ESPythoNOW way, as an ACK to scapy's MAC, and in the TX status)."""
    recv = guest.Program(guest.AIRLAB, "espnow", "recv", "--iface", "wlan1", "--json",
                         "--count", "3", "--timeout", "120")
    if not checks.check("airlab espnow recv starts", recv.wait_for("listening on", 90),
                        recv.output()):
        return
    cap = Capture(["wlan0", "hwsim0"])
    sendp(espnow_frame(SCAPY_MAC, AIRLAB_MAC, b"from scapy"), iface="wlan0")
    sendp(espnow_frame(SCAPY_MAC, "ff:ff:ff:ff:ff:ff", b"scapy broadcast"), iface="wlan0")
    sendp(espnow_frame(SCAPY_MAC, AIRLAB_MAC, b"v" * 700), iface="wlan0")
    packets = cap.stop()
    recv.wait(90)
    got = [json.loads(line) for line in recv.output().splitlines() if line.startswith("{")]
    checks.check("airlab received scapy's unicast from scapy's MAC",
                 any(m.get("payload_text") == "from scapy" and m["from"] == SCAPY_MAC and
                     not m["broadcast"] for m in got), repr(got)[:500])
    checks.check("airlab received scapy's broadcast",
                 any(m.get("payload_text") == "scapy broadcast" and m["broadcast"] for m in got),
                 repr(got)[:500])
    checks.check("airlab received scapy's 700-byte v2 unicast whole",
                 any(m.get("payload_text") == "v" * 700 for m in got),
                 repr([m["length"] for m in got]))
    acks = [p for p in packets if p.sniffed_on == "hwsim0" and is_ack_to(p, SCAPY_MAC)]
    checks.equal("airlab's radio ACKed both unicasts (ACKs to scapy's MAC on hwsim0)",
                 len(acks), 2)
    checks.equal("scapy's TX status of its unicast to airlab: ACKed",
                 tx_status(packets, "wlan0", AIRLAB_MAC, b"from scapy"), False)


def airlab_to_scapy():
    """airlab's frames, as scapy dissects them: addresses, version, message; CCMP-protected
    ones with the Protected bit and no plaintext."""
    cap = Capture(["wlan0"])
    sends = [("--to", SCAPY_MAC, "--payload", "from airlab"),
             ("--payload", "airlab broadcast"),
             ("--to", SCAPY_MAC, "--version", "2", "--payload", "w" * 900),
             ("--to", SCAPY_MAC, "--pmk", "00" * 16, "--lmk", "11" * 16, "--payload", "hidden")]
    outcomes = [guest.run(guest.AIRLAB, "espnow", "send", "--iface", "wlan1", *args,
                          timeout=120) for args in sends]
    packets = cap.stop()
    checks.check("airlab's unicasts to scapy's active monitor were delivered (ACKed)",
                 all(status == 0 for status, _ in outcomes) and
                 sum(out.count("delivered (ACKed)") for _, out in outcomes) == 3,
                 repr(outcomes))
    frames = espnow_on(packets, "wlan0", src=AIRLAB_MAC)
    def one(message):
        return [d for d in frames if d["message"] == message]
    got = one(b"from airlab")
    checks.check("scapy decodes airlab's v1 unicast: addresses, addr3 broadcast, version 1",
                 len(got) == 1 and got[0]["dst"] == SCAPY_MAC and
                 got[0]["addr3"] == "ff:ff:ff:ff:ff:ff" and got[0]["version"] == 1, repr(frames))
    got = one(b"airlab broadcast")
    checks.check("scapy decodes airlab's broadcast",
                 len(got) == 1 and got[0]["dst"] == "ff:ff:ff:ff:ff:ff", repr(frames))
    got = one(b"w" * 900)
    checks.check("scapy decodes airlab's 900-byte v2 frame (4 elements, version 2)",
                 len(got) == 1 and got[0]["version"] == 2, repr(frames)[:300])
    protected = [d for d in espnow_on(packets, "wlan0", src=AIRLAB_MAC, encrypted=True)]
    checks.check("scapy sees airlab's encrypted frame as Protected, without the plaintext",
                 len(protected) == 1 and not any(b"hidden" in raw(p) for p in packets),
                 repr(protected))


def main():
    guest.hwsim_monitor("wlan0", CHANNEL, mac=SCAPY_MAC, active=True)
    guest.hwsim_monitor("wlan2", CHANNEL, mac=PEER_MAC, active=True)
    guest.link_up("hwsim0")
    baseline_scapy_to_scapy()
    status, out = guest.run(guest.AIRLAB, "iface", "setup", "wlan1", "--channel", str(CHANNEL),
                            "--mac", AIRLAB_MAC)
    if checks.check("airlab iface setup wlan1", status == 0, out):
        scapy_to_airlab()
        airlab_to_scapy()
    checks.finish()


if __name__ == "__main__":
    main()
