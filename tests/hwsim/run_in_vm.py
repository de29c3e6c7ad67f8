#!/usr/bin/python3
"""Runs one test script inside a VM with mac80211_hwsim radios (one boot per script) and
turns its check lines into a ctest verdict.

    run_in_vm.py --airlab BUILD/cli/airlab --radios 3 [--timeout 420] SCRIPT.py [ARGS...]

The VM comes from run-in-hwsim-vm (../shared/tools/hwsim-vm beside the source tree, or
$HWSIM_VM_TOOL). The source tree and the build tree are shared into the guest at the same
paths, so the guest runs the built airlab and the host's /usr/bin/python3 (scapy included).
The script prints `ok - NAME` or `not ok - NAME: why` per check (guest.py's Checks).

Passes when the script exits 0 having passed at least one check. Exits 77 (ctest's skip)
with the reason only where no VM can start at all: the tool or qemu-system-x86_64 is
missing, or the tool reports that the VM failed to start (its status 125).
"""

import argparse
import os
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))


def skip(reason):
    print("SKIPPED: %s" % reason, flush=True)
    sys.exit(SKIP)


def find_tool():
    tool = os.environ.get("HWSIM_VM_TOOL") or os.path.join(
        os.path.dirname(SOURCE_DIR), "shared", "tools", "hwsim-vm", "run-in-hwsim-vm")
    if not os.path.isfile(tool):
        skip("no VM tool at %s: it comes with the project's shared/ folder beside the source "
             "tree; set HWSIM_VM_TOOL to its run-in-hwsim-vm" % tool)
    if not shutil.which("qemu-system-x86_64"):
        skip("qemu-system-x86_64 is not installed, so no VM can start: "
             "apt-get install qemu-system-x86 (scripts/setup installs it)")
    return tool


def shares(airlab):
    """The source tree, and the build tree when it lies outside it."""
    dirs = [SOURCE_DIR]
    build = os.path.dirname(os.path.dirname(os.path.abspath(airlab)))
    if not build.startswith(SOURCE_DIR + os.sep):
        dirs.append(build)
    args = []
    for d in dirs:
        args += ["--share", d]
    return args


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--airlab", required=True, help="the built airlab program")
    parser.add_argument("--radios", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=420, help="seconds for boot and script")
    parser.add_argument("--mem", type=int, default=768, help="the guest's memory in MB")
    parser.add_argument("script", help="the script in tests/hwsim/ to run in the guest")
    parser.add_argument("args", nargs="*")
    a = parser.parse_args()

    tool = find_tool()
    script = os.path.join(HERE, a.script)
    airlab = os.path.abspath(a.airlab)
    command = [tool, "--radios", str(a.radios), "--timeout", str(a.timeout), "--mem", str(a.mem)]
    command += shares(airlab)
    command += ["--env", "AIRLAB=" + airlab, "--env", "PYTHONDONTWRITEBYTECODE=1"]
    command += ["--", "/usr/bin/python3", "-u", script] + a.args
    print("# " + " ".join(command), flush=True)

    # The guest's output is streamed as it comes (ctest keeps it) and read for the verdict.
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    passed, failed = 0, []
    for raw in proc.stdout:
        line = raw.decode(errors="replace").rstrip("\r\n")
        print(line, flush=True)
        if line.startswith("ok - "):
            passed += 1
        elif line.startswith("not ok - "):
            failed.append(line[len("not ok - "):])
    errors = proc.stderr.read().decode(errors="replace")
    status = proc.wait()

    if status == 125 and passed == 0 and not failed:
        sys.stderr.write(errors)
        skip("the VM could not start (run-in-hwsim-vm exited 125; its console tail is above)")
    if errors.strip():
        sys.stderr.write(errors)
    if status == 124:
        print("FAILED: the VM run passed its --timeout of %d s (%d checks passed by then)" %
              (a.timeout, passed))
        return 1
    if failed or status != 0 or passed == 0:
        print("FAILED: %d checks passed, %d failed, the script exited %d" %
              (passed, len(failed), status))
        for f in failed:
            print("  " + f)
        return 1
    print("PASSED: %d checks" % passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
