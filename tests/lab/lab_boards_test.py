#!/usr/bin/python3
"""`airlab lab up` with boards, as a lab uses it: every board's serial port answers the raw
REPL as MicroPython's tools drive it, the lab's channel takes a write over HTTP, and
`airlab lab down` (or SIGTERM) leaves no process behind. With --class30, the class of 30
boards of examples/lab/class30.toml: every board answers, and all 30 exchange ESP-NOW
messages (a ring of acknowledged unicasts, and a broadcast every other board hears).

Usage: lab_boards_test.py AIRLAB SOURCE_DIR [--class30]"""

import json
import os
import signal
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_board import LabBoard  # noqa: E402
from lab_process import LabProcess, alive, board_processes  # noqa: E402

AIRLAB = SOURCE = None
CLASS30 = False


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


class LabWithBoards(unittest.TestCase):
    def setUp(self):
        self.lab = None
        self.boards = []

    def tearDown(self):
        for board in self.boards:
            board.stop()
        if self.lab:
            self.lab.close()

    def up(self, example):
        self.lab = LabProcess(AIRLAB, os.path.join(SOURCE, 'examples', 'lab', example))
        rows, named = self.lab.wait_up(900)
        self.boards = [LabBoard(name, row['port']) for name, row in rows.items()]
        return rows, named

    def assert_every_board_answers(self, rows):
        for board in self.boards:
            out, err = board.exec('import sys\nprint(sys.implementation.name, 6 * 7)', timeout=120)
            self.assertEqual((out, err), ('micropython 42\r\n', ''), board.name)
        # Each port is the board its row names: a board's port link leads to its port.
        for name, row in rows.items():
            link = os.path.join(self.lab.data, 'ports', name)
            self.assertEqual(os.path.realpath(link), os.path.realpath(row['port']))

    def assert_nothing_left(self, pids):
        left = [pid for pid in pids if alive(pid)]
        self.assertEqual(left, [], 'processes left after the lab ended')

    def test_the_lab_up_both_repls_channel_179_then_lab_down_leaves_nothing(self):
        rows, named = self.up('lab.toml')
        self.assertEqual(sorted(rows), ['master', 'slave'])
        self.assertEqual(rows['master']['mac'], '4c:11:ae:89:bd:d4')
        self.assertEqual(rows['master']['ap_mac'], '4c:11:ae:89:bd:d5')  # what the cells print
        self.assertEqual(rows['slave']['mac'], '4c:11:ae:89:bc:94')
        self.assertEqual(rows['slave']['ap_mac'], '4c:11:ae:89:bc:95')
        self.assert_every_board_answers(rows)
        self.assertEqual(get(named['cloud'] + '/update?api_key=E13BHXREJ6K0V1DQ&field1=0'), '1')
        feed = json.loads(get(named['cloud'] + '/channels/179/fields/1/last.json'))
        self.assertEqual(feed['field1'], '0')  # public: no key needed, as get_thingspeak reads
        processes = board_processes(self.lab.proc.pid)
        self.assertEqual(sorted(processes), ['master', 'slave'])
        self.assertTrue(all(len(pids) >= 2 for pids in processes.values()),
                        'each board runs its Node.js child: %r' % processes)
        for board in self.boards:
            board.stop()
        self.boards = []
        down = self.lab.down()
        self.assertEqual(down.returncode, 0, down.stdout + down.stderr)
        self.assertIn('stopped the lab', down.stdout)
        self.assertEqual(self.lab.stop(), 0)
        self.assert_nothing_left([pid for pids in processes.values() for pid in pids])

    def test_the_master_joins_the_labs_router_and_writes_channel_179_through_it(self):
        # The flags lab up gives each board: the file's router, and the cloud that
        # api.thingspeak.com resolves to (the lab's server), as the lab's cells use them.
        _, named = self.up('lab.toml')
        master = [b for b in self.boards if b.name == 'master'][0]
        out, err = master.exec(
            'import network, time\n'
            'w = network.WLAN(network.STA_IF)\nw.active(True)\nw.connect("lab", "airlab-lab")\n'
            'for i in range(200):\n'
            '    if w.isconnected():\n'
            '        break\n'
            '    time.sleep_ms(50)\n'
            'print(w.isconnected(), w.config("channel"))')
        self.assertEqual((out, err), ('True 1\r\n', ''))
        out, err = master.exec(
            'import urequests\n'
            'r = urequests.get("http://api.thingspeak.com/update?api_key=E13BHXREJ6K0V1DQ'
            '&field1=3")\nprint(r.text)', timeout=60)
        self.assertEqual((out, err), ('1\r\n', ''))
        feed = json.loads(get(named['cloud'] + '/channels/179/fields/1/last.json'))
        self.assertEqual(feed['field1'], '3')

    def test_a_board_that_ends_is_reported_and_the_others_run_on(self):
        self.up('lab.toml')
        processes = board_processes(self.lab.proc.pid)
        os.kill(processes['slave'][0], signal.SIGKILL)
        self.assertTrue(self.lab.wait_for('board slave was killed by signal 9; the others run on',
                                          60), self.lab.output())
        master = [b for b in self.boards if b.name == 'master'][0]
        self.assertEqual(master.exec('print("still here")'), ('still here\r\n', ''))
        self.assertEqual(self.lab.down().returncode, 0)
        self.assertEqual(self.lab.stop(), 0)
        self.assert_nothing_left([pid for pids in processes.values() for pid in pids])

    def test_a_lab_killed_with_sigkill_takes_its_boards_along(self):
        self.up('lab.toml')
        processes = board_processes(self.lab.proc.pid)
        self.lab.stop(signal.SIGKILL)
        pids = [pid for group in processes.values() for pid in group]
        end = time.monotonic() + 30
        while any(alive(pid) for pid in pids) and time.monotonic() < end:
            time.sleep(0.05)
        self.assert_nothing_left(pids)

    def test_a_class_of_30_comes_up_answers_and_exchanges_espnow(self):
        if not CLASS30:
            self.skipTest('the class of 30 runs with --class30 (ctest: lab_class30_test)')
        rows, _ = self.up('class30.toml')
        self.assertEqual(len(rows), 30)
        self.assert_every_board_answers(rows)
        boards = sorted(self.boards, key=lambda b: int(b.name[len('student'):]))
        macs = [rows[b.name]['mac'] for b in boards]

        def mac_bytes(mac):
            return 'bytes.fromhex(%r)' % mac.replace(':', '')

        for i, board in enumerate(boards):
            out, err = board.exec(
                'import espnow, network\n'
                'w = network.WLAN(network.STA_IF)\nw.active(True)\n'
                'e = espnow.ESPNow()\ne.active(True)\n'
                'e.add_peer(%s)\ne.add_peer(b"\\xff" * 6)\nprint("ready")'
                % mac_bytes(macs[(i + 1) % 30]))
            self.assertEqual((out, err), ('ready\r\n', ''), board.name)
        # A ring: each board sends to the next, which acknowledges (send returns True).
        for i, board in enumerate(boards):
            out, err = board.exec('print(e.send(%s, "from %s", True))'
                                  % (mac_bytes(macs[(i + 1) % 30]), board.name))
            self.assertEqual((out, err), ('True\r\n', ''), board.name)
        # One broadcast from the first board.
        out, err = boards[0].exec('print(e.send(b"\\xff" * 6, "hello class", True))')
        self.assertEqual((out, err), ('True\r\n', ''))
        # What each board received: the ring's message from the one before it, the broadcast
        # (but the first board), and nothing else (a last short wait would catch a stray one).
        for i, board in enumerate(boards):
            previous = boards[(i - 1) % 30]
            expected = [(macs[(i - 1) % 30].replace(':', ''), 'from ' + previous.name)]
            if i != 0:
                expected.append((macs[0].replace(':', ''), 'hello class'))
            out, err = board.exec(
                'got = []\n'
                'for wait in [5000] * %d + [200]:\n'
                '    host, msg = e.recv(wait)\n'
                '    if msg is None:\n'
                '        break\n'
                '    got.append((host.hex(), msg.decode()))\n'
                'print(sorted(got))' % len(expected), timeout=60)
            self.assertEqual((out, err), ('%r\r\n' % sorted(expected), ''), board.name)
        processes = board_processes(self.lab.proc.pid)
        self.assertEqual(len(processes), 30)
        self.assertEqual(self.lab.stop(signal.SIGINT), 130, self.lab.output())
        self.assert_nothing_left([pid for pids in processes.values() for pid in pids])


if __name__ == '__main__':
    AIRLAB, SOURCE = sys.argv[1], sys.argv[2]
    CLASS30 = '--class30' in sys.argv
    unittest.main(argv=sys.argv[:1] + [a for a in sys.argv[3:] if a != '--class30'])
