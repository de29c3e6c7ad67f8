#!/usr/bin/python3
"""Writes golden.txt: 802.11 frames built by scapy (an implementation independent of
airlab's), one per line as `name hex`, for core/wire's tests. The tests also dissect the
same bytes with tshark, so each frame is checked against two outside implementations.

Run once by hand after changing it (needs Debian's python3-scapy):
    /usr/bin/python3 tests/data/dot11/make_golden.py > tests/data/dot11/golden.txt
The values set here (addresses, SSIDs, channels...) are repeated as expectations in
core/wire/*_test.cc: change both together.
"""
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
# scapy names the capability bits itself ("ESS" = 0x0001, "privacy" = 0x0010, ...).
from scapy.all import (Dot11, Dot11FCS, Dot11Beacon, Dot11ProbeReq, Dot11ProbeResp,
                       Dot11Auth, Dot11Deauth, Dot11Disas, Dot11QoS, Dot11Elt,
                       Dot11EltRates, Dot11EltDSSSet, Dot11EltCountry,
                       Dot11EltCountryConstraintTriplet, Dot11EltRSN, RSNCipherSuite,
                       AKMSuite, Dot11EltHTCapabilities, Dot11EltVendorSpecific,
                       Dot11EltMicrosoftWPA, Dot11EltERP, Raw, raw)

AP = "02:00:00:00:01:00"
STA = "02:00:00:00:02:00"
PEER = "02:00:00:00:03:00"
DST = "02:00:00:00:04:00"
BCAST = "ff:ff:ff:ff:ff:ff"
ESPRESSIF = "18:fe:34:a1:b2:c3"

def rsn(akms, pairwise=(4,), group=4, **caps):
    return Dot11EltRSN(group_cipher_suite=RSNCipherSuite(cipher=group),
                       pairwise_cipher_suites=[RSNCipherSuite(cipher=c) for c in pairwise],
                       akm_suites=[AKMSuite(suite=a) for a in akms], mfp_capable=0,
                       mfp_required=0, **caps)

def mgmt(subtype, a1, a2, a3, seq=0, cls=Dot11):
    return cls(type=0, subtype=subtype, addr1=a1, addr2=a2, addr3=a3, SC=seq << 4)

frames = {}

# A WPA2-Personal access point on channel 6 with every element the readers know.
frames["beacon_wpa2"] = (
    mgmt(8, BCAST, AP, AP, seq=100) /
    Dot11Beacon(timestamp=0x0102030405060708, beacon_interval=100, cap="ESS+privacy+short-preamble+short-slot") /
    Dot11Elt(ID=0, info=b"airlab-lab") /
    Dot11EltRates(rates=[0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]) /
    Dot11EltDSSSet(channel=6) /
    # TIM: DTIM count 1, period 3, multicast bit set, bitmap offset 0, AIDs 1 and 10 have traffic
    Dot11Elt(ID=5, info=bytes([1, 3, 0x01, 0x02, 0x04])) /
    Dot11EltCountry(country_string=b"DE ", descriptors=[
        Dot11EltCountryConstraintTriplet(first_channel_number=1, num_channels=13, mtp=20)]) /
    Dot11Elt(ID=42, info=bytes([0x06])) /  # ERP: use protection, Barker preamble mode
    Dot11Elt(ID=50, info=bytes([0x30, 0x48, 0x60, 0x6c])) /
    rsn([2]) /
    Dot11EltHTCapabilities(Short_GI_20Mhz=1, Supported_Channel_Width=1) /
    Dot11EltVendorSpecific(oui=0x0050f2, info=bytes([0x02, 0x01, 0x01, 0x00])))

# WPA3 transition mode (PSK + SAE), an empty (hidden) SSID, channel 11.
frames["beacon_wpa3_transition_hidden"] = (
    mgmt(8, BCAST, AP, AP, seq=101) /
    Dot11Beacon(timestamp=42, beacon_interval=200, cap="ESS+privacy") /
    Dot11Elt(ID=0, info=b"") /
    Dot11EltRates(rates=[0x82, 0x84]) /
    Dot11EltDSSSet(channel=11) /
    rsn([2, 8]))

# WPA3-Personal only, with an element ID extension (HE capabilities stand-in) at the end.
frames["beacon_wpa3_sae"] = (
    mgmt(8, BCAST, AP, AP, seq=102) /
    Dot11Beacon(timestamp=7, beacon_interval=100, cap="ESS+privacy") /
    Dot11Elt(ID=0, info=b"sae-only") /
    Dot11EltDSSSet(channel=1) /
    rsn([8], pairwise=(4,)) /
    Dot11Elt(ID=255, info=bytes([35, 0xaa, 0xbb])))

# Open network.
frames["beacon_open"] = (
    mgmt(8, BCAST, AP, AP, seq=103) /
    Dot11Beacon(timestamp=1, beacon_interval=100, cap="ESS") /
    Dot11Elt(ID=0, info=b"cafe") / Dot11EltDSSSet(channel=3))

# WPA (v1) via the Microsoft vendor element: TKIP and PSK, suites under WPA's OUI 00:50:f2.
frames["beacon_wpa1"] = (
    mgmt(8, BCAST, AP, AP, seq=104) /
    Dot11Beacon(timestamp=1, beacon_interval=100, cap="ESS+privacy") /
    Dot11Elt(ID=0, info=b"old") / Dot11EltDSSSet(channel=9) /
    Dot11EltMicrosoftWPA(group_cipher_suite=RSNCipherSuite(oui=0x0050f2, cipher=2),
                         pairwise_cipher_suites=[RSNCipherSuite(oui=0x0050f2, cipher=2)],
                         akm_suites=[AKMSuite(oui=0x0050f2, suite=2)]))

frames["probe_request"] = (
    mgmt(4, BCAST, STA, BCAST, seq=7) /
    Dot11ProbeReq() / Dot11Elt(ID=0, info=b"airlab-lab") /
    Dot11EltRates(rates=[0x02, 0x04, 0x0b, 0x16]))

frames["probe_response"] = (
    mgmt(5, STA, AP, AP, seq=8) /
    Dot11ProbeResp(timestamp=99, beacon_interval=100, cap="ESS") /
    Dot11Elt(ID=0, info=b"airlab-lab") / Dot11EltDSSSet(channel=6))

# ESP-NOW v1 as an ESP32 sends it: vendor-specific action (127), OUI 18:fe:34, 4 random
# bytes, then a vendor element (OUI 18:fe:34, type 4, version 1) carrying "hi".
frames["action_espnow"] = (
    mgmt(13, PEER, ESPRESSIF, BCAST, seq=5) /
    Raw(bytes([127, 0x18, 0xfe, 0x34, 0x11, 0x22, 0x33, 0x44,
               221, 7, 0x18, 0xfe, 0x34, 0x04, 0x01]) + b"hi"))

# Spectrum management (category 0) action, so not vendor specific.
frames["action_spectrum"] = (
    mgmt(13, STA, AP, AP, seq=6) / Raw(bytes([0, 4, 1, 2, 3])))

frames["auth"] = mgmt(11, AP, STA, AP, seq=9) / Dot11Auth(algo=0, seqnum=1, status=0)
frames["auth_sae"] = (mgmt(11, AP, STA, AP, seq=10) / Dot11Auth(algo=3, seqnum=1, status=0) /
                      Raw(bytes([19, 0])))
frames["deauth"] = mgmt(12, STA, AP, AP, seq=11) / Dot11Deauth(reason=7)
frames["disassoc"] = mgmt(10, STA, AP, AP, seq=12) / Dot11Disas(reason=8)

# Data frames: each to/from DS combination, QoS, null, protected.
frames["data_ibss"] = (Dot11(type=2, subtype=0, FCfield=0, addr1=DST, addr2=STA, addr3=AP,
                             SC=13 << 4) / Raw(b"\xaa\xaa\x03\x00\x00\x00\x08\x00"))
frames["data_to_ap"] = (Dot11(type=2, subtype=0, FCfield="to-DS", addr1=AP, addr2=STA,
                              addr3=DST, SC=14 << 4) / Raw(b"\xaa\xaa\x03\x00\x00\x00\x08\x00"))
frames["data_from_ap"] = (Dot11(type=2, subtype=0, FCfield="from-DS", addr1=STA, addr2=AP,
                                addr3=PEER, SC=15 << 4) / Raw(b"\xaa\xaa\x03\x00\x00\x00\x08\x00"))
frames["data_wds"] = (Dot11(type=2, subtype=0, FCfield="to-DS+from-DS", addr1=AP, addr2=PEER,
                            addr3=DST, addr4=STA, SC=16 << 4) / Raw(b"\xaa\xaa\x03\x00\x00\x00\x08\x00"))
frames["qos_data_protected"] = (
    Dot11(type=2, subtype=8, FCfield="to-DS+protected", addr1=AP, addr2=STA, addr3=DST,
          SC=17 << 4) / Dot11QoS(TID=5) / Raw(bytes(range(16))))
frames["qos_data_wds"] = (
    Dot11(type=2, subtype=8, FCfield="to-DS+from-DS", addr1=AP, addr2=PEER, addr3=DST,
          addr4=STA, SC=18 << 4) / Dot11QoS(TID=6) / Raw(b"\xaa\xaa\x03\x00\x00\x00\x08\x00"))
frames["null"] = Dot11(type=2, subtype=4, FCfield="to-DS+pw-mgt", addr1=AP, addr2=STA, addr3=AP)
frames["qos_null"] = (Dot11(type=2, subtype=12, FCfield="to-DS", addr1=AP, addr2=STA, addr3=AP) /
                      Dot11QoS(TID=7))

# Control frames.
frames["rts"] = Dot11(type=1, subtype=11, addr1=AP, addr2=STA)
frames["cts"] = Dot11(type=1, subtype=12, addr1=STA)
frames["ack"] = Dot11(type=1, subtype=13, addr1=STA)
# Block Ack request and compressed Block Ack for TID 3 from sequence 100.
frames["block_ack_req"] = (Dot11(type=1, subtype=8, addr1=AP, addr2=STA) /
                           Raw(bytes([0x04, 0x30, 0x40, 0x06])))
frames["block_ack"] = (Dot11(type=1, subtype=9, addr1=STA, addr2=AP) /
                       Raw(bytes([0x05, 0x30, 0x40, 0x06, 0xff, 0x0f, 0, 0, 0, 0, 0, 0])))

# With an FCS (as radios deliver frames): beacon_open's frame and a corrupted copy.
frames["fcs_beacon"] = (
    mgmt(8, BCAST, AP, AP, seq=103, cls=Dot11FCS) /
    Dot11Beacon(timestamp=1, beacon_interval=100, cap="ESS") /
    Dot11Elt(ID=0, info=b"cafe") / Dot11EltDSSSet(channel=3))
good = raw(frames["fcs_beacon"])
frames["fcs_beacon_corrupt"] = Raw(good[:30] + bytes([good[30] ^ 0x01]) + good[31:])

for name, frame in frames.items():
    print(name, raw(frame).hex())
