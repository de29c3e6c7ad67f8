"""ESP-NOW built and read by scapy, independently of airlab, the way ESPythoNOW does it.

Facts from ESPythoNOW's source (ChuckMash/ESPythoNOW, ESPythoNOW.py), written anew here:
- the frame is RadioTap / Dot11FCS(type 0, subtype 13, addr1 = peer, addr2 = our MAC,
  addr3 = ff:ff:ff:ff:ff:ff) / the action body, the radiotap header empty or with Flags +
  Rate when a rate is set. Here the header is a plain Dot11 without the FCS and the radiotap
  carries the Rate alone: with the "FCS at end" flag that Dot11FCS brings, the 6.1 kernel
  (mac80211 + hwsim, tests/hwsim/README.md) put the frame on the air 8 bytes short, the
  FCS and the message's last 4 bytes;
- the body is 7f 18fe34, 4 random bytes, then one vendor element dd (5 + n) 18fe34 04 01
  and the message; over 250 bytes it is v2: elements of up to 250 bytes of message, the
  version byte 0x12 on all but the last (0x02);
- it listens with the BPF filter `type 0 subtype 0xd0 and wlan[24:4]=0x7f18fe34` and counts
  a unicast as delivered when it captures the 802.11 ACK addressed to its MAC.
"""

import os

from scapy.all import Dot11, Dot11Elt, RadioTap, Raw, raw

OUI = 0x18FE34


def espnow_body(message, random_bytes=None):
    """The action body: category 0x7f, Espressif's OUI, random bytes, the vendor elements."""
    random_bytes = random_bytes if random_bytes is not None else os.urandom(4)
    body = b"\x7f\x18\xfe\x34" + random_bytes
    if len(message) <= 250:
        return body + b"\xdd" + bytes([5 + len(message)]) + b"\x18\xfe\x34\x04\x01" + message
    chunks = [message[i:i + 250] for i in range(0, len(message), 250)]
    for i, chunk in enumerate(chunks):
        version = b"\x12" if i + 1 < len(chunks) else b"\x02"
        body += b"\xdd" + bytes([5 + len(chunk)]) + b"\x18\xfe\x34\x04" + version + chunk
    return body


def espnow_frame(src, dst, message, rate_mbps=1, random_bytes=None):
    """A frame ready for sendp(): ESPythoNOW's header and body, the radiotap with the rate."""
    radiotap = RadioTap(present="Rate", Rate=rate_mbps)
    header = Dot11(type=0, subtype=13, addr1=dst, addr2=src, addr3="ff:ff:ff:ff:ff:ff")
    return radiotap / header / Raw(load=espnow_body(message, random_bytes))


def decode(packet):
    """An ESP-NOW frame as scapy dissects it: {src, dst, addr3, random, version, message,
    encrypted}, or None for any other frame. The elements are dissected by scapy's Dot11Elt."""
    if Dot11 not in packet:
        return None
    dot11 = packet[Dot11]
    if dot11.type != 0 or dot11.subtype != 13:
        return None
    body = raw(dot11.payload)
    protected = bool(int(dot11.FCfield) & 0x40)
    if protected:
        return {"src": dot11.addr2, "dst": dot11.addr1, "addr3": dot11.addr3, "encrypted": True,
                "random": None, "version": None, "message": None}
    if body[:4] != b"\x7f\x18\xfe\x34":
        return None
    message, version = b"", None
    element = Dot11Elt(body[8:])
    while element is not None and isinstance(element, Dot11Elt):
        if element.ID == 221 and getattr(element, "oui", None) == OUI:
            info = bytes(element.getfieldval("info"))  # .info adds the OUI back
            if info[:1] == b"\x04":
                version = info[1]
                message += info[2:]
                if not version & 0x10:
                    break
        nxt = element.payload
        element = nxt if isinstance(nxt, Dot11Elt) else None
    if version is None:
        return None
    return {"src": dot11.addr2, "dst": dot11.addr1, "addr3": dot11.addr3, "encrypted": False,
            "random": body[4:8], "version": version & 0x0F, "message": message}


def tx_failed(packet):
    """The radiotap TX flags of a frame the kernel echoed back after sending it: True when the
    unicast was not ACKed (F_TX_FAIL), None when the frame carries no TX flags."""
    if RadioTap not in packet or not packet[RadioTap].present.TXFlags:
        return None
    return bool(int(packet[RadioTap].TXFlags) & 0x0001)
