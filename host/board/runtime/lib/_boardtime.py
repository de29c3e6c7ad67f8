# `time` on the board: MicroPython's own module, with the sleeps and ticks on the board's
# air clock. A sleep waits in the board process (Ctrl-C ends it with KeyboardInterrupt);
# while machine.Timer or irq callbacks are pending it waits in 10 ms steps so they run.
from time import *  # noqa: F401,F403 - gmtime, localtime, mktime, time, time_ns...
import _board

_PERIOD = 1 << 30  # MicroPython's ticks period on this port
_STEP_US = 10000


def sleep_us(us):
    us = int(us)
    if not _board.after_call:
        _board.call("time.sleep_us", us)
        return
    end = _board.call("time.ticks_us") + us
    while True:
        left = end - _board.call("time.ticks_us")
        if left <= 0:
            return
        _board.call("time.sleep_us", min(left, _STEP_US))


def sleep_ms(ms):
    sleep_us(int(ms) * 1000)


def sleep(seconds):
    sleep_us(int(seconds * 1000000))


def ticks_us():
    return _board.call("time.ticks_us") % _PERIOD


def ticks_ms():
    return (_board.call("time.ticks_us") // 1000) % _PERIOD


def ticks_cpu():
    return ticks_us()


def ticks_add(ticks, delta):
    if not -_PERIOD // 2 <= delta < _PERIOD // 2:
        raise OverflowError("ticks interval overflow")
    return (ticks + delta) % _PERIOD


def ticks_diff(end, start):
    return ((end - start + _PERIOD // 2) % _PERIOD) - _PERIOD // 2
