# urequests: HTTP/1.0 requests over socket, with MicroPython's requests API (request, get,
# post, put, patch, delete, head; Response.status_code, reason, headers, content, text,
# json(), close()). Boards have no TLS: https:// works only for the lab's cloud names when
# the lab's cloud is plain HTTP (then api.thingspeak.com is the lab's server), and raises
# OSError otherwise.
import _board
import socket


class Response:
    def __init__(self, sock):
        self.raw = sock
        self.encoding = "utf-8"
        self.status_code = None
        self.reason = ""
        self.headers = {}
        self._content = None
        self._length = None
        self._chunked = False

    def close(self):
        if self.raw is not None:
            self.raw.close()
            self.raw = None

    def _read_exactly(self, size):
        data = b""
        while len(data) < size:
            chunk = self.raw.recv(size - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def _read_chunked(self):
        body = b""
        while True:
            size = int(self.raw.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.raw.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += self._read_exactly(size)
            self.raw.readline()

    @property
    def content(self):
        if self._content is None:
            try:
                if self._chunked:
                    self._content = self._read_chunked()
                elif self._length is not None:
                    self._content = self._read_exactly(self._length)
                else:
                    self._content = self.raw.read()
            finally:
                self.close()
        return self._content

    @property
    def text(self):
        return str(self.content, self.encoding)

    def json(self):
        import json

        return json.loads(self.content)


def _split_url(url):
    try:
        scheme, _, host, path = url.split("/", 3)
    except ValueError:
        scheme, _, host = url.split("/", 2)
        path = ""
    if scheme not in ("http:", "https:"):
        raise ValueError("Unsupported protocol: " + scheme)
    port = 443 if scheme == "https:" else 80
    if ":" in host:
        host, port = host.split(":", 1)
        port = int(port)
    return scheme, host, port, path


def request(method, url, data=None, json=None, headers=None, stream=None, auth=None,
            timeout=None, parse_headers=True):
    for _ in range(5):  # redirects
        scheme, host, port, path = _split_url(url)
        if scheme == "https:" and not _board.call("socket.cloud_plain", host):
            raise OSError("TLS is not available on a virtual board: use http://" + host)
        address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        s = socket.socket(address[0], socket.SOCK_STREAM, address[2])
        if timeout is not None:
            s.settimeout(timeout)
        try:
            s.connect(address[-1])
            response = _exchange(s, method, host, path, data, json, headers or {}, auth)
        except BaseException:
            s.close()
            raise
        location = response.headers.get("Location")
        if response.status_code in (301, 302, 303, 307, 308) and location:
            response.close()
            url = location if "://" in location else scheme + "//" + host + location
            if response.status_code == 303:
                method, data, json = "GET", None, None
            continue
        return response
    raise OSError("too many redirects")


def _exchange(s, method, host, path, data, json, headers, auth):
    if json is not None:
        import json as json_module

        data = json_module.dumps(json)
        headers.setdefault("Content-Type", "application/json")
    if isinstance(data, str):
        data = data.encode()
    if auth is not None:
        from binascii import b2a_base64

        token = b2a_base64(("%s:%s" % auth).encode()).strip().decode()
        headers["Authorization"] = "Basic " + token
    lines = ["%s /%s HTTP/1.0" % (method, path), "Host: %s" % host]
    for name, value in headers.items():
        lines.append("%s: %s" % (name, value))
    if data:
        lines.append("Content-Length: %d" % len(data))
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    if data:
        s.sendall(data)
    status = s.readline().split(None, 2)
    if len(status) < 2:
        raise ValueError("HTTP error: BadStatusLine:\n%s" % b" ".join(status))
    response = Response(s)
    response.status_code = int(status[1])
    response.reason = status[2].decode().strip() if len(status) > 2 else ""
    while True:
        line = s.readline()
        if not line or line == b"\r\n" or line == b"\n":
            break
        name, _, value = line.decode().partition(":")
        response.headers[name.strip()] = value.strip()
        lower = name.strip().lower()
        if lower == "content-length":
            response._length = int(value)
        elif lower == "transfer-encoding" and "chunked" in value:
            response._chunked = True
    return response


def head(url, **kw):
    return request("HEAD", url, **kw)


def get(url, **kw):
    return request("GET", url, **kw)


def post(url, **kw):
    return request("POST", url, **kw)


def put(url, **kw):
    return request("PUT", url, **kw)


def patch(url, **kw):
    return request("PATCH", url, **kw)


def delete(url, **kw):
    return request("DELETE", url, **kw)
