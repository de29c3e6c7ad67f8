#!/usr/bin/python3
"""How fast a virtual board (`airlab board`) answers, measured end to end on this machine:
- bridge round trips per second: MicroPython calling `_board.call("board.echo", i)` in a
  loop (Python -> JSON -> socketpair -> C++ handler -> back), against the same loop without
  the call;
- a raw REPL program's round trip (Ctrl-D to the closing ">"), as a Jupyter cell pays it;
- power-on to the first prompt (the Node child starting MicroPython, boot.py absent).
A plain program (the board is two processes; Google Benchmark would measure only one).

Run (after building `airlab`): /usr/bin/python3 bench/board_bridge_bench.py [--calls N]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "boards"))
from harness import Air, Port, airlab_binary  # noqa: E402


def timed_exec(board, code):
    start = time.perf_counter()
    out, err = board.exec(code, timeout=300)
    if err:
        raise SystemExit("the board failed: " + err)
    return time.perf_counter() - start


def power_on_ms(air):
    """From starting `airlab board` to its first ">>> " (the port opened as soon as printed)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [airlab_binary(), "board", "--name", "boot", "--mac", "02:00:00:00:be:02", "--hub",
         air.address, "--fs", os.path.join(air.folder, "boot-flash"), "--quiet"],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    path = re.search(rb"serial port (\S+)", process.stdout.readline()).group(1).decode()
    port = Port(path)
    port.read_until(b">>> ", 60)
    elapsed = (time.perf_counter() - start) * 1000
    port.close()
    process.terminate()
    process.wait()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=20000, help="bridge calls per run")
    parser.add_argument("--runs", type=int, default=3, help="runs (the median is printed)")
    args = parser.parse_args()
    with Air() as air:
        boot_ms = statistics.median(power_on_ms(air) for _ in range(5))
        board = air.board("bench", "02:00:00:00:be:01")
        board.exec("import _board")
        loop = "for i in range(%d):\n    %s" % (args.calls, "%s")
        with_calls = [timed_exec(board, loop % "_board.call('board.echo', i)") for _ in range(args.runs)]
        without = [timed_exec(board, loop % "pass") for _ in range(args.runs)]
        per_call = (statistics.median(with_calls) - statistics.median(without)) / args.calls
        empty = sorted(timed_exec(board, "pass") for _ in range(50))
        print("bridge round trips: %.0f per second (%.1f us each, %d calls, median of %d runs)"
              % (1 / per_call, per_call * 1e6, args.calls, args.runs))
        print("raw REPL program round trip: median %.2f ms, 90th percentile %.2f ms (50 runs)"
              % (empty[25] * 1000, empty[45] * 1000))
        print("power-on to the first prompt (board process start included): median %.0f ms of 5"
              % boot_ms)


if __name__ == "__main__":
    main()
