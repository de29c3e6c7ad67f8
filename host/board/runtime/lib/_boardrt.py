# Runs the code the board sends (a REPL line, a raw REPL program, boot.py) in __main__'s
# globals, as MicroPython's pyexec does on a board. board.mjs drops this file's frame from
# tracebacks.
import __main__


def run(code, mode, file):
    exec(compile(code, file, mode), __main__.__dict__)
