# The bridge to the board process (host/board/bridge.h): _board.call("espnow.send", ...)
# runs the C++ handler registered under that name and returns its JSON result, raises
# the exception it names, or KeyboardInterrupt when Ctrl-C ended its wait. Bytes cross as
# hex strings.
import builtins
import json
import _board_js

# Callables run after every call returns: machine.Timer callbacks and espnow.irq handlers
# are polled here, so they run only between bridge calls (README: limits).
after_call = []


def _raise(error):
    kind, args = error
    raise getattr(builtins, kind, RuntimeError)(*args)


_in_hooks = False


def _run_hooks():
    global _in_hooks
    _in_hooks = True  # a hook's own calls run no hooks
    try:
        for hook in after_call:
            hook()
    finally:
        _in_hooks = False


def call(name, *args):
    answer = json.loads(_board_js.call(json.dumps((name,) + args)))
    if "i" in answer:
        raise KeyboardInterrupt
    if after_call and not _in_hooks:
        _run_hooks()
    if "e" in answer:
        _raise(answer["e"])
    return answer.get("r")
