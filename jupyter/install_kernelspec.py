#!/usr/bin/python3
"""Registers airlab's MicroPython kernel with Jupyter.

  install_kernelspec.py --user          into ~/.local/share/jupyter (what scripts/setup does)
  install_kernelspec.py --prefix DIR    into DIR/share/jupyter: then JUPYTER_PATH=DIR/share/jupyter

The kernelspec runs Debian's python3 on this checkout's jupyter/ folder, so the kernel is
the code of the tree that installed it.
"""

import argparse
import json
import os
import sys
import tempfile

from jupyter_client.kernelspec import KernelSpecManager

NAME = "airlab-micropython"
HERE = os.path.dirname(os.path.abspath(__file__))


def kernel_json():
    return {
        "argv": ["/usr/bin/python3", "-m", "airlab_kernel", "-f", "{connection_file}"],
        "display_name": "MicroPython (airlab board)",
        "language": "python",
        "interrupt_mode": "signal",
        # debugpy (imported by ipykernel) warns about frozen modules at every start otherwise
        "env": {"PYTHONPATH": HERE, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        "metadata": {"debugger": False},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--user", action="store_true", help="for this user (~/.local/share/jupyter)")
    where.add_argument("--prefix", help="into PREFIX/share/jupyter/kernels")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "kernel.json"), "w") as out:
            json.dump(kernel_json(), out, indent=1)
        installed = KernelSpecManager().install_kernel_spec(
            folder, NAME, user=args.user, prefix=args.prefix
        )
    print("installed kernel %s in %s" % (NAME, installed))


if __name__ == "__main__":
    sys.exit(main())
