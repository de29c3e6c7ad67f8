# ESPNowBase: what MicroPython's C module _espnow gives both espnow APIs, over the board's
# ESP-NOW service (host/board/espnow_service.h). espnow.py is the 1.21+ API (ESP-NOW v2,
# up to 1470 bytes), _esp_espnow.py the older firmware's `from esp import espnow` (v1, 250).
# Errors are MicroPython's: OSError(-code, "ESP_ERR_ESPNOW_..."), ValueError, TypeError.
import _board
from binascii import hexlify, unhexlify

ADDR_LEN = 6
KEY_LEN = 16
MAX_TOTAL_PEER_NUM = 20
MAX_ENCRYPT_PEER_NUM = 6
RATE_1M = 0
RATE_2M = 1
RATE_5M = 2
RATE_11M = 3
RATE_6M = 11
RATE_12M = 10
RATE_24M = 9
RATE_54M = 12

# peers_table {mac: [rssi, time_ms]}, updated as messages are read, as MicroPython does.
_peers_table = {}
# irq(callback): polled after each bridge call (the board has no interrupts to schedule it).
_irq = [None, None]
_in_irq = [False]
# The room a reused bytearray had (MicroPython grows it back to its allocation).
_room = {}


def _bytes(obj):
    if isinstance(obj, str):
        return obj.encode()
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj)
    raise TypeError("object with buffer protocol required")


def _exact(obj, size):
    data = _bytes(obj)
    if len(data) != size:
        raise ValueError("invalid buffer length")
    return data


def _mac(obj):
    return hexlify(_exact(obj, ADDR_LEN)).decode()


def _peer_info(t):
    return (unhexlify(t[0]), unhexlify(t[1]), t[2], t[3], t[4])


def _irq_hook():
    callback, arg = _irq
    if callback is None or _in_irq[0]:
        return
    _in_irq[0] = True
    try:
        if _board.call("espnow.irq_pending"):
            callback(arg)
    finally:
        _in_irq[0] = False


class ESPNowBase:
    # Set by each API: the frame version its peers get and the longest message.
    _version = 1
    MAX_DATA_LEN = 250
    _singleton = None

    # ESPNow() is one object per board, as in MicroPython; only the first call makes it.
    def __new__(cls):
        if cls._singleton is None:
            cls._singleton = super().__new__(cls)
        return cls._singleton

    def __init__(self):
        if not hasattr(self, "_data"):
            _board.call("espnow.new", self._version)
            self._data = [None, bytearray(self.MAX_DATA_LEN)]

    def active(self, flag=None):
        return _board.call("espnow.active", None if flag is None else bool(flag))

    def config(self, *args, **kwargs):
        if len(args) > 1:
            raise TypeError("function takes 2 positional arguments but %d were given" % (len(args) + 1))
        for name in kwargs:
            if name not in ("rxbuf", "timeout_ms", "timeout", "rate"):
                raise TypeError("unexpected keyword argument '%s'" % name)
        # "timeout" is the 2021 firmware's name for timeout_ms.
        timeout = kwargs.get("timeout_ms", kwargs.get("timeout"))
        rxbuf, timeout_ms = _board.call("espnow.config", kwargs.get("rxbuf"), timeout, kwargs.get("rate"))
        if not args:
            return None
        if args[0] == "rxbuf":
            return rxbuf
        if args[0] in ("timeout_ms", "timeout"):
            return timeout_ms
        raise ValueError("unknown config param")

    def irq(self, callback, arg=None):
        if callback is not None and not callable(callback):
            raise ValueError("invalid handler")
        _irq[0] = callback
        _irq[1] = arg
        if _irq_hook not in _board.after_call:
            _board.after_call.append(_irq_hook)

    def stats(self):
        return tuple(_board.call("espnow.stats"))

    def send(self, *args, sync=None):
        if not 1 <= len(args) <= 3:
            raise TypeError("function takes 2 to 4 positional arguments")
        if len(args) == 1:
            peer, msg = None, args[0]
        else:
            peer, msg = args[0], args[1]
            if len(args) == 3:
                sync = args[2]
        sync = True if sync is None else bool(sync)
        mac = None if peer is None else _mac(peer)
        return _board.call("espnow.send", mac, hexlify(_bytes(msg)).decode(), sync)

    def recvinto(self, data, timeout_ms=None):
        if not isinstance(data, list) or len(data) < 2:
            raise TypeError("recvinto: a list [peer, msg] is needed")
        msg = data[1]
        if not isinstance(msg, bytearray):
            raise TypeError("object with buffer protocol required")
        room = max(len(msg), _room.get(id(msg), 0))
        got = _board.call("espnow.recv", timeout_ms, room)
        if got is None:
            return 0
        mac = unhexlify(got[0])
        body = unhexlify(got[1])
        if len(_room) > 16:
            _room.clear()
        _room[id(msg)] = room
        msg[:] = body
        entry = _peers_table.get(mac)
        if entry is None:
            entry = _peers_table[mac] = [0, 0]
        else:
            for key in _peers_table:  # hand out the table's own key, as MicroPython does
                if key == mac:
                    mac = key
                    break
        entry[0] = got[2]
        entry[1] = got[3]
        data[0] = mac
        if len(data) >= 4:
            data[2] = got[2]
            data[3] = got[3]
        return len(body)

    def any(self):
        return _board.call("espnow.any")

    @property
    def peers_table(self):
        return _peers_table

    def set_pmk(self, pmk):
        _board.call("espnow.set_pmk", hexlify(_exact(pmk, KEY_LEN)).decode())

    def _set_peer(self, name, mac, lmk, channel, ifidx, encrypt):
        lmk_hex = None
        if lmk is not None:
            # A false lmk (b'', False) turns encryption off; a true one must be 16 bytes.
            if lmk:
                lmk_hex = hexlify(_exact(lmk, KEY_LEN)).decode()
            elif encrypt is None:
                encrypt = False
        _board.call(name, _mac(mac), lmk_hex,
                    None if channel is None else int(channel),
                    None if ifidx is None else int(ifidx),
                    None if encrypt is None else bool(encrypt), self._version)

    def add_peer(self, mac, lmk=None, channel=None, ifidx=None, encrypt=None):
        self._set_peer("espnow.add_peer", mac, lmk, channel, ifidx, encrypt)

    def mod_peer(self, mac, lmk=None, channel=None, ifidx=None, encrypt=None):
        self._set_peer("espnow.mod_peer", mac, lmk, channel, ifidx, encrypt)

    def del_peer(self, mac):
        _board.call("espnow.del_peer", _mac(mac))

    def get_peer(self, mac):
        return _peer_info(_board.call("espnow.get_peer", _mac(mac)))

    def get_peers(self):
        return tuple(_peer_info(t) for t in _board.call("espnow.get_peers"))

    def peer_count(self):
        return tuple(_board.call("espnow.peer_count"))
