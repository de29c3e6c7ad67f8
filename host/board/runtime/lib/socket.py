# socket: MicroPython's socket module (library/socket.html) for a virtual board: real TCP
# and UDP sockets of the board process (host/board/socket_service.h). The lab's cloud names
# (api.thingspeak.com) resolve to the lab's server. Nothing works before the station has
# joined a router: getaddrinfo raises OSError(-202), connect OSError(113).
import _board
from binascii import hexlify, unhexlify

AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
IPPROTO_IP = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
SOL_SOCKET = 1
SO_REUSEADDR = 4
SO_BROADCAST = 32
TCP_NODELAY = 1


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    ip, port = _board.call("socket.getaddrinfo", host, int(port))
    return [(AF_INET, type or SOCK_STREAM, proto, "", (ip, port))]


def _address(address):
    host, port = address[0], address[1]
    parts = host.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        host, port = getaddrinfo(host, port)[0][4]
    return host, int(port)


class socket:
    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0, _id=None):
        self._type = type
        self._id = _board.call("socket.new", type) if _id is None else _id
        self._timeout = None  # milliseconds; None blocks, 0 does not

    def settimeout(self, seconds):
        self._timeout = None if seconds is None else int(seconds * 1000)

    def setblocking(self, flag):
        self._timeout = None if flag else 0

    def setsockopt(self, level, option, value):
        pass

    def fileno(self):
        return self._id

    def makefile(self, mode="rb", buffering=0):
        return self

    def connect(self, address):
        host, port = _address(address)
        _board.call("socket.connect", self._id, host, port, self._timeout)

    def bind(self, address):
        _board.call("socket.bind", self._id, address[0] or "0.0.0.0", int(address[1]))

    def listen(self, backlog=2):
        _board.call("socket.listen", self._id, backlog)

    def accept(self):
        client, address = _board.call("socket.accept", self._id, self._timeout)
        return socket(AF_INET, SOCK_STREAM, 0, client), tuple(address)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        return _board.call("socket.send", self._id, hexlify(data).decode(), self._timeout)

    def sendall(self, data):
        data = memoryview(data.encode() if isinstance(data, str) else data)
        while data:
            data = data[self.send(bytes(data[:4096])):]

    def write(self, data):
        self.sendall(data)
        return len(data)

    def sendto(self, data, address):
        host, port = _address(address)
        return _board.call("socket.sendto", self._id, hexlify(data).decode(), host, port, self._timeout)

    def recv(self, size):
        return unhexlify(_board.call("socket.recv", self._id, size, self._timeout))

    def recvfrom(self, size):
        data, address = _board.call("socket.recvfrom", self._id, size, self._timeout)
        return unhexlify(data), tuple(address)

    def read(self, size=None):
        if size is not None:
            return self.recv(size)
        chunks = []
        while True:
            chunk = self.recv(4096)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def readinto(self, buffer, size=None):
        data = self.recv(len(buffer) if size is None else size)
        buffer[:len(data)] = data
        return len(data)

    def readline(self):
        line = b""
        while not line.endswith(b"\n"):
            c = self.recv(1)
            if not c:
                break
            line += c
        return line

    def close(self):
        if self._id is not None:
            _board.call("socket.close", self._id)
            self._id = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
