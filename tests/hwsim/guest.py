"""What every script run inside the hwsim VM shares: checks printed one a line, the radios'
set-up, and airlab programs run beside the script.

The VM (../shared/tools/hwsim-vm/run-in-hwsim-vm) runs the script as root with the host's
/usr, so this is the host's /usr/bin/python3. Programs start slowly there (TCG emulation,
a loaded machine): wait for what a program prints, never for a fixed time.
"""

import os
import subprocess
import sys
import tempfile
import time

AIRLAB = os.environ.get("AIRLAB", "airlab")
# The permanent MAC of hwsim radio N (the VM's README).
def radio_mac(n):
    return "02:00:00:00:%02x:00" % n


class Checks:
    """One line per check, TAP-like: `ok - NAME` or `not ok - NAME: why`. run_in_vm.py
    counts them; the script's exit status says whether all passed."""

    def __init__(self):
        self.failed = []
        self.passed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print("ok - %s" % name, flush=True)
        else:
            self.failed.append(name)
            print("not ok - %s: %s" % (name, detail), flush=True)
        return condition

    def equal(self, name, got, want):
        return self.check(name, got == want, "got %r, want %r" % (got, want))

    def finish(self):
        print("# %d passed, %d failed%s" % (self.passed, len(self.failed),
                                            (": " + ", ".join(self.failed)) if self.failed else ""),
              flush=True)
        sys.exit(1 if self.failed else 0)


def run(*args, timeout=60, check=False, stderr=True):
    """Runs a program to its end; returns (exit status, what it printed: both streams, or
    standard output alone when STDERR is False)."""
    try:
        done = subprocess.run(list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if stderr else subprocess.DEVNULL,
                              timeout=timeout, text=True, errors="replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out + "\n(timed out after %d s)" % timeout
    if check and done.returncode != 0:
        print("# %s failed (%d):\n%s" % (" ".join(args), done.returncode, done.stdout), flush=True)
    return done.returncode, done.stdout


def hwsim_monitor(iface, channel, mac=None, active=False):
    """Monitor mode on CHANNEL the reliable way (the VM's helper cycles the interface, see its
    README quirk 6). An active monitor with our MAC makes the radio ACK unicast to it."""
    args = ["hwsim-monitor"] + (["-a"] if active else []) + (["-m", mac] if mac else [])
    status, out = run(*args, iface, str(channel))
    if status != 0:
        raise RuntimeError("hwsim-monitor %s %s failed: %s" % (iface, channel, out))


def link_up(iface):
    run("ip", "link", "set", iface, "up", check=True)


class Program:
    """A program kept running beside the script, its output in a file it can be waited on."""

    def __init__(self, *args, env=None):
        self.args = list(args)
        self.log = tempfile.NamedTemporaryFile(prefix="hwsim-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     env=dict(os.environ, **(env or {})))

    def output(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def wait_for(self, text, timeout=60):
        """True once TEXT was printed; False if the program ended or TIMEOUT passed first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return True
            if self.proc.poll() is not None:
                return text in self.output()
            time.sleep(0.1)
        return False

    def stop(self, sig=15, timeout=30):
        """Sends SIG (SIGTERM by default) and returns the exit status (None if it hung)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def wait(self, timeout=60):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
