# A Wi-Fi manager for MicroPython on an ESP32, written the usual way: network + socket, a
# small HTTP loop and a DNS responder. airlab's own code (examples/wifi_manager/README.md).
#
# start(): join a network saved on the flash (wifi.json), the best signal first; when none
# answers, open the hotspot "airlab-setup" whose page at http://192.168.4.1/ lists the
# networks scanned, takes a password, joins, and saves what worked. Returns the station.
import json
import os
import socket
import time

import network
from binascii import hexlify, unhexlify

CREDENTIALS = "wifi.json"
AP_SSID = "airlab-setup"
JOIN_TIMEOUT_MS = 10000
# What a phone's captive-portal probe asks for; each gets a redirect to the portal.
PROBES = ("/generate_204", "/gen_204", "/hotspot-detect.html", "/library/test/success.html",
          "/connecttest.txt", "/ncsi.txt", "/success.txt", "/redirect", "/canonical.html")

sta = network.WLAN(network.STA_IF)
ap = network.WLAN(network.AP_IF)


def log(text):
    print("wifi_manager:", text)


def load():
    """The saved networks: a list of {"ssid": text or "ssid_hex": hex, "password": text}."""
    try:
        with open(CREDENTIALS) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def save(ssid, password):
    """Puts `ssid` first in the saved networks; written aside, then renamed into place, so
    a reset while writing leaves the old file."""
    networks = [n for n in load() if raw_ssid(n) != ssid]
    try:
        record = {"ssid": ssid.decode()}
    except UnicodeError:
        record = {"ssid_hex": hexlify(ssid).decode()}
    record["password"] = password
    networks.insert(0, record)
    with open(CREDENTIALS + ".new", "w") as f:
        json.dump(networks, f)
    os.rename(CREDENTIALS + ".new", CREDENTIALS)


def raw_ssid(record):
    if "ssid_hex" in record:
        return unhexlify(record["ssid_hex"])
    return record.get("ssid", "").encode()


def text(ssid):
    """An SSID (bytes from the air) as text for the log."""
    try:
        return ssid.decode()
    except UnicodeError:
        return repr(ssid)


def join(ssid, password):
    """True once the station has an address; False (and why, in the log) otherwise."""
    ssid = text(ssid)
    sta.active(True)
    sta.connect(ssid, password)
    start = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), start) < JOIN_TIMEOUT_MS:
        status = sta.status()
        if status == network.STAT_GOT_IP:
            log("joined %s as %s" % (ssid, sta.ifconfig()[0]))
            return True
        if status in (network.STAT_WRONG_PASSWORD, network.STAT_NO_AP_FOUND,
                      network.STAT_ASSOC_FAIL, network.STAT_HANDSHAKE_TIMEOUT):
            log("could not join %s: %s" % (ssid, reason(status)))
            return False
        time.sleep_ms(100)
    log("could not join %s: no answer in %d s" % (ssid, JOIN_TIMEOUT_MS // 1000))
    sta.disconnect()
    return False


def reason(status):
    return {network.STAT_WRONG_PASSWORD: "wrong password",
            network.STAT_NO_AP_FOUND: "network not found",
            network.STAT_ASSOC_FAIL: "the router refused",
            network.STAT_HANDSHAKE_TIMEOUT: "handshake timed out"}.get(status, str(status))


def scan():
    """(ssid bytes, rssi, secured) of each network heard, strongest first, once per SSID."""
    sta.active(True)
    best = {}
    for ssid, _, _, rssi, auth, _ in sta.scan():
        if ssid and (ssid not in best or rssi > best[ssid][0]):
            best[ssid] = (rssi, auth != network.AUTH_OPEN)
    found = [(ssid, rssi, secured) for ssid, (rssi, secured) in best.items()]
    found.sort(key=lambda n: -n[1])
    return found


def join_saved(heard):
    """Tries each saved network that was heard, best signal first."""
    saved = {raw_ssid(n): n.get("password", "") for n in load()}
    for ssid, _, _ in heard:
        if ssid in saved and join(ssid, saved[ssid]):
            return True
    return False


# --- the portal's pages -----------------------------------------------------------------

STYLE = ("body{font-family:sans-serif;margin:0 auto;max-width:420px;padding:16px}"
         "label{display:block;padding:10px;margin:6px 0;border:1px solid #ccc;border-radius:8px}"
         "input[type=password],input[type=text]{width:100%;padding:10px;box-sizing:border-box}"
         "button{width:100%;padding:12px;margin-top:12px;font-size:1em}"
         ".q{float:right;color:#666}")


def escape(text):
    if isinstance(text, bytes):
        text = "".join(chr(b) if 32 <= b < 127 else "\\x%02x" % b for b in text)
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;")):
        text = text.replace(a, b)
    return text


def page(title, body):
    return ("<!DOCTYPE html><html><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            "<title>%s</title><style>%s</style></head><body><h1>%s</h1>%s</body></html>"
            % (title, STYLE, title, body))


def networks_page(heard):
    rows = []
    for ssid, rssi, secured in heard:
        quality = max(0, min(100, 2 * (rssi + 100)))
        rows.append("<label><input type=radio name=ssid value=%s required> %s"
                    "<span class=q>%d%%%s</span></label>"
                    % (hexlify(ssid).decode(), escape(ssid), quality, " WPA2" if secured else " open"))
    if not rows:
        rows.append("<p>No networks heard. <a href=/>Scan again</a></p>")
    return page("Wi-Fi setup", "<form method=post action=/connect>%s"
                "<p><input type=password name=password placeholder=Password></p>"
                "<button type=submit>Connect</button></form>" % "".join(rows))


def unquote(text):
    text = text.replace("+", " ")
    parts = text.split("%")
    out = bytearray(parts[0].encode())
    for part in parts[1:]:
        try:
            out.append(int(part[:2], 16))
            out.extend(part[2:].encode())
        except ValueError:
            out.extend(("%" + part).encode())
    return bytes(out)


def form(body):
    fields = {}
    for pair in body.split("&"):
        if "=" in pair:
            name, value = pair.split("=", 1)
            fields[unquote(name).decode()] = unquote(value)
    return fields


def read_request(conn):
    """(method, path, body) of one HTTP request, or None when it is not one."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(512)
        if not chunk or len(data) > 4096:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = min(int(line.split(":", 1)[1]), 4096)
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return parts[0], parts[1].split("?", 1)[0], body.decode()


def respond(conn, status, body, headers=""):
    conn.sendall("HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                 "Content-Length: %d\r\nConnection: close\r\n%s\r\n"
                 % (status, len(body.encode()), headers))
    conn.sendall(body)


def serve_http(conn, heard, portal_ip):
    """Answers one request; True once the board has joined the network the form named."""
    request = read_request(conn)
    if request is None:
        return False
    method, path, body = request
    if method == "POST" and path == "/connect":
        fields = form(body)
        ssid = unhexlify(fields.get("ssid", b""))
        password = fields.get("password", b"").decode()
        if ssid and join(ssid, password):
            save(ssid, password)
            respond(conn, "200 OK", page("Connected", "<p>Joined <b>%s</b> as %s.</p>"
                                         "<p>You can close this page.</p>"
                                         % (escape(ssid), sta.ifconfig()[0])))
            return True
        respond(conn, "200 OK", page("Not connected", "<p>Could not join <b>%s</b>: %s.</p>"
                                     "<p><a href=/>Try again</a></p>"
                                     % (escape(ssid), reason(sta.status()))))
        return False
    if path in ("/", "/index.html"):
        respond(conn, "200 OK", networks_page(heard))
        return False
    # Every probe and unknown path: to the portal, with a short body (iOS wants one).
    respond(conn, "302 Found", "<a href=http://%s/>Wi-Fi setup</a>" % portal_ip,
            "Location: http://%s/\r\n" % portal_ip)
    return False


# --- DNS: every name is the portal -------------------------------------------------------

def dns_answer(query, portal_ip):
    """The answer to a DNS query: every A question -> the portal; None for what is not a
    query."""
    if len(query) < 12 or query[2] & 0x80:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    end += 5  # the root label, type, class
    if end > len(query):
        return None
    is_a = query[end - 4:end - 2] == b"\x00\x01"
    header = query[:2] + bytes([0x84 | (query[2] & 0x01), 0x00, 0, 1, 0, 1 if is_a else 0, 0, 0, 0, 0])
    answer = b""
    if is_a:
        answer = (b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04"
                  + bytes(int(p) for p in portal_ip.split(".")))
    return header + query[12:end] + answer


def serve_dns(dns, portal_ip):
    try:
        query, client = dns.recvfrom(512)
    except OSError:
        return  # nothing waiting
    answer = dns_answer(query, portal_ip)
    if answer:
        dns.sendto(answer, client)


def portal():
    """The hotspot and its portal, until the form has joined a network."""
    heard = scan()
    ap.active(True)
    ap.config(essid=AP_SSID, authmode=network.AUTH_OPEN)
    portal_ip = ap.ifconfig()[0]
    http = socket.socket()
    http.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    http.bind(("0.0.0.0", 80))
    http.listen(2)
    http.setblocking(False)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("0.0.0.0", 53))
    dns.setblocking(False)
    log("hotspot %s open: http://%s/" % (AP_SSID, portal_ip))
    joined = False
    try:
        while not joined:
            serve_dns(dns, portal_ip)
            try:
                conn, _ = http.accept()
            except OSError:
                time.sleep_ms(20)
                continue
            conn.settimeout(5)
            try:
                joined = serve_http(conn, heard, portal_ip)
            except OSError as e:
                log("request dropped: %r" % (e,))
            conn.close()
    finally:
        http.close()
        dns.close()
    ap.active(False)
    log("hotspot closed")


def start():
    """Joins a saved network, or runs the portal until one is joined; returns the station."""
    if not join_saved(scan()):
        portal()
    return sta
