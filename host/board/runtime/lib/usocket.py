# usocket: the name 2021-era code imports socket by.
from socket import *
