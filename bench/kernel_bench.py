#!/usr/bin/python3
"""How fast the Jupyter kernel drives a virtual board: a timed program that prints its
figures (not run by ctest). It starts a board (tests/boards/harness.py) and the kernel as
Jupyter does, then measures
  - an empty cell's round trip (execute_request to execute_reply), median and p90, which is
    the raw REPL's enter + raw-paste + execution + the kernel's messages;
  - output streamed from the board (print of 64 KB in 1 KB lines), KB/s;
  - %sendtofile of a 32 KB file as text and as --binary, and %fetchfile back, KB/s.

usage: bench/kernel_bench.py build/release/cli/airlab
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import start_new_kernel

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "boards"))
import harness  # noqa: E402


def run(kc, code):
    """Executes code and waits for its reply; returns the seconds it took."""
    start = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    took = time.perf_counter() - start
    if reply["content"]["status"] != "ok":
        raise SystemExit("%r failed: %s" % (code, reply["content"]))
    return took


def main():
    os.environ["AIRLAB_BINARY"] = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, os.path.join(ROOT, "jupyter", "install_kernelspec.py"), "--prefix", folder], check=True, stdout=subprocess.DEVNULL)
        os.environ["JUPYTER_PATH"] = os.path.join(folder, "share", "jupyter")
        air = harness.Air().__enter__()
        board = air.board("bench", "02:00:00:00:00:32")
        board.port.close()  # the kernel's from now on
        work = os.path.join(folder, "work")
        os.mkdir(work)
        km, kc = start_new_kernel(kernel_name="airlab-micropython", cwd=work)
        try:
            run(kc, "%%serialconnect --port=%s" % board.path)
            trips = sorted(run(kc, "pass") for _ in range(100))
            print("empty cell round trip: median %.1f ms, p90 %.1f ms (100 cells)" % (1e3 * statistics.median(trips), 1e3 * trips[89]))
            took = run(kc, "for i in range(64):\n    print('x' * 1023)")
            print("output streamed: %.0f KB/s (64 KB)" % (64 / took))
            data = ("# " + "y" * 60 + "\n") * 512  # 32 KB of text lines
            with open(os.path.join(work, "t.py"), "w") as f:
                f.write(data)
            with open(os.path.join(work, "b.bin"), "wb") as f:
                f.write(os.urandom(32 * 1024))
            for label, code in [("%sendtofile text", "%sendtofile --source t.py t.py"), ("%sendtofile --binary", "%sendtofile --binary --source b.bin b.bin"), ("%fetchfile --binary", "%fetchfile --binary b.bin back.bin")]:
                print("%s: %.1f KB/s (32 KB)" % (label, 32 / run(kc, code)))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            air.__exit__(None, None, None)


if __name__ == "__main__":
    main()
