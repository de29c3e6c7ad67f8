"""`airlab lab up` as a test or a benchmark runs it: a child process with a runtime folder of
its own (so its state file is the test's), its output collected, the table it prints read
back, and its stop by `airlab lab down`, SIGINT or SIGTERM."""

import os
import re
import signal
import subprocess
import tempfile
import threading
import time

class LabProcess:
    def __init__(self, airlab, lab_file, data=None, extra_args=(), runtime_dir=None):
        self.airlab = airlab
        self.scratch = tempfile.TemporaryDirectory(prefix='airlab-lab-')
        self.data = data or os.path.join(self.scratch.name, 'data')
        self.env = dict(os.environ)
        self.env['XDG_RUNTIME_DIR'] = runtime_dir or os.path.join(self.scratch.name, 'run')
        os.makedirs(self.env['XDG_RUNTIME_DIR'], exist_ok=True)
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            [airlab, 'lab', 'up', lab_file, '--data', self.data, *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env)
        self._output = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in iter(self.proc.stdout.readline, b''):
            with self._lock:
                self._output.append(line.decode('utf-8', 'replace'))

    def output(self):
        with self._lock:
            return ''.join(self._output)

    def wait_for(self, text, timeout):
        """True once `text` was printed; False when the lab ended first or time ran out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return text in self.output()
            time.sleep(0.02)
        return False

    def wait_up(self, timeout=300):
        if not self.wait_for('stops the lab.', timeout):
            raise AssertionError('the lab did not come up:\n' + self.output())
        self.up_after = time.monotonic() - self.started_at
        return self.table()

    def table(self):
        """The boards' rows ({name: {mac, ap_mac, channel, port}}) and the named lines
        (dashboard, cloud, air hub) that lab up printed."""
        out = self.output()
        boards = {}
        mac = r'((?:[0-9a-f]{2}:){5}[0-9a-f]{2})'
        for m in re.finditer(r'^(\S+)\s+' + mac + r'\s+' + mac + r'\s+(\d+)\s+(\S+)$', out, re.M):
            boards[m.group(1)] = {'mac': m.group(2), 'ap_mac': m.group(3),
                                  'channel': int(m.group(4)), 'port': m.group(5)}
        named = dict(re.findall(r'^(dashboard|cloud|air hub) +(\S+)', out, re.M))
        return boards, named

    def down(self, *args):
        return subprocess.run([self.airlab, 'lab', 'down', *args], env=self.env,
                              capture_output=True, text=True, timeout=120)

    def stop(self, sig=signal.SIGTERM, timeout=120):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def close(self):
        if self.proc.poll() is None:
            self.stop(signal.SIGKILL)
        self._reader.join(5)
        self.proc.stdout.close()
        self.scratch.cleanup()


def rss_kib(pid):
    """The process's resident set (VmRSS) in KiB; 0 when it is gone."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def board_processes(lab_pid):
    """{board name: [its pid, its descendants' pids]} for the `airlab board` children of the
    lab."""
    boards = {}
    for pid in descendants(lab_pid):
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                args = f.read().split(b'\0')
        except OSError:
            continue
        names = [a[len(b'--name='):] for a in args if a.startswith(b'--name=')]
        if len(args) > 2 and args[1] == b'board' and names:
            boards[names[0].decode()] = [pid] + descendants(pid)
    return boards


def descendants(pid):
    """Every process whose parent chain reaches pid (from /proc)."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split(') ')[1][0] != 'Z'
    except OSError:
        return False
