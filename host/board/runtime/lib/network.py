# network: MicroPython's network module on an ESP32 (library/network.WLAN.html), over the
# board's Wi-Fi service (host/board/network_service.h): the soft-AP beacons on the air,
# scan() and connect() are real on the air (connect() returns at once; status() and
# isconnected() tell, as on an ESP32); the lab's --router networks are joined at once.
import _board
from binascii import hexlify, unhexlify

STA_IF = 0
AP_IF = 1
MODE_11B = 1
MODE_11G = 2
MODE_11N = 4
MODE_LR = 8
AUTH_OPEN = 0
AUTH_WEP = 1
AUTH_WPA_PSK = 2
AUTH_WPA2_PSK = 3
AUTH_WPA_WPA2_PSK = 4
AUTH_WPA2_ENTERPRISE = 5
AUTH_WPA3_PSK = 6
AUTH_WPA2_WPA3_PSK = 7
AUTH_MAX = 8
# The 2021 firmware's names for config(ps_mode=...).
WIFI_PS_NONE = 0
WIFI_PS_MIN_MODEM = 1
WIFI_PS_MAX_MODEM = 2
STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_BEACON_TIMEOUT = 200
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202
STAT_ASSOC_FAIL = 203
STAT_CONNECT_FAIL = 203
STAT_HANDSHAKE_TIMEOUT = 204

_interfaces = {}
_hostname = ["mpy-esp32"]


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF
    SEC_OPEN = AUTH_OPEN
    SEC_WEP = AUTH_WEP
    SEC_WPA = AUTH_WPA_PSK
    SEC_WPA2 = AUTH_WPA2_PSK
    SEC_WPA_WPA2 = AUTH_WPA_WPA2_PSK
    SEC_WPA2_ENT = AUTH_WPA2_ENTERPRISE
    SEC_WPA3 = AUTH_WPA3_PSK
    SEC_WPA2_WPA3 = AUTH_WPA2_WPA3_PSK
    PM_NONE = WIFI_PS_NONE
    PM_PERFORMANCE = WIFI_PS_MIN_MODEM
    PM_POWERSAVE = WIFI_PS_MAX_MODEM
    PROTOCOL_DEFAULT = 7
    PROTOCOL_LR = 8

    # One object per interface, as on a board: WLAN(AP_IF) is WLAN(AP_IF).
    def __new__(cls, interface=STA_IF):
        if interface not in (STA_IF, AP_IF):
            raise ValueError("invalid WLAN interface identifier")
        if interface not in _interfaces:
            self = super().__new__(cls)
            self._if = interface
            _interfaces[interface] = self
        return _interfaces[interface]

    def __init__(self, interface=STA_IF):
        pass

    def active(self, *flag):
        return _board.call("wlan.active", self._if, bool(flag[0]) if flag else None)

    def connect(self, ssid=None, key=None, *, bssid=None):
        if bssid is not None:
            bssid = hexlify(bytes(bssid)).decode()
        _board.call("wlan.connect", ssid, key, bssid)

    def disconnect(self):
        _board.call("wlan.disconnect")

    def status(self, param=None):
        value = _board.call("wlan.status", self._if, param)
        if param == "stations":
            return [(unhexlify(mac),) for (mac,) in value]
        return value

    def isconnected(self):
        return _board.call("wlan.isconnected", self._if)

    def scan(self):
        return [(unhexlify(s), unhexlify(b), ch, rssi, auth, hidden)
                for s, b, ch, rssi, auth, hidden in _board.call("wlan.scan")]

    def config(self, *args, **kwargs):
        if args and kwargs:
            raise TypeError("either pos or kw args are allowed")
        if kwargs:
            values = {}
            for name, value in kwargs.items():
                if name == "mac":
                    value = hexlify(bytes(value)).decode()
                elif name == "hidden":
                    value = bool(value)
                elif name == "txpower":
                    value = float(value)
                elif name in ("channel", "authmode", "security", "max_clients", "reconnects",
                              "protocol", "pm", "ps_mode"):
                    value = int(value)
                values[name] = value
            _board.call("wlan.config_set", self._if, values)
            return None
        if len(args) != 1:
            raise TypeError("can query only one param")
        value = _board.call("wlan.config_get", self._if, args[0])
        return unhexlify(value) if args[0] == "mac" else value

    def ifconfig(self, config=None):
        if config is not None:
            _board.call("wlan.ifconfig", self._if, list(config))
            return None
        return tuple(_board.call("wlan.ifconfig", self._if))


def hostname(name=None):
    if name is None:
        return _hostname[0]
    _hostname[0] = name


def country(code=None):
    return "01" if code is None else None


def phy_mode(mode=None):
    return MODE_11B | MODE_11G | MODE_11N if mode is None else None
