"""The lab's cloud for board tests: `airlab serve` on a free port with its data in a scratch
folder, and one channel made with `airlab channel create`.

    with Cloud(folder) as cloud:
        channel = cloud.channel("lab", write_key="E13BHXREJ6K0V1DQ")
        cloud.field_values(channel.id)     # field1 of every entry, oldest first
"""

import json
import os
import re
import subprocess
import urllib.request

from harness import _stop, _wait_for_line, airlab_binary, free_port


class Channel:
    def __init__(self, id, write_key, read_key):
        self.id = id
        self.write_key = write_key
        self.read_key = read_key


class Cloud:
    def __init__(self, folder):
        self.data = os.path.join(folder, "cloud")
        self.log = os.path.join(folder, "serve.log")
        self.process = None

    def channel(self, name, write_key=None, channel_id=None):
        """A public channel without a rate limit. `write_key` and `channel_id` are asked for
        when this airlab's `channel create` has --write-key and --id; `written_as` then tells
        which key the channel really has."""
        args = [airlab_binary(), "channel", "create", "--name", name, "--fields", "value",
                "--public", "--rate-limit", "0", "--data", self.data]
        options = subprocess.run(args[:3] + ["--help"], capture_output=True, text=True).stdout
        if write_key and "--write-key" in options:
            args += ["--write-key", write_key]
        if channel_id and "--id" in options:
            args += ["--id", str(channel_id)]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        return Channel(int(re.search(r"channel (\d+)", out).group(1)),
                       re.search(r"write key\s+(\S+)", out).group(1),
                       re.search(r"read key\s+(\S+)", out).group(1))

    def __enter__(self):
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [airlab_binary(), "serve", "--port", str(free_port()), "--data", self.data,
                 "--rate-limit", "0"], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        self.url = _wait_for_line(self.log, r"(http://127\.0\.0\.1:\d+)/", self.process, 30).group(1)
        return self

    def field_values(self, channel_id, field=1):
        with urllib.request.urlopen("%s/channels/%d/feeds.json?results=100" % (self.url, channel_id)) as r:
            feed = json.load(r)
        return [entry["field%d" % field] for entry in feed["feeds"]]

    def write(self, write_key, value):
        with urllib.request.urlopen("%s/update?api_key=%s&field1=%s" % (self.url, write_key, value)) as r:
            return int(r.read())

    def __exit__(self, *exc):
        if self.process:
            _stop(self.process)
