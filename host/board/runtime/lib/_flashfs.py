# The board's flash as a MicroPython VFS mounted at '/': every method is a call to the
# board's fs.* services (host/board/flash_service.h), so files live in the --fs folder.
# Files are read whole when opened (flash files are small); writes go through at once, so
# nothing is lost when code forgets close() or is interrupted. Paths under /.frozen go to our own
# modules (board.mjs's MEMFS folder) without a call, and stay out of listings.
import binascii
import io
import _board


def _join(cwd, path):
    if not path.startswith("/"):
        path = cwd.rstrip("/") + "/" + path
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/" + "/".join(parts)


class _File(io.IOBase):  # IOBase: import and exec read it through the stream protocol
    def __init__(self, path, mode):
        self._path = path
        self._binary = "b" in mode
        self._writing = any(m in mode for m in "wax+")
        self._data = b""
        self._pos = 0
        self._closed = False
        if "r" in mode:
            self._data = binascii.unhexlify(_board.call("fs.read", path))
        if "x" in mode:
            try:
                _board.call("fs.stat", path)
            except OSError:
                pass
            else:
                raise OSError(17)
        if "w" in mode or "x" in mode:
            _board.call("fs.write", path, "", False)

    def _out(self, data):
        return data if self._binary else data.decode()

    def read(self, size=-1):
        end = len(self._data) if size is None or size < 0 else min(len(self._data), self._pos + size)
        chunk = self._data[self._pos:end]
        self._pos = end
        return self._out(chunk)

    def readinto(self, buf):
        chunk = self._data[self._pos:self._pos + len(buf)]
        buf[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def readline(self, size=-1):
        end = self._data.find(b"\n", self._pos)
        end = len(self._data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        chunk = self._data[self._pos:end]
        self._pos = end
        return self._out(chunk)

    def readlines(self):
        lines = []
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def write(self, data):
        if self._closed:
            raise ValueError("I/O operation on closed file")
        if not self._writing:
            raise OSError(9)
        raw = data if isinstance(data, (bytes, bytearray, memoryview)) else data.encode()
        _board.call("fs.write", self._path, binascii.hexlify(raw).decode(), True)
        return len(raw)

    def flush(self):
        pass

    def ioctl(self, request, arg):
        if request == 3:  # MP_STREAM_FLUSH
            self.flush()
        elif request == 4:  # MP_STREAM_CLOSE
            self.close()
        return 0

    def seek(self, offset, whence=0):
        base = (0, self._pos, len(self._data))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self):
        return self._pos

    def close(self):
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_FROZEN = "/.frozen/"


class FlashFs:
    def __init__(self, frozen):
        self._cwd = "/"
        self._frozen = frozen  # a VfsPosix on our modules' folder

    def _abs(self, path):
        return _join(self._cwd, path)

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def open(self, path, mode):
        path = self._abs(path)
        if path.startswith(_FROZEN):
            return self._frozen.open(path[len(_FROZEN) - 1:], mode)
        return _File(path, mode)

    def ilistdir(self, path):
        for name, kind, size in _board.call("fs.listdir", self._abs(path)):
            yield (name, kind, 0, size)

    def stat(self, path):
        path = self._abs(path)
        if path.startswith(_FROZEN):
            return self._frozen.stat(path[len(_FROZEN) - 1:])
        mode, size, mtime = _board.call("fs.stat", path)
        return (mode, 0, 0, 0, 0, 0, size, mtime, mtime, mtime)

    def statvfs(self, path):
        # An ESP32's 4 MB module: about 2 MB of flash for files, 4 KB blocks.
        return (4096, 4096, 512, 448, 448, 0, 0, 0, 0, 255)

    def mkdir(self, path):
        _board.call("fs.mkdir", self._abs(path))

    def rmdir(self, path):
        _board.call("fs.rmdir", self._abs(path))

    def remove(self, path):
        _board.call("fs.remove", self._abs(path))

    def rename(self, old, new):
        _board.call("fs.rename", self._abs(old), self._abs(new))

    def chdir(self, path):
        path = self._abs(path)
        if self.stat(path)[0] != 0x4000:
            raise OSError(20)
        self._cwd = path

    def getcwd(self):
        return self._cwd
