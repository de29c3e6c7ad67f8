#!/usr/bin/python3
"""ESP-NOW messages per second between two virtual boards' Python loops: one board sends
(`send(peer, msg, True)`: each send waits for its ACK; then `sync=False`), the other takes
them with `irecv()`. Both loops are MicroPython on `airlab board`, the frames cross the
`airlab air` hub at 1 Mb/s (ESP-NOW's default rate) and at 11 Mb/s.

    python3 bench/board_espnow_bench.py [--count N]    (after building airlab)

Prints messages/s as the sending board's ticks_ms and the host's wall clock see them."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "boards"))
from harness import Air  # noqa: E402

SETUP = """
import network, espnow, time
network.WLAN(network.STA_IF).active(True)
e = espnow.ESPNow()
e.config(rxbuf=65536)  # takes effect at active(True), as on MicroPython
e.active(True)
"""
RECEIVE = """
n = 0
while n < %d:
    mac, msg = e.irecv(5000)
    if mac is None:
        break
    n += 1
print(n)
"""
SEND = """
e.config(rate=%d)
t = time.ticks_ms()
ok = 0
for i in range(%d):
    ok += e.send(peer, b'reading', %s)
print(ok, time.ticks_diff(time.ticks_ms(), t))
"""


def run(rx, tx, count, sync, rate):
    rx.write((RECEIVE % count).encode() + b"\x04")
    rx.port.read_until(b"OK", 10)
    start = time.monotonic()
    out, err = tx.exec(SEND % (rate, count, sync), timeout=600)
    if err:
        raise SystemExit(err)
    received = rx.port.read_until(b"\x04>", 600)
    wall = time.monotonic() - start
    acked, board_ms = map(int, out.split())
    got = int(received.split(b"\r\n")[0])
    print("%-22s %6d sent, %6d ACKed, %6d received: %7.0f msg/s (board clock), %7.0f msg/s (wall)"
          % ("sync=%s rate=%s" % (sync, {0: "1M", 3: "11M"}[rate]), count, acked, got,
             count / max(board_ms, 1) * 1000, got / wall))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="messages per run")
    args = parser.parse_args()
    with Air() as air:
        rx = air.board("rx", "02:00:00:00:be:01")
        tx = air.board("tx", "02:00:00:00:be:02")
        rx.exec(SETUP)
        tx.exec(SETUP + "peer = b'\\x02\\x00\\x00\\x00\\xbe\\x01'\ne.add_peer(peer)")
        for sync in (True, False):
            for rate in (0, 3):
                run(rx, tx, args.count, sync, rate)
        print("receiver's stats (tx_pkts, tx_responses, tx_failures, rx_packets, rx_dropped):",
              rx.exec("print(e.stats())")[0].strip())


if __name__ == "__main__":
    main()
