"""Runs inside the hwsim VM (tests/hwsim/run_in_vm.py): two airlab processes on two radios
exchange ESP-NOW as two boards would, and a third radio sniffs it all.

wlan0 is A (`airlab espnow send`), wlan1 is B (`airlab espnow recv`), both set up by
`airlab iface setup` as active monitors with the boards' MACs, so hwsim ACKs unicast to them;
wlan2 is the sniffer. Checked: unicast with ACK and delivery status, broadcast, v2, CCMP
encryption, a send to an absent peer failing, the sniffer's counts against tcpdump on the
same radio, a channel change taking effect, the commands' privileges, and the interface
going down under a running receiver.
"""

import json
import time

import guest
from guest import AIRLAB

A, B = "24:0a:c4:00:00:0a", "24:0a:c4:00:00:0b"
ABSENT = "24:0a:c4:00:00:ee"
PMK, LMK = "00112233445566778899aabbccddeeff", "0f0e0d0c0b0a09080706050403020100"
CAPTURE = "/tmp/wlan2.pcap"
SNIFFED = "/tmp/sniffed.pcap"  # what `airlab sniff --iface wlan2` kept

checks = guest.Checks()


def setup():
    for iface, mac in (("wlan0", A), ("wlan1", B), ("wlan2", "24:0a:c4:00:00:5f")):
        status, out = guest.run(AIRLAB, "iface", "setup", iface, "--channel", "1", "--mac", mac)
        checks.check("iface setup %s: monitor, channel 1, ACKs to %s" % (iface, mac),
                     status == 0 and "monitor, up, channel 1" in out and mac in out and
                     "ACKs frames to its MAC" in out, "exit %s: %s" % (status, out.strip()))
    status, out = guest.run(AIRLAB, "iface", "list", "--json")
    try:
        listed = json.dumps(json.loads(out))
    except ValueError:
        listed = ""
    checks.check("iface list --json names the three radios",
                 status == 0 and all(w in listed for w in ("wlan0", "wlan1", "wlan2")), out[:300])


def receiver(*extra, count):
    """B listening (JSON lines), returned once it says it listens."""
    recv = guest.Program(AIRLAB, "espnow", "recv", "--iface", "wlan1", "--json",
                         "--count", str(count), "--timeout", "120", *extra)
    if not recv.wait_for("listening on", 90):
        checks.check("espnow recv starts", False, recv.output())
    return recv


def messages(recv):
    found = []
    for line in recv.output().splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def send(*args):
    return guest.run(AIRLAB, "espnow", "send", "--iface", "wlan0", *args, timeout=120)


def plain_exchange():
    recv = receiver(count=6)
    status, out = send("--to", B, "--payload", "unicast", "--count", "3", "--interval", "0.05")
    checks.check("unicast A to B: 3 sends, each delivered (ACKed)",
                 status == 0 and out.count("delivered (ACKed)") == 3, "exit %s: %s" % (status, out))
    status, out = send("--payload", "broadcast", "--count", "2", "--interval", "0.05")
    checks.check("broadcast from A: 2 sends, no ACK asked",
                 status == 0 and out.count("sent (broadcast, no ACK)") == 2, out)
    big = "v2:" + "0123456789" * 100
    status, out = send("--to", B, "--version", "2", "--payload", big)
    checks.check("v2 unicast of %d bytes delivered" % len(big),
                 status == 0 and "%d bytes delivered (ACKed)" % len(big) in out, out)
    status, out = send("--to", ABSENT, "--payload", "anyone?")
    checks.check("a send to an absent peer reports failure (exit 1, not delivered)",
                 status == 1 and "NOT delivered (no ACK)" in out and ABSENT in out, out)
    recv.wait(90)
    got = messages(recv)
    unicast = [m for m in got if m.get("payload_text") == "unicast"]
    checks.check("B received the 3 unicasts from A, as unicast, at -50 dBm (hwsim's RSSI)",
                 len(unicast) == 3 and all(m["from"] == A and not m["broadcast"] and
                                           m["rssi_dbm"] == -50 for m in unicast), repr(got))
    checks.equal("B received the 2 broadcasts, marked broadcast",
                 [m["broadcast"] for m in got if m.get("payload_text") == "broadcast"], [True, True])
    checks.check("B received the v2 message whole",
                 any(m.get("payload_text") == big and m["length"] == len(big) for m in got),
                 repr([(m["length"], m.get("payload_text", "")[:20]) for m in got]))
    checks.equal("recv exited 0 after its --count", recv.proc.returncode, 0)


def encrypted_exchange():
    recv = receiver("--peer", A, "--pmk", PMK, "--lmk", LMK, count=2)
    status, out = send("--to", B, "--pmk", PMK, "--lmk", LMK, "--payload", "secret reading",
                       "--count", "2", "--interval", "0.05")
    checks.check("encrypted unicast A to B delivered (ACKed) twice",
                 status == 0 and out.count("delivered (ACKed)") == 2, out)
    recv.wait(90)
    got = messages(recv)
    checks.check("B decrypted both, marked encrypted",
                 len(got) == 2 and all(m.get("payload_text") == "secret reading" and
                                       m["encrypted"] for m in got), repr(got))


def decoded_capture(path=CAPTURE):
    """The frames in a capture file so far, as `airlab espnow decode --json` reads them."""
    status, out = guest.run(AIRLAB, "espnow", "decode", "--pcap", path, "--json",
                            stderr=False)
    try:
        return json.loads(out)
    except ValueError:
        return None


def count_frames(frames, **want):
    return sum(1 for f in frames if all(f.get(k) == v for k, v in want.items()))


def sniffed_counts(tcpdump, sniff):
    """What tcpdump captured on wlan2 during the exchanges, decoded by airlab: the frames A
    sent, each once (hwsim neither loses nor retries). tcpdump runs slowly under emulation
    and drops what it has not read when stopped: wait for the file to hold all 9 first."""
    deadline, frames = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        frames = decoded_capture()
        if frames is not None and sum(1 for f in frames if f.get("src") == A) >= 9:
            break
        time.sleep(1)
    tcpdump.stop(sig=2)
    sniff.stop(sig=2)
    frames = decoded_capture()
    if not checks.check("espnow decode reads the sniffer's capture", frames is not None,
                        "no JSON from airlab espnow decode"):
        return
    def count(**want):
        return count_frames(frames, **want)
    checks.check("sniffer: frames from A to B (3 unicast + 1 v2 + 2 encrypted)",
                 count(src=A, dst=B) == 6 and count(src=A, dst=B, encrypted=True) == 2,
                 repr([(f.get("src"), f.get("dst"), f.get("encrypted")) for f in frames]))
    checks.equal("sniffer: broadcasts from A", count(src=A, dst="ff:ff:ff:ff:ff:ff"), 2)
    checks.equal("sniffer: frames to the absent peer", count(src=A, dst=ABSENT), 1)
    with open(CAPTURE, "rb") as f:
        checks.check("sniffer: the encrypted payload is not on the air in clear",
                     b"secret reading" not in f.read(), "found the plaintext in the capture")
    # airlab's own sniffer on the same radio keeps what tcpdump saw, frame for frame.
    kept = decoded_capture(SNIFFED)
    checks.check("airlab sniff --iface wlan2 ended on Ctrl-C with its file written",
                 kept is not None, sniff.output())
    if kept is not None:
        for name, want in (("A to B", dict(src=A, dst=B)),
                           ("broadcasts", dict(src=A, dst="ff:ff:ff:ff:ff:ff")),
                           ("to the absent peer", dict(src=A, dst=ABSENT))):
            checks.equal("airlab sniff --iface: frames %s, as tcpdump counted" % name,
                         count_frames(kept, **want), count(**want))


def channel_change():
    recv = receiver("--channel", "6", count=1)
    status, out = send("--to", B, "--payload", "on channel 1")
    checks.check("after B moved to channel 6, a send on channel 1 is not delivered",
                 status == 1 and "NOT delivered" in out, out)
    status, out = send("--channel", "6", "--to", B, "--payload", "on channel 6")
    checks.check("A on channel 6: delivered (ACKed)", status == 0 and "delivered (ACKed)" in out,
                 out)
    recv.wait(90)
    got = [m.get("payload_text") for m in messages(recv)]
    checks.equal("B on channel 6 received only the channel-6 message", got, ["on channel 6"])
    status, out = guest.run("iw", "dev", "wlan1", "info")
    checks.check("iw says wlan1 is on channel 6", "channel 6 " in out, out)


def as_nobody(*args):
    """An airlab command run without root or capabilities."""
    return guest.run("/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                     "--inh-caps=-all", AIRLAB, *args)


def privileges():
    """No root-only surprises: listing needs nothing, the rest say which capability."""
    status, out = as_nobody("iface", "list")
    checks.check("iface list works without privileges", status == 0 and "wlan0" in out, out)
    status, out = as_nobody("iface", "setup", "wlan2", "--channel", "1")
    checks.check("iface setup without privileges: refused, naming CAP_NET_ADMIN",
                 status not in (0, None) and "CAP_NET_ADMIN" in out, out)
    status, out = as_nobody("espnow", "recv", "--iface", "wlan1", "--timeout", "1")
    checks.check("espnow recv without privileges: refused, naming CAP_NET_RAW",
                 status not in (0, None) and "CAP_NET_RAW" in out, out)


def interface_removed(how, command):
    """The monitor interface taken away mid-run: one clear error, no crash, no hang."""
    recv = receiver(count=100)
    guest.run(*command)
    status = recv.wait(60)
    out = recv.output()
    errors = [line for line in out.splitlines() if "wlan1" in line and "listening" not in line]
    checks.check("wlan1 %s under espnow recv: it exits 1 with an error naming wlan1" % how,
                 status == 1 and len(errors) >= 1 and "Segmentation" not in out and
                 "terminate called" not in out, "exit %s: %s" % (status, out.strip()))
    if status is None:
        recv.stop(sig=9)


def main():
    setup()
    privileges()
    # tcpdump on the third radio is the oracle for the sniffer's counts.
    # Every frame (no filter: the protected ones must be counted too).
    tcpdump = guest.Program("tcpdump", "-i", "wlan2", "-U", "-w", CAPTURE)
    checks.check("tcpdump listens on wlan2", tcpdump.wait_for("listening on", 60),
                 tcpdump.output())
    sniff = guest.Program(AIRLAB, "sniff", "--iface", "wlan2", "--filter", "espnow", "-w", SNIFFED,
                          "--summary")
    time.sleep(3)  # it prints nothing until Ctrl-C: give it the time to open wlan2 (TCG)
    plain_exchange()
    encrypted_exchange()
    sniffed_counts(tcpdump, sniff)
    channel_change()
    interface_removed("brought down", ["ip", "link", "set", "wlan1", "down"])
    guest.run("ip", "link", "set", "wlan1", "up")
    interface_removed("deleted", ["iw", "dev", "wlan1", "del"])
    checks.finish()


if __name__ == "__main__":
    main()
