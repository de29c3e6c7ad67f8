#!/usr/bin/python3
"""How long `airlab lab up examples/lab/lab.toml` takes until both boards answer on their raw
REPL, and what a board costs in memory (the RSS of its `airlab board` process plus its
Node.js child running MicroPython). A timed program: it prints its figures.

Usage: bench/lab/lab_up_bench.py [--runs N] [--file LAB.toml] [AIRLAB]
(AIRLAB: default build/release/cli/airlab)"""

import argparse
import os
import statistics
import sys
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, 'tests', 'lab'))
from lab_board import LabBoard  # noqa: E402
from lab_process import LabProcess, board_processes, rss_kib  # noqa: E402


def one_run(airlab, lab_file):
    """(seconds to the table, seconds to every raw REPL answering, {board: RSS KiB})"""
    lab = LabProcess(airlab, lab_file)
    try:
        boards, _ = lab.wait_up(600)
        table_s = lab.up_after
        for name, row in boards.items():
            board = LabBoard(name, row['port'])
            out, err = board.exec('print(6 * 7)', timeout=120)
            board.stop()
            if out.strip() != '42' or err:
                raise AssertionError('%s answered %r %r' % (name, out, err))
        ready_s = time.monotonic() - lab.started_at
        time.sleep(1)  # the boards settle after their first exec
        memory = {name: sum(rss_kib(pid) for pid in pids)
                  for name, pids in board_processes(lab.proc.pid).items()}
        if lab.stop() != 0:
            raise AssertionError('lab up did not end with 0 after SIGTERM:\n' + lab.output())
        return table_s, ready_s, memory
    finally:
        lab.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('airlab', nargs='?', default=os.path.join(SOURCE, 'build/release/cli/airlab'))
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--file', default=os.path.join(SOURCE, 'examples/lab/lab.toml'))
    a = parser.parse_args()
    tables, readies, per_board = [], [], []
    for run in range(a.runs):
        table_s, ready_s, memory = one_run(a.airlab, a.file)
        tables.append(table_s)
        readies.append(ready_s)
        per_board.extend(memory.values())
        each = (', '.join('%s %.1f MiB' % (n, k / 1024) for n, k in sorted(memory.items()))
                if len(memory) <= 4 else 'median %.1f MiB of %d boards'
                % (statistics.median(memory.values()) / 1024, len(memory)))
        print('run %d: table after %.2f s, every raw REPL answering after %.2f s; RSS per board %s'
              % (run + 1, table_s, ready_s, each))
    print('%s, %d runs: lab up to every raw REPL answering: median %.2f s (min %.2f, max %.2f); '
          'to the table: median %.2f s' % (os.path.basename(a.file), a.runs,
                                          statistics.median(readies), min(readies), max(readies),
                                          statistics.median(tables)))
    print('memory per board (airlab board + its Node.js child, RSS): median %.1f MiB '
          '(min %.1f, max %.1f)' % (statistics.median(per_board) / 1024, min(per_board) / 1024,
                                    max(per_board) / 1024))


if __name__ == '__main__':
    main()
