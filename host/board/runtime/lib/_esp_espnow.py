# esp.espnow: the ESP-NOW module of the 2021 firmware the lab's cells were written for
# (glenn20's builds, `from esp import espnow`): ESP-NOW v1 (250 bytes), init()/deinit(),
# poll() for any(), clear(True), and iteration that yields (mac, msg) until deinit(),
# with (None, None) when the receive timeout passes.
import _board
from _espnow import *
from _espnow import ESPNowBase

MAX_DATA_LEN = 250


class ESPNow(ESPNowBase):
    _version = 1
    MAX_DATA_LEN = MAX_DATA_LEN

    def init(self):
        self.active(True)

    def deinit(self):
        self.active(False)

    def poll(self):
        return self.any()

    def clear(self, flag):
        if flag is not True:
            raise ValueError("arg must be True")
        _board.call("espnow.clear")

    def irecv(self, timeout_ms=None):
        if not self.recvinto(self._data, timeout_ms):
            return (None, None)
        return (self._data[0], self._data[1])

    def recv(self, timeout_ms=None):
        if not self.recvinto(self._data, timeout_ms):
            return (None, None)
        return (bytes(self._data[0]), bytes(self._data[1]))

    def __iter__(self):
        return self

    def __next__(self):
        if not self.active():
            raise StopIteration
        return self.irecv()

    def irq(self, callback):
        super().irq(callback, self)

    @property
    def peers(self):
        # This firmware's name for peers_table.
        return self.peers_table
