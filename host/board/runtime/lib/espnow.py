# espnow: MicroPython 1.21+'s ESP-NOW module (docs.micropython.org library/espnow.html),
# as a v1.27 ESP32 build has it: ESP-NOW v2, messages up to 1470 bytes (peers get v1 frames
# up to 250 bytes, which every receiver reads). ESPNow() is a singleton.
from _espnow import *
from _espnow import ESPNowBase

MAX_DATA_LEN = 1470


class ESPNow(ESPNowBase):
    _version = 2
    MAX_DATA_LEN = MAX_DATA_LEN

    def irecv(self, timeout_ms=None):
        return self._data if self.recvinto(self._data, timeout_ms) else (None, None)

    def recv(self, timeout_ms=None):
        if not self.recvinto(self._data, timeout_ms):
            return (None, None)
        return [bytes(self._data[0]), bytes(self._data[1])]

    def irq(self, callback):
        super().irq(callback, self)

    def __iter__(self):
        return self

    def __next__(self):
        return self.irecv()
