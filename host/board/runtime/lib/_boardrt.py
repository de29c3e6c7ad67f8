# Runs the code the board sends (a REPL line, a raw REPL program, boot.py) in __main__'s
# globals, as MicroPython's pyexec does on a board. board.mjs drops this file's frame from
# tracebacks.
import gc
import __main__


def run(code, mode, file):
    # True when the code raised SystemExit: a board soft-resets then (pyexec's FORCED_EXIT).
    try:
        exec(compile(code, file, mode), __main__.__dict__)
    except SystemExit:
        return True
    return False


def settle():
    # Called apart from run(), once its frames are gone: the collector scans the stack
    # conservatively, and a collection inside run() may keep a program's garbage alive, so
    # that after a MemoryError every allocation of the next program collects a full heap.
    if gc.mem_alloc() > 1 << 20:
        gc.collect()
