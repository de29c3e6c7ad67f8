# esp: the ESP32 port's esp module, as much as lab code uses: esp.espnow (the older
# firmware's ESP-NOW API, _esp_espnow.py), osdebug() and the flash size.
import _esp_espnow as espnow

LOG_NONE = 0
LOG_ERROR = 1
LOG_WARNING = 2
LOG_INFO = 3
LOG_DEBUG = 4
LOG_VERBOSE = 5


def osdebug(uart, level=LOG_ERROR):
    pass


def flash_size():
    return 4 * 1024 * 1024
