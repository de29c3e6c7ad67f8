// `airlab espnow encode|decode`, run as a user runs them: the built binary, its stdout,
// stderr and exit code.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/espnow/codec.h"
#include "core/wire/pcap.h"
#include "tests/espnow_tools.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::CommandResult;
using testing_tools::Split;
using testing_tools::TempDir;

// The frame of the field table in docs/reference/espnow.md, FCS from Python's zlib.crc32.
constexpr const char* kHelloHex =
    "d0000000ffffffffffff240ac4010203ffffffffffff10007f18fe3401020304"
    "dd0a18fe34040168656c6c6fa855ff93";

class CliEspnow : public testing::Test {
 protected:
  CommandResult Airlab(const std::string& args) {
    return testing_tools::RunCommand(testing_tools::AirlabBinary() + " " + args);
  }
  // A user error: non-zero, nothing on stdout, one line on stderr containing `hint`.
  void ExpectOneLineError(const CommandResult& r, const std::string& hint) {
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find(hint), std::string::npos) << r.err;
  }
  // The value printed after `name` in a decode block.
  static std::string Field(const std::string& out, const std::string& name) {
    for (const std::string& line : Split(out, '\n')) {
      if (line.rfind("  " + name + " ", 0) == 0) {
        const size_t value = line.find_first_not_of(' ', name.size() + 2);
        return value == std::string::npos ? "" : line.substr(value);
      }
    }
    return "<no " + name + ">";
  }
  std::string WritePcap(const std::string& name, uint32_t link_type,
                        const std::vector<std::vector<std::byte>>& frames) {
    wire::PcapHeader header;
    header.link_type = link_type;
    std::vector<std::byte> storage(16 * 1024);
    ByteBuilder file(storage);
    wire::WritePcapHeader(file, header);
    int64_t ts = 1'700'000'000'000'000'000;
    for (const auto& f : frames) {
      EXPECT_TRUE(wire::WritePcapRecord(file, header, ts += 250'000'000, f).ok());
    }
    const std::string path = dir_.File(name);
    testing_tools::WriteBytes(path, storage.data(), file.size());
    return path;
  }

  TempDir dir_;
};

std::vector<std::byte> Frame(const espnow::EncodeOptions& o, const std::string& payload) {
  FrameBuffer<espnow::kMaxFrameSize> b;
  EXPECT_TRUE(espnow::Encode(o, AsBytes(payload.data(), payload.size()), b).ok());
  return {b.bytes().begin(), b.bytes().end()};
}

TEST_F(CliEspnow, Encode_Hello_PrintsTheTableFrame) {
  const auto r =
      Airlab("espnow encode --src 24:0a:c4:01:02:03 --seq 1 --random 01020304 --payload hello");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kHelloHex) + "\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliEspnow, Encode_NoFcsRetry_ChangesTheBytes) {
  const auto r = Airlab(
      "espnow encode --src 24:0a:c4:01:02:03 --seq 1 --random 01020304 "
      "--payload hello --no-fcs --retry");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string expected = std::string(kHelloHex).substr(0, std::string(kHelloHex).size() - 8);
  expected[3] = '8';  // frame control d0 08
  EXPECT_EQ(r.out, expected + "\n");
}

TEST_F(CliEspnow, Decode_Hello_PrintsEveryField) {
  const auto r = Airlab(std::string("espnow decode --strict --hex ") + kHelloHex);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "src"), "24:0a:c4:01:02:03");
  EXPECT_EQ(Field(r.out, "dst"), "ff:ff:ff:ff:ff:ff (broadcast)");
  EXPECT_EQ(Field(r.out, "seq"), "1");
  EXPECT_EQ(Field(r.out, "random"), "01020304");
  EXPECT_EQ(Field(r.out, "version"), "1");
  EXPECT_EQ(Field(r.out, "length"), "5");
  EXPECT_EQ(Field(r.out, "fcs"), "good");
  EXPECT_EQ(Field(r.out, "payload"), "\"hello\"");
  EXPECT_EQ(Field(r.out, "deviations"), "-");
  EXPECT_NE(r.out.find("1 frame: 1 ESP-NOW\n"), std::string::npos) << r.out;
}

TEST_F(CliEspnow, EncodeThenDecode_V2ThreeElements_RoundTrips) {
  const std::string payload(2 * 600, 'b');  // 600 bytes of 0xbb
  const auto enc = Airlab(
      "espnow encode --src 24:0a:c4:01:02:03 --dst 4c:11:ae:89:bd:d5 "
      "--version 2 --seq 4095 --payload-hex " +
      payload);
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  const auto dec = Airlab("espnow decode --strict --hex " + enc.out.substr(0, enc.out.size() - 1));
  EXPECT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(Field(dec.out, "dst"), "4c:11:ae:89:bd:d5");
  EXPECT_EQ(Field(dec.out, "seq"), "4095");
  EXPECT_EQ(Field(dec.out, "version"), "2");
  EXPECT_EQ(Field(dec.out, "elements"), "3");
  EXPECT_EQ(Field(dec.out, "length"), "600");
  EXPECT_EQ(Field(dec.out, "payload").substr(0, 16), "bbbbbbbbbbbbbbbb");
}

TEST_F(CliEspnow, DecodeStdin_LinesAndComments_DecodesEachFrame) {
  const std::string input = dir_.File("frames.txt");
  const std::string text = std::string("# two frames\n") + kHelloHex + "\n\n" + kHelloHex + "\n";
  testing_tools::WriteBytes(input, text.data(), text.size());
  const auto r = Airlab("espnow decode --table --hex - < " + input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Split(r.out, '\n');
  ASSERT_EQ(lines.size(), 4u) << r.out;  // header, 2 frames, summary
  EXPECT_NE(lines[0].find("payload"), std::string::npos);
  EXPECT_NE(lines[1].find("\"hello\""), std::string::npos);
  EXPECT_EQ(lines[3], "2 frames: 2 ESP-NOW");
}

TEST_F(CliEspnow, DecodePcap_SkipsOtherFramesAndTabulates) {
  espnow::EncodeOptions o;
  o.src = MacAddress({0x24, 0x0a, 0xc4, 0, 0, 1});
  o.sequence = 10;
  auto first = Frame(o, "ping");
  o.sequence = 11;
  o.version = espnow::Version::kV2;
  auto second = Frame(o, std::string(700, 'x'));
  auto beacon = first;
  beacon[0] = std::byte{0x80};  // a beacon's frame control: not ESP-NOW
  const auto pcap = WritePcap("mixed.pcap", wire::kLinkTypeIeee80211, {first, beacon, second});
  const auto r = Airlab("espnow decode --table --pcap " + pcap);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Split(r.out, '\n');
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_NE(lines[1].find("0.000000"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("24:0a:c4:00:00:01"), std::string::npos);
  EXPECT_NE(lines[1].find("\"ping\""), std::string::npos);
  EXPECT_NE(lines[2].find("0.500000"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(" 700 "), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3], "3 frames: 2 ESP-NOW, 1 other skipped");
}

TEST_F(CliEspnow, EncodeRadiotapPcap_DecodesWithFcsFromRadiotap) {
  const std::string pcap = dir_.File("rt.pcap");
  const auto enc =
      Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload hi --radiotap --pcap " + pcap);
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  EXPECT_EQ(enc.out, "");
  const auto dec = Airlab("espnow decode --strict --pcap " + pcap);
  EXPECT_EQ(dec.exit_code, 0) << dec.err;
  EXPECT_EQ(Field(dec.out, "fcs"), "good");
  EXPECT_EQ(Field(dec.out, "payload"), "\"hi\"");
}

TEST_F(CliEspnow, DecodeStrict_Deviation_NamedAndExitsNonZero) {
  espnow::EncodeOptions o;
  o.src = MacAddress({0x24, 0x0a, 0xc4, 0, 0, 1});
  o.addr3 = MacAddress({0x02, 0, 0, 0, 0, 9});
  const auto pcap = WritePcap("odd.pcap", wire::kLinkTypeIeee80211, {Frame(o, "x")});
  const auto lenient = Airlab("espnow decode --pcap " + pcap);
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_EQ(Field(lenient.out, "deviations"), "addr3_mismatch");
  const auto strict = Airlab("espnow decode --strict --pcap " + pcap);
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_EQ(Field(strict.out, "deviations"), "addr3_mismatch (rejected by --strict)");
  EXPECT_EQ(std::count(strict.err.begin(), strict.err.end(), '\n'), 1) << strict.err;
  EXPECT_NE(strict.err.find("drop --strict"), std::string::npos) << strict.err;
}

TEST_F(CliEspnow, Decode_CorruptFcs_ShownAsBad) {
  std::string hex = kHelloHex;
  hex[hex.size() - 1] = '4';
  const auto r = Airlab("espnow decode --hex " + hex);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "fcs"), "bad");
  EXPECT_EQ(Field(r.out, "deviations"), "bad_fcs");
}

TEST_F(CliEspnow, Decode_TruncatedHex_ReportsAndExitsNonZero) {
  const auto r =
      Airlab(std::string("espnow decode --no-fcs --hex ") + std::string(kHelloHex).substr(0, 70));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("truncated"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(CliEspnow, DecodeBlock_LongPayload_PrintedWholeOverSeveralLines) {
  std::string text;
  for (int i = 0; text.size() < 300; ++i) text += "reading " + std::to_string(i) + "; ";
  const auto enc =
      Airlab("espnow encode --src 24:0a:c4:01:02:03 --version 2 --payload '" + text + "'");
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  const auto r = Airlab("espnow decode --hex " + enc.out.substr(0, enc.out.size() - 1));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("..."), std::string::npos) << r.out;
  // The payload's lines, continued under the first, put back together.
  const auto lines = Split(r.out, '\n');
  std::string joined;
  bool in = false;
  for (const std::string& line : lines) {
    if (line.rfind("  payload ", 0) == 0) {
      in = true;
      joined += line.substr(line.find('"'));
    } else if (in && line.rfind(std::string(14, ' '), 0) == 0) {
      joined += line.substr(14);
    } else {
      in = false;
    }
  }
  EXPECT_EQ(joined, "\"" + text + "\"");
}

// Runs Python on `script` (Debian's python3, with scapy) and expects it to succeed.
CommandResult Python(const std::string& script) {
  return testing_tools::RunCommand("/usr/bin/python3 -c '" + script + "'");
}

TEST_F(CliEspnow, DecodeJson_ValidJsonWithEveryField) {
  espnow::EncodeOptions o;
  o.src = MacAddress({0x24, 0x0a, 0xc4, 0, 0, 1});
  o.sequence = 12;
  auto first = Frame(o, "ping \"quoted\" \\ back");
  auto cut = first;
  cut.resize(20);  // not even a MAC header: not decoded
  const auto pcap = WritePcap("json.pcap", wire::kLinkTypeIeee80211, {first, cut});
  const std::string json = dir_.File("out.json");
  const auto r = testing_tools::RunCommand(testing_tools::AirlabBinary() +
                                           " espnow decode --json --pcap " + pcap + " > " + json);
  EXPECT_EQ(r.exit_code, 1);  // one frame could not be decoded
  EXPECT_NE(r.err.find("2 frames: 1 ESP-NOW"), std::string::npos) << r.err;
  EXPECT_EQ(
      testing_tools::RunCommand("/usr/bin/python3 -m json.tool " + json + " > /dev/null").exit_code,
      0)
      << testing_tools::ReadText(json);
  const auto fields = Python("import json; f = json.load(open(\"" + json +
                             "\")); "
                             "print(len(f), f[0][\"src\"], f[0][\"seq\"], f[0][\"payload_text\"], "
                             "f[0][\"fcs\"], f[0][\"version\"], "
                             "f[0][\"truncated\"], f[1][\"decoded\"], f[1][\"error\"])");
  ASSERT_EQ(fields.exit_code, 0) << fields.err;
  EXPECT_EQ(fields.out,
            "2 24:0a:c4:00:00:01 12 ping \"quoted\" \\ back good 1 False False truncated\n");
}

TEST_F(CliEspnow, DecodePcap_CutByTheCapture_DecodedAsFarAsCapturedAndMarked) {
  // Written by scapy, not by airlab: a frame cut after 40 bytes of its 120-byte payload
  // (caplen below origlen, as a snaplen does), and one cut just before its FCS.
  std::string text;
  for (int i = 0; text.size() < 120; ++i) text += "t" + std::to_string(i) + " ";
  text.resize(120);
  const auto enc = Airlab("espnow encode --src 24:0a:c4:01:02:03 --seq 9 --payload '" + text + "'");
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  const std::string hex = enc.out.substr(0, enc.out.size() - 1);
  const std::string pcap = dir_.File("cut.pcap");
  const size_t cut_at = 24 + 8 + 7 + 40;
  const auto scapy = Python(
      "from scapy.all import Dot11, wrpcap\n"
      "whole = bytes.fromhex(\"" +
      hex +
      "\")\n"
      "a = Dot11(whole[:" +
      std::to_string(cut_at) +
      "]); a.wirelen = len(whole)\n"
      "b = Dot11(whole[:-4]); b.wirelen = len(whole)\n"
      "wrpcap(\"" +
      pcap + "\", [a, b])\n");
  ASSERT_EQ(scapy.exit_code, 0) << scapy.err;
  // tshark agrees the capture says so.
  const auto tshark =
      testing_tools::RunCommand("tshark -r " + pcap + " -T fields -e frame.cap_len -e frame.len");
  ASSERT_EQ(tshark.out, std::to_string(cut_at) + "\t" + std::to_string(hex.size() / 2) + "\n" +
                            std::to_string(hex.size() / 2 - 4) + "\t" +
                            std::to_string(hex.size() / 2) + "\n");

  const auto r = Airlab("espnow decode --pcap " + pcap);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("not decoded"), std::string::npos) << r.out;
  EXPECT_EQ(Field(r.out, "src"), "24:0a:c4:01:02:03");
  EXPECT_EQ(Field(r.out, "seq"), "9");
  EXPECT_EQ(Field(r.out, "truncated"), "yes: " + std::to_string(cut_at) + " of " +
                                           std::to_string(hex.size() / 2) +
                                           " bytes captured, decoded as far as they go");
  EXPECT_EQ(Field(r.out, "payload"), "\"" + text.substr(0, 40) + "\"");
  EXPECT_EQ(Field(r.out, "fcs"), "unknown");
  EXPECT_EQ(Field(r.out, "deviations"), "-");
  EXPECT_NE(r.out.find("2 frames: 2 ESP-NOW, 0 others skipped, 2 truncated"), std::string::npos)
      << r.out;

  const auto json = Airlab("espnow decode --json --pcap " + pcap);
  EXPECT_EQ(json.exit_code, 0) << json.err;
  const std::string file = dir_.File("cut.json");
  testing_tools::WriteBytes(file, json.out.data(), json.out.size());
  const auto fields = Python("import json; f = json.load(open(\"" + file +
                             "\")); "
                             "print([(x[\"truncated\"], x[\"fcs\"], x[\"payload_length\"], "
                             "x[\"captured_length\"]) for x in f])");
  EXPECT_EQ(fields.out, "[(True, 'unknown', 40, " + std::to_string(cut_at) +
                            "), (True, 'unknown', 120, " + std::to_string(hex.size() / 2 - 4) +
                            ")]\n")
      << fields.err;
}

TEST_F(CliEspnow, BadInput_OneLineNamingTheFix) {
  ExpectOneLineError(Airlab("espnow encode --src 24:0a:c4:01:02 --payload x"), "aa:bb:cc:dd:ee:ff");
  ExpectOneLineError(Airlab("espnow encode --src 24:0a:c4:01:02:03"), "--payload");
  ExpectOneLineError(
      Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload-hex " + std::string(2 * 251, '0')),
      "--version 2");
  ExpectOneLineError(Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload x --seq 4096"),
                     "0 to 4095");
  ExpectOneLineError(Airlab("espnow encode --src 24:0a:c4:01:02:03 --payload x --random 12"),
                     "8 hex digits");
  ExpectOneLineError(Airlab("espnow decode --hex d0zz"), "hex");
  ExpectOneLineError(Airlab("espnow decode"), "--pcap FILE");
  ExpectOneLineError(Airlab("espnow decode --pcap " + dir_.File("absent.pcap")), "check the path");
  const auto ethernet = WritePcap("eth.pcap", 1, {std::vector<std::byte>(60)});
  ExpectOneLineError(Airlab("espnow decode --pcap " + ethernet), "link type 105");
}

TEST_F(CliEspnow, Help_HasAnExampleForEach) {
  for (const char* command : {"encode", "decode"}) {
    const auto r = Airlab(std::string("espnow ") + command + " --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find(std::string("airlab espnow ") + command + " --"), std::string::npos)
        << r.out;
  }
}

}  // namespace
}  // namespace airlab
