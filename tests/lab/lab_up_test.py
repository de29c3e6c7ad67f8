#!/usr/bin/python3
"""`airlab lab up` / `airlab lab down` run as a person runs them: the built program, a lab file,
real HTTP to the server it starts. These need no boards (a lab of just the cloud and the air);
lab_boards_test.py brings boards up.

Usage: lab_up_test.py AIRLAB SOURCE_DIR"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_process import LabProcess  # noqa: E402

AIRLAB = SOURCE = None

CLOUD_ONLY = '''
[cloud]
rate_limit = 0
[[cloud.channel]]
id = 179
name = "lab"
fields = ["reading"]
write_key = "E13BHXREJ6K0V1DQ"
read_keys = ["READ179KEY"]
'''


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


class LabUpDown(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.file = os.path.join(self.dir.name, 'cloud.toml')
        with open(self.file, 'w') as f:
            f.write(CLOUD_ONLY)
        self.labs = []

    def tearDown(self):
        for lab in self.labs:
            lab.close()
        self.dir.cleanup()

    def start(self, **kwargs):
        lab = LabProcess(AIRLAB, self.file, **kwargs)
        self.labs.append(lab)
        return lab

    def test_channel_179_takes_writes_with_the_labs_key_then_lab_down_ends_it(self):
        lab = self.start()
        _, named = lab.wait_up(60)
        cloud = named['cloud']
        self.assertEqual(get(cloud + '/update?api_key=E13BHXREJ6K0V1DQ&field1=4'), '1')
        feed = json.loads(get(cloud + '/channels/179/feeds.json?api_key=READ179KEY'))
        self.assertEqual(feed['channel']['id'], 179)
        self.assertEqual(feed['feeds'][0]['field1'], '4')
        self.assertTrue(named['dashboard'].startswith(cloud))
        self.assertIn('127.0.0.1:', named['air hub'])
        state_dir = os.path.join(lab.env['XDG_RUNTIME_DIR'], 'airlab', 'labs')
        [state_file] = os.listdir(state_dir)
        with open(os.path.join(state_dir, state_file)) as f:
            state = json.load(f)
        self.assertEqual(state['pid'], lab.proc.pid)
        self.assertEqual(state['cloud'], cloud)

        down = lab.down()
        self.assertEqual(down.returncode, 0, down.stdout + down.stderr)
        self.assertIn('stopped the lab from %s (pid %d)' % (self.file, lab.proc.pid), down.stdout)
        # lab down waits: the lab has ended when it returns.
        self.assertIsNotNone(lab.proc.poll(), 'lab down returned while the lab ran')
        self.assertEqual(lab.stop(), 0)
        self.assertIn('airlab lab: stopped', lab.output())
        self.assertEqual(os.listdir(state_dir), [])
        again = lab.down()
        self.assertEqual(again.returncode, 0)
        self.assertIn('no lab runs', again.stdout)

    def test_ctrl_c_exits_130_sigterm_0_and_a_second_run_keeps_the_channel(self):
        data = os.path.join(self.dir.name, 'data')
        lab = self.start(data=data)
        _, named = lab.wait_up(60)
        self.assertEqual(get(named['cloud'] + '/update?api_key=E13BHXREJ6K0V1DQ&field1=7'), '1')
        self.assertEqual(lab.stop(signal.SIGINT), 130, lab.output())
        again = self.start(data=data)
        _, named = again.wait_up(60)
        feed = json.loads(get(named['cloud'] + '/channels/179/feeds.json?api_key=READ179KEY'))
        self.assertEqual([e['field1'] for e in feed['feeds']], ['7'])
        self.assertEqual(again.stop(signal.SIGTERM), 0, again.output())

    def test_a_second_lab_on_the_same_folder_is_refused_naming_the_fix(self):
        data = os.path.join(self.dir.name, 'data')
        first = self.start(data=data)
        first.wait_up(60)
        second = self.start(data=data, runtime_dir=first.env['XDG_RUNTIME_DIR'])
        self.assertEqual(second.proc.wait(60), 1)
        second._reader.join(5)
        self.assertIn('a lab runs on %s already (pid %d' % (data, first.proc.pid), second.output())
        self.assertIn('airlab lab down', second.output())
        self.assertEqual(second.output().count('\n'), 1, second.output())
        self.assertEqual(first.stop(), 0)

    def test_the_folder_holding_channel_179_with_other_keys_is_refused(self):
        data = os.path.join(self.dir.name, 'data')
        made = subprocess.run([AIRLAB, 'channel', 'create', '--name', 'other', '--id', '179',
                               '--data', os.path.join(data, 'cloud')], capture_output=True)
        self.assertEqual(made.returncode, 0, made.stderr)
        lab = self.start(data=data)
        self.assertEqual(lab.proc.wait(60), 1)
        lab._reader.join(5)
        self.assertIn('channel 179: the lab\'s folder', lab.output())
        self.assertIn('with other keys; give the lab another --data', lab.output())

    def test_lab_file_errors_are_one_line_with_file_line_and_fix(self):
        with open(self.file, 'w') as f:
            f.write('[[board]]\nname = "m"\nposition = [0, 0]\nmack = "4c:11:ae:89:bd:d5"\n')
        r = subprocess.run([AIRLAB, 'lab', 'up', self.file], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, 'airlab: error: %s:4:1: board 1: unknown key "mack"; did you '
                         'mean "mac"?\n' % self.file)
        r = subprocess.run([AIRLAB, 'lab', 'up', os.path.join(self.dir.name, 'none.toml')],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn('cannot read the lab file; check the path', r.stderr)


if __name__ == '__main__':
    AIRLAB, SOURCE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1] + sys.argv[3:])
