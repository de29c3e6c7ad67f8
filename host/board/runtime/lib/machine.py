# `machine` as on an ESP32, enough for lab code: resets, unique_id (the station MAC),
# freq, idle, Pin (a level held in memory; irq handlers stored, never triggered by hardware)
# and Timer (callbacks run between bridge calls, see _board.after_call).
import binascii
import _board
import _boardtime

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5

_freq = 160000000


def reset():
    _board.call("machine.reset")


def soft_reset():
    _board.call("machine.soft_reset")


def reset_cause():
    return _board.call("machine.reset_cause")


def unique_id():
    return binascii.unhexlify(_board.call("machine.unique_id"))


def freq(hz=None):
    global _freq
    if hz is None:
        return _freq
    if hz not in (20000000, 40000000, 80000000, 160000000, 240000000):
        raise ValueError("frequency must be 20MHz, 40MHz, 80Mhz, 160MHz or 240MHz")
    _freq = hz


def idle():
    _boardtime.sleep_us(0)


def lightsleep(ms=None):
    _boardtime.sleep_ms(ms if ms is not None else 1 << 29)


def deepsleep(ms=None):
    lightsleep(ms)
    reset()


def disable_irq():
    return 0


def enable_irq(state=0):
    pass


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    PULL_DOWN = 1
    IRQ_RISING = 1
    IRQ_FALLING = 2
    WAKE_LOW = 4
    WAKE_HIGH = 5

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self._id = id
        self._level = 0
        self._handler = None
        self.init(mode, pull, value)

    def init(self, mode=-1, pull=-1, value=None):
        if value is not None:
            self._level = 1 if value else 0

    def value(self, x=None):
        if x is None:
            return self._level
        self._level = 1 if x else 0

    __call__ = value

    def on(self):
        self._level = 1

    def off(self):
        self._level = 0

    def irq(self, handler=None, trigger=3):
        self._handler = handler

    def __repr__(self):
        return "Pin(%d)" % self._id


class Timer:
    ONE_SHOT = 0
    PERIODIC = 1
    _active = {}

    def __init__(self, id, mode=PERIODIC, period=-1, callback=None, freq=-1):
        self._id = id
        if callback is not None:
            self.init(mode=mode, period=period, callback=callback, freq=freq)

    def init(self, mode=PERIODIC, period=-1, callback=None, freq=-1):
        if freq > 0:
            period = 1000 // freq
        if period < 0:
            raise ValueError("period must be set")
        self._mode = mode
        self._period_us = period * 1000
        self._callback = callback
        self._due = _board.call("time.ticks_us") + self._period_us
        Timer._active[self._id] = self
        if _run_due not in _board.after_call:
            _board.after_call.append(_run_due)

    def deinit(self):
        if Timer._active.get(self._id) is self:
            del Timer._active[self._id]
        if not Timer._active and _run_due in _board.after_call:
            _board.after_call.remove(_run_due)

    def value(self):
        return max(0, self._due - _board.call("time.ticks_us")) // 1000

    def __repr__(self):
        return "Timer(%d)" % self._id


def _run_due():
    now = _board.call("time.ticks_us")
    for timer in list(Timer._active.values()):
        if now >= timer._due:
            if timer._mode == Timer.PERIODIC:
                timer._due += timer._period_us
                if timer._due <= now:  # fell behind: skip the missed periods
                    timer._due = now + timer._period_us
            else:
                timer.deinit()
            if timer._callback:
                timer._callback(timer)


class WDT:
    def __init__(self, id=0, timeout=5000):
        pass

    def feed(self):
        pass
