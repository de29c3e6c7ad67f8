#!/usr/bin/python3
"""network and socket/urequests on virtual boards: joining the lab's routers (the password
checked, the channel taken, an address given), ESP-NOW following the station's channel as on
an ESP32, and sockets that fail clearly before a join and reach the lab's server after it,
api.thingspeak.com included."""

import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cloud import Cloud  # noqa: E402
from harness import ERR_HELPER, Air, AirTestCase, _stop  # noqa: E402

HELPERS = ERR_HELPER + """
import network, espnow, socket, time, urequests
sta = network.WLAN(network.STA_IF)
"""


class NetworkAndSockets(AirTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cloud = Cloud(cls.air.folder).__enter__()
        cls.addClassCleanup(cls.cloud.__exit__, None, None, None)
        cls.channel = cls.cloud.channel("net")
        routers = ["--router", "lab-router:lab-password:6", "--router", "open-router::11"]
        cls.a = cls.air.board("a", "02:00:00:00:0f:10", extra_args=routers + ["--cloud", cls.cloud.url])
        cls.b = cls.air.board("b", "02:00:00:00:0f:a0")

    def run_on(self, board, code):
        out, err = board.exec(HELPERS + code)
        self.assertEqual(err, "", code)
        return out.replace("\r\n", "\n").splitlines()

    def join(self):
        self.run_on(self.a, "sta.active(True)\nsta.connect('lab-router', 'lab-password')")

    def test_joining_a_router(self):
        out = self.run_on(self.a, """
sta.active(False)
print(err(sta.connect, 'lab-router', 'lab-password'))
sta.active(True)
print(sta.scan())
sta.connect('lab-router', 'wrong')
print(sta.status() == network.STAT_WRONG_PASSWORD, sta.isconnected())
sta.connect('elsewhere', 'lab-password')  # not a modelled router: a join on the air
print(sta.status() == network.STAT_CONNECTING)
while sta.status() == network.STAT_CONNECTING:
    time.sleep_ms(50)
print(sta.status() == network.STAT_NO_AP_FOUND)
sta.connect('lab-router', 'lab-password')
print(sta.status() == network.STAT_GOT_IP, sta.isconnected(), sta.config('channel'), sta.ifconfig())
sta.disconnect()
print(sta.status() == network.STAT_IDLE, sta.ifconfig()[0])
sta.connect('open-router')
print(sta.isconnected(), sta.config('channel'), sta.config('essid'))
""")
        self.assertEqual(out, [
            "OSError('Wifi Not Started',)",
            "[(b'lab-router', b'\\x02\\x00^\\x10\\x00\\x01', 6, -45, 3, False), "
            "(b'open-router', b'\\x02\\x00^\\x10\\x00\\x02', 11, -45, 0, False)]",
            "True False",
            "True",
            "True",
            "True True 6 ('192.168.1.18', '255.255.255.0', '192.168.1.1', '192.168.1.1')",
            "True 0.0.0.0",
            "True 11 open-router",
        ])

    def test_espnow_follows_the_station_channel(self):
        self.join()  # a: channel 6
        self.run_on(self.b, "sta.active(True)\ne = espnow.ESPNow()\ne.active(True)\n"
                    "e.add_peer(b'\\x02\\x00\\x00\\x00\\x0f\\x10')")
        send = "print(e.send(b'\\x02\\x00\\x00\\x00\\x0f\\x10', b'ping'))"
        self.assertEqual(self.run_on(self.b, "print(sta.config('channel'))\n" + send), ["1", "False"])
        self.assertEqual(self.run_on(self.b, "sta.config(channel=6)\n" + send), ["True"])
        self.run_on(self.b, "sta.config(channel=1)")

    def test_sockets_need_a_join(self):
        out = self.run_on(self.a, """
sta.active(False)
s = socket.socket()
print(err(socket.getaddrinfo, 'api.thingspeak.com', 80))
print(err(s.connect, ('127.0.0.1', 80)))
print(err(urequests.get, 'http://api.thingspeak.com/channels.json'))
s.close()
""")
        self.assertEqual(out, ["OSError(-202,)", "OSError(113,)", "OSError(-202,)"])

    def test_requests_reach_the_lab_server(self):
        self.join()
        port = self.cloud.url.rsplit(":", 1)[1]
        self.assertGreater(self.cloud.write(self.channel.write_key, "21.5"), 0)
        out = self.run_on(self.a, """
print(socket.getaddrinfo('api.thingspeak.com', 443)[0][4][1] == %s)
for url in ('http://api.thingspeak.com/channels/%d/fields/1/last.txt',
            'https://api.thingspeak.com/channels/%d/fields/1/last.txt'):
    r = urequests.get(url)
    print(r.status_code, r.text)
r = urequests.post('http://api.thingspeak.com/update', data='api_key=%s&field1=22')
print(r.status_code, int(r.text) > 0)
print(err(urequests.get, 'https://example.com/'))
""" % (port, self.channel.id, self.channel.id, self.channel.write_key))
        self.assertEqual(out, ["True", "200 21.5", "200 21.5", "200 True",
                               "OSError('TLS is not available on a virtual board: use http://example.com',)"])
        self.assertEqual(self.cloud.field_values(self.channel.id)[-1], "22")

    def test_tcp_and_udp_to_the_host(self):
        self.join()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))

        def serve():
            conn, _ = listener.accept()
            conn.sendall(conn.recv(100).upper())  # then stays silent: the board's recv times out
            data, sender = udp.recvfrom(100)
            udp.sendto(data[::-1], sender)
            conn.recv(100)
            conn.close()

        thread = threading.Thread(target=serve)
        thread.start()
        out = self.run_on(self.a, """
s = socket.socket()
s.connect(('127.0.0.1', %d))
s.write(b'hello')
print(s.recv(100))
s.settimeout(0.2)
print(err(s.recv, 100))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'abc', ('127.0.0.1', %d))
print(u.recvfrom(100)[0])
u.close()
s.close()
""" % (listener.getsockname()[1], udp.getsockname()[1]))
        thread.join(10)
        listener.close()
        udp.close()
        self.assertEqual(out, ["b'HELLO'", "OSError(110,)", "b'cba'"])


class HubGone(unittest.TestCase):
    def test_the_board_says_so_and_keeps_its_repl(self):
        with Air() as air:
            board = air.board("alone", "02:00:00:00:0f:30")
            _stop(air.process)
            out, err = board.exec("import network\nnetwork.WLAN(network.AP_IF).active(True)")
            self.assertIn("OSError: Wifi Internal Error: the air hub is gone (start `airlab air`, "
                          "then the board)", err)
            self.assertEqual(board.exec("print('alive')"), ("alive\r\n", ""))


if __name__ == "__main__":
    unittest.main()
