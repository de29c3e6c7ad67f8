"""THE acceptance test of the lab on virtual boards: examples/notebooks/master.ipynb and
slave.ipynb executed by nbclient at the same time, each with our kernel, against
`airlab lab up examples/lab/lab.toml`.

It checks values, not that cells ran: the slave's readings "0".."4" are in channel 179 (read
back over the server's HTTP API) through the master's cells, and a value the test writes to
channel 179 reaches the slave's cell output through the master's. The master's loops and the
slave's never end: the test interrupts them (as a user's stop button does) once the data has
arrived, which the notebooks' `raises-exception` tags allow.

usage: notebooks_test.py AIRLAB   (the airlab program; ctest passes it)
"""

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import unittest
import urllib.parse
import urllib.request

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
NOTEBOOKS = os.path.join(ROOT, "examples", "notebooks")
LAB_FILE = os.path.join(ROOT, "examples", "lab", "lab.toml")
AIRLAB = None  # from the command line
CHANNEL = 179
READINGS = ["0", "1", "2", "3", "4"]  # what slave_send.py sends
DEADLINE_S = 240  # the whole run; each wait below has its own, shorter one


def cell_with(notebook, text):
    """The index of the one code cell whose source holds `text` (cells are found by what
    they do, so that editing the notebooks' prose does not break the test)."""
    found = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and text in c.source]
    assert len(found) == 1, "%d cells hold %r" % (len(found), text)
    return found[0]


def cell_text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


async def wait_until(what, predicate, timeout_s, failure):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if failure():
            raise AssertionError("waiting for %s, a notebook failed: %s" % (what, failure()))
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (timeout_s, what))
        await asyncio.sleep(0.3)


class Lab:
    """`airlab lab up` in a folder of its own (its state file, data and boards' flash)."""

    def __init__(self, folder):
        self.env = dict(os.environ, XDG_RUNTIME_DIR=os.path.join(folder, "run"))
        os.makedirs(self.env["XDG_RUNTIME_DIR"], mode=0o700)
        self.log = open(os.path.join(folder, "lab.log"), "w+")
        self.process = subprocess.Popen(
            [AIRLAB, "lab", "up", LAB_FILE, "--data", os.path.join(folder, "data")],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        try:
            self.state = self._wait_for_state()
            with open(LAB_FILE, "rb") as f:
                lab = tomllib.load(f)
            self.channel = next(c for c in lab["cloud"]["channel"] if c["id"] == CHANNEL)
        except BaseException:
            self.stop()
            raise

    def _wait_for_state(self):
        labs = os.path.join(self.env["XDG_RUNTIME_DIR"], "airlab", "labs")
        path = os.path.join(labs, "lab-%d.json" % self.process.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("airlab lab up ended:\n" + self.output())
            if os.path.exists(path):
                with open(path) as f:
                    return json.load(f)
            time.sleep(0.2)
        raise AssertionError("airlab lab up wrote no state in 60 s:\n" + self.output())

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def http(self, path, **query):
        url = self.state["cloud"].rstrip("/") + path + "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.read().decode()

    def field1_values(self):
        query = {"results": 100}
        if not self.channel.get("public"):
            query["api_key"] = self.channel["read_keys"][0]
        feeds = json.loads(self.http("/channels/%d/feeds.json" % CHANNEL, **query))["feeds"]
        return [entry.get("field1") for entry in feeds]

    def write(self, value):
        """Writes field1 (as a user's browser would), retrying through the rate limit."""
        deadline = time.monotonic() + 40
        while self.http("/update", api_key=self.channel["write_key"], field1=value).strip() == "0":
            if time.monotonic() > deadline:
                raise AssertionError("channel %d refused the write for 40 s" % CHANNEL)
            time.sleep(1)


class Notebook:
    """One notebook run cell by cell by nbclient with our kernel; `gates` may hold a cell
    back until the other notebook is far enough (as two people in the lab would wait)."""

    def __init__(self, name):
        self.name = name
        self.nb = nbformat.read(os.path.join(NOTEBOOKS, name + ".ipynb"), as_version=4)
        self.client = NotebookClient(
            self.nb, timeout=None, kernel_name="airlab-micropython",
            resources={"metadata": {"path": NOTEBOOKS}},
        )
        self.started = set()  # indices of cells sent to the kernel
        self.error = None
        self.gates = {}

    async def run(self):
        try:
            async with self.client.async_setup_kernel():
                for index, cell in enumerate(self.nb.cells):
                    if index in self.gates:
                        await self.gates[index]()
                    self.started.add(index)
                    await self.client.async_execute_cell(cell, index)
        except BaseException as error:
            self.error = error
            raise

    def outputs(self):
        """Every executed cell's source head and output (for a failure's message)."""
        said = []
        for index in sorted(self.started):
            cell = self.nb.cells[index]
            if cell.cell_type != "code":
                continue
            errors = ["%s: %s" % (o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]
            said.append("[%d] %s\n%s%s" % (index, cell.source.splitlines()[0], cell_text(cell), "\n".join(errors)))
        return "\n".join(said)

    async def interrupt(self):
        await self.client.km.interrupt_kernel()


class LabNotebooks(unittest.TestCase):
    def test_master_and_slave_notebooks_at_the_same_time(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        install = [sys.executable, os.path.join(ROOT, "jupyter", "install_kernelspec.py"), "--prefix", folder.name]
        subprocess.run(install, check=True, stdout=subprocess.DEVNULL)
        lab = Lab(folder.name)
        self.addCleanup(lab.stop)
        # nbclient finds the kernelspec, and starts kernels, with this process's environment.
        os.environ.update(lab.env, JUPYTER_PATH=os.path.join(folder.name, "share", "jupyter"))
        try:
            asyncio.run(asyncio.wait_for(self.experiment(lab), DEADLINE_S))
        except BaseException:
            print("lab up said:\n" + lab.output())
            raise

    async def experiment(self, lab):
        master, slave = Notebook("master"), Notebook("slave")
        self.from_slave = cell_with(master.nb, "post_thingspeak(")
        self.to_slave = cell_with(master.nb, 'get_thingspeak("179")')
        self.send = cell_with(slave.nb, "for i in range(5)")
        self.receive = cell_with(slave.nb, "print(msg)")
        self.failed = lambda: master.error or slave.error

        async def master_is_listening():
            # The master's loop starts with e.clear(True): the slave sends after it.
            await wait_until("the master's loop", lambda: self.from_slave in master.started, 120, self.failed)
            await asyncio.sleep(2)

        slave.gates[self.send] = master_is_listening
        runs = [asyncio.ensure_future(master.run()), asyncio.ensure_future(slave.run())]
        try:
            await self.drive(lab, master, slave)
            await asyncio.gather(*runs)
        except BaseException:
            for notebook in (master, slave):
                print("== %s.ipynb's outputs:\n%s" % (notebook.name, notebook.outputs()))
            raise
        finally:
            for run in runs:
                run.cancel()  # nothing when done; a notebook still running is stopped
            await asyncio.gather(*runs, return_exceptions=True)
        self.check(lab, master, slave)

    async def drive(self, lab, master, slave):
        """Waits for the data at each step and interrupts the loops that have done their part."""
        await wait_until("0..4 in the channel", lambda: lab.field1_values()[:5] == READINGS, 90, self.failed)
        await master.interrupt()  # ends cloud-from-slave; cloud-to-slave starts
        await wait_until("the master's cloud-to-slave loop", lambda: self.to_slave in master.started, 30, self.failed)
        self.value = str(random.randint(100000, 999999))
        lab.write(self.value)
        printed = lambda: "b'%s'" % self.value in cell_text(slave.nb.cells[self.receive])  # noqa: E731
        await wait_until("the value in the slave's output", printed, 60, self.failed)
        await slave.interrupt()
        await master.interrupt()

    def check(self, lab, master, slave):
        self.assertEqual(lab.field1_values()[:5], READINGS)
        self.assertEqual(cell_text(slave.nb.cells[self.send]).split(), READINGS)
        self.assertIn(self.value, cell_text(master.nb.cells[self.to_slave]).split())
        # print(msg) of the message: bytes, or the bytearray that iterating an ESPNow gives
        # from MicroPython 1.21 on; either way the value the test wrote.
        printed = cell_text(slave.nb.cells[self.receive]).split()
        self.assertTrue({"b'%s'" % self.value, "bytearray(b'%s')" % self.value} & set(printed), printed)
        master_setup = cell_with(master.nb, "wlan.config('mac')")
        self.assertIn("b'L\\x11\\xae\\x89\\xbd\\xd5'", cell_text(master.nb.cells[master_setup]))


if __name__ == "__main__":
    AIRLAB = os.path.abspath(sys.argv.pop(1))
    unittest.main()
