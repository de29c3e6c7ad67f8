# requests: MicroPython's current name for urequests.
from urequests import *
