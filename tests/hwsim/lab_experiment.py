"""Runs inside the hwsim VM (tests/hwsim/run_in_vm.py): the lab's experiment across two
radios. `airlab gateway --iface wlan0` (the Master, on channel 6) and `airlab node --iface
wlan1` (the Slave, starting on channel 1, so it must scan to find the gateway) against a
local `airlab serve`: every reading the node is told is stored is in the channel exactly once,
read back over HTTP.
"""

import json
import re
import time
import urllib.request

import guest
from guest import AIRLAB

GATEWAY, NODE = "4c:11:ae:89:bd:d5", "4c:11:ae:89:bc:95"  # the lab's Master and Slave
DATA = "/tmp/lab-cloud"
READINGS = ["21.5", "21.7", "22.0", "22.4", "22.9"]

checks = guest.Checks()


def start_cloud():
    status, out = guest.run(AIRLAB, "channel", "create", "--name", "lab", "--fields", "slave",
                            "--rate-limit", "0", "--data", DATA)
    channel = re.search(r"channel (\d+)", out)
    key = re.search(r"write key\s+(\S+)", out)
    if status != 0 or not channel or not key:
        checks.check("channel create", False, out)
        checks.finish()
    serve = guest.Program(AIRLAB, "serve", "--port", "0", "--rate-limit", "0", "--data", DATA)
    if not serve.wait_for("Ctrl-C stops it", 90):
        checks.check("airlab serve starts", False, serve.output())
        checks.finish()
    url = re.search(r"airlab serve: (http://\S+?)/?\s", serve.output()).group(1)
    return serve, url, channel.group(1), key.group(1)


def feed_values(url, channel, key):
    with urllib.request.urlopen("%s/channels/%s/feeds.json?api_key=%s&results=100" %
                                (url, channel, key), timeout=30) as r:
        return [e.get("field1") for e in json.load(r)["feeds"]]


def main():
    for iface, channel, mac in (("wlan0", "6", GATEWAY), ("wlan1", "1", NODE)):
        status, out = guest.run(AIRLAB, "iface", "setup", iface, "--channel", channel,
                                "--mac", mac)
        checks.check("iface setup %s on channel %s" % (iface, channel), status == 0, out)
    serve, url, channel, key = start_cloud()
    gateway = guest.Program(AIRLAB, "gateway", "--iface", "wlan0", "--url", url,
                            "--channel-id", channel, "--write-key", key, "--store",
                            "/tmp/gateway.db", "--rate-limit", "1", "--wifi-channel", "6")
    checks.check("gateway --iface starts", gateway.wait_for("airlab gateway", 90),
                 gateway.output())
    node = guest.Program(AIRLAB, "node", "--iface", "wlan1", "--values", ",".join(READINGS),
                         "--interval", "0.2", "--exit-when-done")
    status = node.wait(240)
    out = node.output()
    checks.check("node --iface found the gateway by scanning and had every reading stored",
                 status == 0 and "delivered %d" % len(READINGS) in out,
                 "exit %s: %s" % (status, out[-1500:]))

    # The gateway posts in bulk within its rate limit: wait for the channel to hold them all.
    deadline, values = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        values = feed_values(url, channel, key)
        if len(values) >= len(READINGS):
            break
        time.sleep(1)
    checks.equal("the channel holds each reading exactly once, in order", values, READINGS)
    checks.equal("gateway stops on SIGTERM with exit 0", gateway.stop(), 0)
    summary = re.search(r"stored (\d+), posted (\d+) in .*?\), (\d+) still queued", gateway.output())
    checks.check("gateway's summary: every reading stored and posted, none queued",
                 summary is not None and summary.groups() == (str(len(READINGS)),) * 2 + ("0",),
                 gateway.output()[-800:])
    serve.stop()
    checks.finish()


if __name__ == "__main__":
    main()
