# thingspeak.py: the lab's ThingSpeak helpers for a MicroPython board, over urequests.
# Copy it to the board (%sendtofile --source thingspeak.py /thingspeak.py). On an airlab
# virtual board api.thingspeak.com is the lab's own server; on a real board it is
# ThingSpeak.
#
#   from thingspeak import post_thingspeak, get_thingspeak
#   post_thingspeak("E13BHXREJ6K0V1DQ", [21.5, b"42"])  # field1, field2 -> entry id (0: refused)
#   get_thingspeak("179")                                 # field1 of the newest entry, or ""
import urequests

SERVER = "http://api.thingspeak.com"


def _text(value):
    if isinstance(value, (bytes, bytearray)):
        value = str(value, "utf8")
    return str(value)


def _quote(text):
    safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"
    return "".join(c if c in safe else "".join("%%%02X" % b for b in c.encode()) for c in text)


def post_thingspeak(key, values):
    """Writes values[0] to field1, values[1] to field2, ... of the channel whose write key
    is `key`. Returns the new entry's id; 0 when ThingSpeak refused the update (rate limit)."""
    body = "api_key=" + _quote(key)
    for i, value in enumerate(values[:8]):
        body += "&field%d=%s" % (i + 1, _quote(_text(value)))
    r = urequests.post(SERVER + "/update", data=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        return int(r.text.strip() or "0")
    finally:
        r.close()


def get_thingspeak(channel, field=1, read_key=None):
    """The newest value of `field` in public `channel` (or a private one with its read
    key), as text; "" when the channel has none."""
    url = SERVER + "/channels/%s/fields/%d/last.json" % (channel, field)
    if read_key:
        url += "?api_key=" + _quote(read_key)
    r = urequests.get(url)
    try:
        data = r.json()
    finally:
        r.close()
    if not isinstance(data, dict):
        return ""  # -1: no entry (or no access)
    value = data.get("field%d" % field)
    return "" if value is None else value
