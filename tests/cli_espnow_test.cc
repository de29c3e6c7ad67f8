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
