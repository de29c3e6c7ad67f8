// The oracle for issue 3: ESP-NOW frames airlab writes to pcap are what Wireshark says an
// ESP-NOW frame is (802.11 Action, category 127, OUI 18:fe:34, good FCS, same addresses and
// lengths), and each vendor element is what scapy's 802.11 element parser finds.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "core/espnow/codec.h"
#include "core/wire/pcap.h"
#include "core/wire/radiotap.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::espnow {
namespace {

using testing_tools::RunCommand;
using testing_tools::Split;
using testing_tools::TempDir;

const MacAddress kSrc({0x24, 0x0a, 0xc4, 0x01, 0x02, 0x03});
const MacAddress kPeer({0x4c, 0x11, 0xae, 0x89, 0xbd, 0xd5});

struct Case {
  Version version;
  size_t size;
  bool unicast = false;
  bool addr3_is_da = false;
  bool retry = false;
  uint16_t seq = 0;
  bool corrupt = false;  // a bit flipped after the FCS was computed: the negative control
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {Version::kV1, 0},
      {Version::kV1, 1, true, true, true, 1},
      {Version::kV1, 250, true, false, false, 77},
      {Version::kV2, 0},
      {Version::kV2, 17, true},
      {Version::kV2, 250},
      {Version::kV2, 251, true, true, false, 2048},
      {Version::kV2, 500},
      {Version::kV2, 1000, true},
      {Version::kV2, 1470, false, false, true, 4095},
      {Version::kV1, 5, false, false, false, 9, true},
  };
  return cases;
}

std::vector<std::byte> Payload(size_t n) {
  std::vector<std::byte> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<std::byte>(i * 13 + 1);
  return p;
}

std::string Hex(ByteSpan b) {
  std::string s;
  char two[3];
  for (std::byte x : b) {
    std::snprintf(two, sizeof two, "%02x", static_cast<unsigned>(x));
    s += two;
  }
  return s;
}

std::string Mac(const MacAddress& m) {
  char text[MacAddress::kStringSize + 1];
  m.Format(text);
  return text;
}

EncodeOptions OptionsFor(const Case& c) {
  EncodeOptions o;
  o.src = kSrc;
  o.dst = c.unicast ? kPeer : MacAddress::Broadcast();
  o.addr3 = c.addr3_is_da ? o.dst : MacAddress::Broadcast();
  o.version = c.version;
  o.retry = c.retry;
  o.sequence = c.seq;
  o.random = 0x5eed0000u + c.seq;
  return o;
}

// Writes every case into one pcap; returns each record's frame length (radiotap included).
std::vector<size_t> WritePcap(const std::string& path, bool radiotap) {
  wire::PcapHeader header;
  header.link_type = radiotap ? wire::kLinkTypeIeee80211Radiotap : wire::kLinkTypeIeee80211;
  std::vector<std::byte> storage(64 * 1024);
  ByteBuilder file(storage);
  wire::WritePcapHeader(file, header);
  std::vector<size_t> lengths;
  int64_t ts = 1'700'000'000'000'000'000;
  for (const Case& c : Cases()) {
    FrameBuffer<kMaxFrameSize + 64> record;
    if (radiotap) {
      wire::RadiotapInfo info;
      info.flags = wire::RadiotapFlags::kFcsAtEnd;
      info.rate_500kbps = 2;
      wire::WriteRadiotap(record, info);
    }
    const size_t frame_start = record.size();
    EXPECT_TRUE(Encode(OptionsFor(c), Payload(c.size), record).ok());
    if (c.corrupt) record.writable_bytes()[frame_start + 40] ^= std::byte{0x20};
    EXPECT_TRUE(wire::WritePcapRecord(file, header, ts += 1'000'000, record.bytes()).ok());
    lengths.push_back(record.size());
  }
  EXPECT_TRUE(file.ok());
  testing_tools::WriteBytes(path, storage.data(), file.size());
  return lengths;
}

constexpr const char* kFields =
    " -e frame.len -e wlan.fc.type_subtype -e wlan.fixed.category_code -e wlan.tag.oui"
    " -e wlan.sa -e wlan.da -e wlan.bssid -e wlan.seq -e wlan.fc.retry -e wlan.fcs.status"
    " -e data.len";

// tshark's dissection, one vector of fields per frame.
std::vector<std::vector<std::string>> Tshark(const std::string& pcap, bool fcs_on_105) {
  const std::string command = std::string("tshark -n -r ") + pcap +
                              (fcs_on_105 ? " -o wlan.check_fcs:TRUE" : "") +
                              " -o wlan.check_checksum:TRUE -T fields -E separator=/t" + kFields;
  const auto r = RunCommand(command);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Split(r.out, '\n')) rows.push_back(Split(line + "\t", '\t'));
  return rows;
}

void CheckDissection(const std::vector<std::vector<std::string>>& rows,
                     const std::vector<size_t>& lengths, size_t radiotap_size) {
  ASSERT_EQ(rows.size(), Cases().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const Case& c = Cases()[i];
    SCOPED_TRACE("frame " + std::to_string(i + 1) + ", v" +
                 std::to_string(static_cast<int>(c.version)) + ", " + std::to_string(c.size) +
                 " bytes");
    const auto& f = rows[i];
    ASSERT_EQ(f.size(), 11u);
    const EncodeOptions o = OptionsFor(c);
    const size_t frame_size = EncodedSize(c.size, true);
    EXPECT_EQ(f[0], std::to_string(lengths[i]));
    EXPECT_EQ(lengths[i], radiotap_size + frame_size);
    EXPECT_EQ(f[1], "0x000d");   // management, Action
    EXPECT_EQ(f[2], "127");      // vendor specific
    EXPECT_EQ(f[3], "1637940");  // 0x18fe34, Espressif
    EXPECT_EQ(f[4], Mac(kSrc));
    EXPECT_EQ(f[5], Mac(o.dst));
    EXPECT_EQ(f[6], Mac(o.addr3));
    EXPECT_EQ(f[7], std::to_string(c.seq));
    EXPECT_EQ(f[8], c.retry ? "1" : "0");
    EXPECT_EQ(f[9], c.corrupt ? "0" : "1");  // 1: good, 0: bad
    // What follows category and OUI, up to the FCS: the random field and the elements.
    EXPECT_EQ(f[10], std::to_string(frame_size - 24 - 4 - 4));
  }
}

TEST(EspnowTshark, Pcap105_DissectsAsEspressifVendorAction) {
  TempDir dir;
  const std::string pcap = dir.File("espnow105.pcap");
  const auto lengths = WritePcap(pcap, false);
  CheckDissection(Tshark(pcap, true), lengths, 0);
}

TEST(EspnowTshark, PcapRadiotap127_DissectsAsEspressifVendorAction) {
  TempDir dir;
  const std::string pcap = dir.File("espnow127.pcap");
  const auto lengths = WritePcap(pcap, true);
  FrameBuffer<64> radiotap;
  wire::RadiotapInfo info;
  info.flags = wire::RadiotapFlags::kFcsAtEnd;
  info.rate_500kbps = 2;
  wire::WriteRadiotap(radiotap, info);
  // The FCS is found from radiotap's flag alone: no 802.11 FCS preference here.
  CheckDissection(Tshark(pcap, false), lengths, radiotap.size());
}

// Element level: scapy's own 802.11 element parser (Dot11Elt) walks the body after the
// random field; every element must be a whole Espressif vendor element of the expected
// length, and their data joined must be the payload.
TEST(EspnowTshark, Elements_MatchScapyDot11EltWalk) {
  TempDir dir;
  const std::string pcap = dir.File("espnow105.pcap");
  WritePcap(pcap, false);
  const std::string script = dir.File("elements.py");
  const std::string code =
      "import sys\n"
      "from scapy.all import rdpcap, Dot11, Dot11Elt\n"
      "for p in rdpcap(sys.argv[1]):\n"
      "    body = bytes(p[Dot11].payload)[:-4]\n"
      "    out = [body[:4].hex()]\n"
      "    e = Dot11Elt(body[8:])\n"
      "    while isinstance(e, Dot11Elt):\n"
      "        out.append('%d:%d:%s' % (e.ID, e.len, bytes(e.info).hex()))\n"
      "        e = e.payload\n"
      "    print(' '.join(out))\n";
  testing_tools::WriteBytes(script, code.data(), code.size());
  const auto r = RunCommand("/usr/bin/python3 " + script + " " + pcap);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Split(r.out, '\n');
  ASSERT_EQ(lines.size(), Cases().size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const Case& c = Cases()[i];
    if (c.corrupt) continue;
    SCOPED_TRACE("frame " + std::to_string(i + 1) + ": " + lines[i].substr(0, 80));
    const auto parts = Split(lines[i], ' ');
    ASSERT_GE(parts.size(), 2u);
    EXPECT_EQ(parts[0], "7f18fe34");
    const size_t elements = ElementCount(c.size);
    ASSERT_EQ(parts.size(), 1 + elements);
    std::string joined;
    for (size_t k = 0; k < elements; ++k) {
      const auto fields = Split(parts[1 + k], ':');
      ASSERT_EQ(fields.size(), 3u);
      const bool last = k + 1 == elements;
      const size_t data = last ? c.size - kMaxElementData * (elements - 1) : kMaxElementData;
      EXPECT_EQ(fields[0], "221");
      EXPECT_EQ(fields[1], std::to_string(5 + data));
      const std::string& info = fields[2];  // OUI, type, version, data
      ASSERT_EQ(info.size(), 2 * (5 + data));
      EXPECT_EQ(info.substr(0, 8), "18fe3404");
      const int version = static_cast<int>(c.version);
      EXPECT_EQ(info.substr(8, 2), (last ? "0" : "1") + std::to_string(version));
      joined += info.substr(10);
    }
    EXPECT_EQ(joined, Hex(Payload(c.size)));
  }
}

// The program's own pcap output goes through the same oracle.
TEST(EspnowTshark, CliEncodePcap_DissectsWithGoodFcs) {
  TempDir dir;
  for (const bool radiotap : {false, true}) {
    SCOPED_TRACE(radiotap ? "radiotap" : "105");
    const std::string pcap = dir.File("cli.pcap");
    const auto enc =
        RunCommand(testing_tools::AirlabBinary() +
                   " espnow encode --src 24:0a:c4:01:02:03 --dst 4c:11:ae:89:bd:d5"
                   " --version 2 --seq 300 --payload-hex " +
                   std::string(600, 'a') + " --pcap " + pcap + (radiotap ? " --radiotap" : ""));
    ASSERT_EQ(enc.exit_code, 0) << enc.err;
    const auto rows = Tshark(pcap, !radiotap);
    ASSERT_EQ(rows.size(), 1u);
    const auto& f = rows[0];
    ASSERT_EQ(f.size(), 11u);
    EXPECT_EQ(f[1], "0x000d");
    EXPECT_EQ(f[2], "127");
    EXPECT_EQ(f[3], "1637940");
    EXPECT_EQ(f[4], "24:0a:c4:01:02:03");
    EXPECT_EQ(f[5], "4c:11:ae:89:bd:d5");
    EXPECT_EQ(f[6], "ff:ff:ff:ff:ff:ff");
    EXPECT_EQ(f[7], "300");
    EXPECT_EQ(f[9], "1");
    EXPECT_EQ(f[10], std::to_string(EncodedSize(300, true) - 32));
  }
}

}  // namespace
}  // namespace airlab::espnow
