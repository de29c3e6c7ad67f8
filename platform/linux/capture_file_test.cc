#include "platform/linux/capture_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::linux_port {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using Bytes = std::vector<std::byte>;

using testing_tools::TempDir;

// Runs a shell command; returns its stdout, failing the test if it does not exit 0.
std::string RunTool(const std::string& command) {
  const testing_tools::CommandResult r = testing_tools::RunCommand(command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.err;
  return r.out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Epoch(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000));
  return text;
}

// Wireshark's own encapsulation numbers (frame.encap_type), an independent name for a
// link type: 20 = IEEE 802.11, 23 = 802.11 with radiotap.
std::string WtapEncap(uint32_t link_type) {
  return link_type == wire::kLinkTypeIeee80211 ? "20" : "23";
}

// An 802.11 action frame from 02:00:00:00:00:<n> with `payload` body bytes, behind an
// empty radiotap header (version 0, length 8, nothing present) for link type 127.
Bytes Frame(uint32_t link_type, uint8_t n, size_t payload) {
  Bytes f;
  auto put = [&](std::initializer_list<int> bytes) {
    for (int b : bytes) f.push_back(static_cast<std::byte>(b));
  };
  if (link_type == wire::kLinkTypeIeee80211Radiotap) put({0, 0, 8, 0, 0, 0, 0, 0});
  put({0xd0, 0x00, 0x3a, 0x01});
  put({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  put({0x02, 0, 0, 0, 0, n});
  put({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  put({0x10, 0x00});
  for (size_t i = 0; i < payload; ++i) f.push_back(static_cast<std::byte>(i));
  return f;
}

// What a test writes and then expects back.
struct Expected {
  int64_t ts_ns;
  uint32_t interface_index;
  uint32_t link_type;
  Bytes data;
  uint32_t origlen;
  std::string comment;
};

void WriteAll(CaptureFileWriter& writer, const std::vector<Expected>& packets) {
  for (const Expected& e : packets) {
    CapturedPacket p;
    p.ts_ns = e.ts_ns;
    p.interface_index = e.interface_index;
    p.link_type = e.link_type;
    p.data = e.data;
    p.origlen = e.origlen;
    p.comment = e.comment;
    writer.Write(p);
  }
}

// Reads `path` with our reader and checks it holds exactly `expected`; `step_ns` is the
// file's timestamp resolution (1000 in microsecond pcap), `keeps_comments` false for pcap.
void ExpectOurReaderSees(const std::string& path, const std::vector<Expected>& expected,
                         int64_t step_ns = 1, bool keeps_comments = true) {
  CaptureFileReader reader(path);
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("packet " + std::to_string(i));
    std::optional<CapturedPacket> p = reader.Next();
    ASSERT_TRUE(p.has_value());
    const Expected& e = expected[i];
    EXPECT_EQ(p->ts_ns, e.ts_ns / step_ns * step_ns);
    EXPECT_EQ(p->interface_index, e.interface_index);
    EXPECT_EQ(p->link_type, e.link_type);
    EXPECT_EQ(Bytes(p->data.begin(), p->data.end()), e.data);
    EXPECT_EQ(p->origlen, std::max<uint32_t>(e.origlen, e.data.size()));
    EXPECT_EQ(p->comment, keeps_comments ? e.comment : "");
  }
  EXPECT_FALSE(reader.Next().has_value());
}

// tshark's view of every packet, one tab-separated line each.
std::vector<std::string> TsharkView(const std::string& path) {
  return Lines(RunTool("tshark -r '" + path +
                       "' -T fields -E separator=/t -e frame.time_epoch -e frame.interface_id "
                       "-e frame.encap_type -e frame.len -e frame.cap_len -e wlan.sa "
                       "-e frame.comment"));
}

std::string ExpectedView(const Expected& e, bool pcap, int64_t step_ns = 1) {
  char sa[32];
  const size_t sa_at = e.link_type == wire::kLinkTypeIeee80211Radiotap ? 8 + 10 : 10;
  std::snprintf(sa, sizeof sa, "02:00:00:00:00:%02x", static_cast<unsigned>(e.data[sa_at + 5]));
  return Epoch(e.ts_ns / step_ns * step_ns) + "\t" +
         (pcap ? "" : std::to_string(e.interface_index)) + "\t" + WtapEncap(e.link_type) + "\t" +
         std::to_string(std::max<size_t>(e.origlen, e.data.size())) + "\t" +
         std::to_string(e.data.size()) + "\t" + sa + "\t" + (pcap ? "" : e.comment);
}

std::vector<Expected> TwoInterfacePackets() {
  const uint32_t rt = wire::kLinkTypeIeee80211Radiotap, plain = wire::kLinkTypeIeee80211;
  return {
      {1'700'000'000'000'000'001, 0, rt, Frame(rt, 1, 10), 0, "first, with a comment"},
      {1'700'000'000'000'000'002, 1, plain, Frame(plain, 2, 0), 0, ""},
      {1'700'000'000'123'456'789, 1, plain, Frame(plain, 3, 200), 1500, "cut: 1500 on air"},
      {1'700'000'001'999'999'999, 0, rt, Frame(rt, 4, 1), 0, "ünïcode ✓"},
  };
}

std::vector<Expected> OneInterfacePackets(uint32_t link_type) {
  std::vector<Expected> packets;
  for (uint8_t i = 0; i < 6; ++i) {
    packets.push_back({1'600'000'000'000'000'000 + i * 1'234'567'891LL, 0, link_type,
                       Frame(link_type, i, i * 13), i == 2 ? 3000u : 0u,
                       i % 2 ? "odd " + std::to_string(i) : ""});
  }
  return packets;
}

TEST(CaptureFileWriter, Pcapng_TsharkAndCapinfosReadEverything) {
  TempDir dir;
  const std::string path = dir.File("two.pcapng");
  const auto packets = TwoInterfacePackets();
  {
    CaptureWriterOptions options;
    options.interface_name = "sim0";
    CaptureFileWriter writer(path, options);
    EXPECT_EQ(writer.format(), CaptureFormat::kPcapng);
    EXPECT_EQ(writer.AddInterface(wire::kLinkTypeIeee80211, "esp0"), 1u);
    WriteAll(writer, packets);
    writer.Close();
  }
  std::vector<std::string> want;
  for (const Expected& e : packets) want.push_back(ExpectedView(e, false));
  EXPECT_EQ(TsharkView(path), want);

  const std::string info = RunTool("capinfos -M '" + path + "'");
  EXPECT_THAT(info,
              AllOf(HasSubstr("File type:           pcapng"), HasSubstr("Number of packets:   4"),
                    HasSubstr("Number of interfaces in file: 2"), HasSubstr("Name = sim0"),
                    HasSubstr("Name = esp0"), HasSubstr("(23 - ieee-802-11-radiotap)"),
                    HasSubstr("(20 - ieee-802-11)"), HasSubstr("Capture application: airlab")));
  ExpectOurReaderSees(path, packets);
}

class PcapWriterOracle : public ::testing::TestWithParam<bool> {};

TEST_P(PcapWriterOracle, TsharkAndCapinfosReadEverything) {
  const bool nanosecond = GetParam();
  const int64_t step = nanosecond ? 1 : 1000;
  TempDir dir;
  const std::string path = dir.File("one.pcap");
  const auto packets = OneInterfacePackets(wire::kLinkTypeIeee80211);
  {
    CaptureWriterOptions options;
    options.link_type = wire::kLinkTypeIeee80211;
    options.pcap_nanosecond = nanosecond;
    CaptureFileWriter writer(path, options);
    EXPECT_EQ(writer.format(), CaptureFormat::kPcap);
    WriteAll(writer, packets);
  }  // the destructor closes
  std::vector<std::string> want;
  for (const Expected& e : packets) want.push_back(ExpectedView(e, true, step));
  EXPECT_EQ(TsharkView(path), want);
  EXPECT_THAT(
      RunTool("capinfos -M '" + path + "'"),
      AllOf(HasSubstr(nanosecond ? "File type:           nsecpcap" : "File type:           pcap"),
            HasSubstr("File encapsulation:  ieee-802-11"),
            HasSubstr(nanosecond ? "nanoseconds (9)" : "microseconds (6)"),
            HasSubstr("Number of packets:   6"),
            HasSubstr("Packet size limit:   file hdr: 262144 bytes")));
  ExpectOurReaderSees(path, packets, step, false);
}

INSTANTIATE_TEST_SUITE_P(MicroAndNano, PcapWriterOracle, ::testing::Bool());

TEST(CaptureFileWriter, BigEndianCoreWriters_TsharkReads) {
  // The host writer writes little endian; the core writers also write big endian, which
  // only an outside reader can vouch for.
  TempDir dir;
  const auto packets = OneInterfacePackets(wire::kLinkTypeIeee80211Radiotap);
  std::vector<std::byte> storage(1 << 16);
  {
    ByteBuilder out(storage);
    wire::PcapHeader header;
    header.byte_order = wire::ByteOrder::kBig;
    WritePcapHeader(out, header);
    for (const Expected& e : packets) {
      ASSERT_TRUE(WritePcapRecord(out, header, e.ts_ns, e.data, e.origlen).ok());
    }
    std::ofstream(dir.File("be.pcap"), std::ios::binary)
        .write(reinterpret_cast<const char*>(out.bytes().data()), out.size());
  }
  {
    ByteBuilder out(storage);
    wire::PcapngInterface iface;
    iface.tsresol = 0x80 | 30;  // 2^-30 s: timestamps that are not whole ns
    ASSERT_TRUE(WritePcapngSectionHeader(out, wire::ByteOrder::kBig, "be").ok());
    ASSERT_TRUE(WritePcapngInterface(out, wire::ByteOrder::kBig, iface).ok());
    for (const Expected& e : packets) {
      wire::PcapngPacket p;
      p.ts_ns = e.ts_ns;
      p.data = e.data;
      p.origlen = e.origlen;
      p.comment = e.comment;
      ASSERT_TRUE(WritePcapngPacket(out, wire::ByteOrder::kBig, iface, p).ok());
    }
    std::ofstream(dir.File("be.pcapng"), std::ios::binary)
        .write(reinterpret_cast<const char*>(out.bytes().data()), out.size());
  }
  std::vector<std::string> want;
  for (const Expected& e : packets) want.push_back(ExpectedView(e, true));
  EXPECT_EQ(TsharkView(dir.File("be.pcap")), want);
  ExpectOurReaderSees(dir.File("be.pcap"), packets, 1, false);

  // 2^-30 s units do not land on whole ns: compare with tshark to the microsecond (its
  // rounding and ours may differ in the last ns) and our read-back to 1 ns.
  const auto lines = TsharkView(dir.File("be.pcapng"));
  ASSERT_EQ(lines.size(), packets.size());
  CaptureFileReader reader(dir.File("be.pcapng"));
  for (size_t i = 0; i < packets.size(); ++i) {
    auto p = reader.Next();
    ASSERT_TRUE(p.has_value());
    EXPECT_NEAR(static_cast<double>(p->ts_ns - packets[i].ts_ns), 0.0, 1.0);
    EXPECT_EQ(lines[i].substr(0, 17), Epoch(p->ts_ns).substr(0, 17)) << lines[i];
    EXPECT_THAT(lines[i], HasSubstr("\t0\t23\t"));
    EXPECT_EQ(p->comment, packets[i].comment);
  }
}

TEST(CaptureFileReader, EditcapConversions_ReadBackSamePackets) {
  TempDir dir;
  const std::string ours = dir.File("ours.pcapng");
  const auto packets = OneInterfacePackets(wire::kLinkTypeIeee80211Radiotap);
  {
    CaptureFileWriter writer(ours, {});
    WriteAll(writer, packets);
  }
  RunTool("editcap -F pcapng '" + ours + "' '" + dir.File("e.pcapng") + "'");
  RunTool("editcap -F nsecpcap '" + ours + "' '" + dir.File("e-ns.pcap") + "'");
  RunTool("editcap -F pcap '" + ours + "' '" + dir.File("e-us.pcap") + "'");
  ExpectOurReaderSees(dir.File("e.pcapng"), packets);
  ExpectOurReaderSees(dir.File("e-ns.pcap"), packets, 1, false);
  ExpectOurReaderSees(dir.File("e-us.pcap"), packets, 1000, false);
  EXPECT_EQ(CaptureFileReader(dir.File("e-us.pcap")).format(), CaptureFormat::kPcap);
}

TEST(CaptureFileReader, Text2pcapHexDump_ReadsFramesAndTimes) {
  TempDir dir;
  const auto packets = OneInterfacePackets(wire::kLinkTypeIeee80211);
  std::ofstream dump(dir.File("dump.txt"));
  for (const Expected& e : packets) {
    const int64_t s = e.ts_ns / 1'000'000'000;
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%lld.%09lld", static_cast<long long>(s),
                  static_cast<long long>(e.ts_ns % 1'000'000'000));
    dump << stamp << "\n";
    for (size_t i = 0; i < e.data.size(); ++i) {
      char cell[32];
      if (i % 16 == 0) {
        std::snprintf(cell, sizeof cell, "%s%06zx", i ? "\n" : "", i);
        dump << cell;
      }
      std::snprintf(cell, sizeof cell, " %02x", static_cast<unsigned>(e.data[i]));
      dump << cell;
    }
    dump << "\n\n";
  }
  dump.close();
  // text2pcap knows nothing of origlen or comments: it records what the dump shows.
  std::vector<Expected> want = packets;
  for (Expected& e : want) {
    e.origlen = 0;
    e.comment.clear();
  }
  RunTool("text2pcap -q -F pcap -l 105 -t '%s.%f' '" + dir.File("dump.txt") + "' '" +
          dir.File("t.pcap") + "'");
  RunTool("text2pcap -q -l 105 -t '%s.%f' '" + dir.File("dump.txt") + "' '" + dir.File("t.pcapng") +
          "'");
  ExpectOurReaderSees(dir.File("t.pcap"), want, 1000, false);
  ExpectOurReaderSees(dir.File("t.pcapng"), want, 1);
}

TEST(CaptureFileReader, MergecapSeveralInterfaces_MatchesTshark) {
  TempDir dir;
  const uint32_t rt = wire::kLinkTypeIeee80211Radiotap, plain = wire::kLinkTypeIeee80211;
  {
    CaptureWriterOptions options;
    options.interface_name = "a";
    CaptureFileWriter a(dir.File("a.pcapng"), options);
    options.link_type = plain;
    options.interface_name = "b";
    CaptureFileWriter b(dir.File("b.pcapng"), options);
    for (uint8_t i = 0; i < 6; ++i) {
      CapturedPacket p;
      p.ts_ns = 1'700'000'000'000'000'000 + i * 1000;
      const Bytes frame = Frame(i % 2 ? plain : rt, i, i);
      p.data = frame;
      p.link_type = i % 2 ? plain : rt;
      (i % 2 ? b : a).Write(p);
    }
  }
  RunTool("mergecap -w '" + dir.File("m.pcapng") + "' '" + dir.File("a.pcapng") + "' '" +
          dir.File("b.pcapng") + "'");
  const auto lines = TsharkView(dir.File("m.pcapng"));
  ASSERT_EQ(lines.size(), 6u);
  CaptureFileReader reader(dir.File("m.pcapng"));
  for (const std::string& line : lines) {
    auto p = reader.Next();
    ASSERT_TRUE(p.has_value());
    const std::string prefix = Epoch(p->ts_ns) + "\t" + std::to_string(p->interface_index) + "\t" +
                               WtapEncap(p->link_type) + "\t";
    EXPECT_EQ(line.substr(0, prefix.size()), prefix);
  }
  EXPECT_FALSE(reader.Next().has_value());
}

TEST(CaptureFileReader, TsharkRewritesPcapAsPcapng_Reads) {
  TempDir dir;
  const auto packets = OneInterfacePackets(wire::kLinkTypeIeee80211Radiotap);
  {
    CaptureFileWriter writer(dir.File("in.pcap"), {});
    WriteAll(writer, packets);
  }
  RunTool("tshark -r '" + dir.File("in.pcap") + "' -F pcapng -w '" + dir.File("out.pcapng") + "'");
  EXPECT_EQ(CaptureFileReader(dir.File("out.pcapng")).format(), CaptureFormat::kPcapng);
  ExpectOurReaderSees(dir.File("out.pcapng"), packets, 1, false);
}

TEST(CaptureFileReader, HandmadeBigEndianAllBlockKinds_AgreesWithTshark) {
  // Built by hand from the draft (a Python script, not our writer): big endian, if_tsresol
  // 2^-20 with if_tsoffset, an EPB with options, an SPB, an obsolete PB, then NRB, ISB
  // and a custom block that carry no packets.
  const std::string path = "fuzz/corpus/pcapng/big_endian_all_blocks.pcapng";
  std::vector<std::string> lines =
      Lines(RunTool("tshark -r " + path +
                    " -T fields -E separator=/t -e frame.time_epoch -e frame.len "
                    "-e frame.cap_len -e frame.comment"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[3], "\t8\t8\t");  // tshark lists the custom block; it is no packet
  lines.pop_back();
  CaptureFileReader reader(path);
  for (const std::string& line : lines) {
    auto p = reader.Next();
    ASSERT_TRUE(p.has_value());
    // A Simple Packet Block has no timestamp: tshark leaves it empty, ours says 0.
    const std::string time = p->ts_ns == 0 ? "" : Epoch(p->ts_ns);
    EXPECT_EQ(line, time + "\t" + std::to_string(p->origlen) + "\t" +
                        std::to_string(p->data.size()) + "\t" + std::string(p->comment));
  }
  EXPECT_FALSE(reader.Next().has_value());
}

// Bad files: each is a good file of ours with one thing broken.
class CaptureFileBadInput : public ::testing::Test {
 protected:
  Bytes Good(CaptureFormat format) {
    const std::string path = dir_.File(format == CaptureFormat::kPcap ? "g.pcap" : "g.pcapng");
    {
      CaptureFileWriter writer(path, {});
      WriteAll(writer, OneInterfacePackets(wire::kLinkTypeIeee80211Radiotap));
    }
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    Bytes bytes(text.size());
    std::memcpy(bytes.data(), text.data(), text.size());
    return bytes;
  }
  std::string Save(const Bytes& bytes, const std::string& name) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return path;
  }
  // Reads until the error; returns its message and how many packets came before it.
  std::pair<std::string, int> ReadToError(const std::string& path) {
    int packets = 0;
    try {
      CaptureFileReader reader(path);
      while (reader.Next()) ++packets;
    } catch (const std::runtime_error& e) {
      return {e.what(), packets};
    }
    ADD_FAILURE() << "no error reading " << path;
    return {"", packets};
  }
  TempDir dir_;
};

TEST_F(CaptureFileBadInput, TruncatedPcapng_NamesFileOffsetAndFix) {
  Bytes bytes = Good(CaptureFormat::kPcapng);
  bytes.resize(bytes.size() - 10);
  const std::string path = Save(bytes, "cut.pcapng");
  auto [message, before] = ReadToError(path);
  EXPECT_EQ(before, 5);
  EXPECT_THAT(message, AllOf(HasSubstr(path + ": offset "), HasSubstr("Enhanced Packet Block"),
                             HasSubstr("cut off"), HasSubstr("editcap " + path)));
}

TEST_F(CaptureFileBadInput, TruncatedPcap_NamesRecordAndFix) {
  Bytes bytes = Good(CaptureFormat::kPcap);
  bytes.resize(bytes.size() - 3);
  auto [message, before] = ReadToError(Save(bytes, "cut.pcap"));
  EXPECT_EQ(before, 5);
  EXPECT_THAT(message, AllOf(HasSubstr("but the file ends after"), HasSubstr("cut off"),
                             HasSubstr("repaired.pcap")));
}

TEST_F(CaptureFileBadInput, PcapBrokenRecordLength_SaysCorrupt) {
  Bytes bytes = Good(CaptureFormat::kPcap);
  bytes[24 + 8 + 3] = std::byte{0x40};  // first record's caplen now above snaplen
  const std::string path = Save(bytes, "bad.pcap");
  auto [message, before] = ReadToError(path);
  EXPECT_EQ(before, 0);
  EXPECT_THAT(message, AllOf(HasSubstr(path + ": offset 24: record with caplen 1073741856"),
                             HasSubstr("corrupt")));
}

TEST_F(CaptureFileBadInput, LyingBlockLength_SaysStructureCorrupt) {
  Bytes bytes = Good(CaptureFormat::kPcapng);
  // Find the first EPB (type 6 after the SHB and IDB) and make its length odd.
  size_t at = 0;
  while (static_cast<uint8_t>(bytes[at]) != 6) {
    at += static_cast<uint8_t>(bytes[at + 4]) | static_cast<uint8_t>(bytes[at + 5]) << 8;
  }
  bytes[at + 4] = static_cast<std::byte>(static_cast<uint8_t>(bytes[at + 4]) + 2);
  auto [message, before] = ReadToError(Save(bytes, "lying.pcapng"));
  EXPECT_EQ(before, 0);
  EXPECT_THAT(message,
              AllOf(HasSubstr("offset " + std::to_string(at)), HasSubstr("the length is invalid")));
}

TEST_F(CaptureFileBadInput, UnknownInterfaceId_SaysIdbMissing) {
  Bytes bytes = Good(CaptureFormat::kPcapng);
  size_t at = 0;
  while (static_cast<uint8_t>(bytes[at]) != 6) {
    at += static_cast<uint8_t>(bytes[at + 4]) | static_cast<uint8_t>(bytes[at + 5]) << 8;
  }
  bytes[at + 8] = std::byte{3};  // interface 3 of 1
  auto [message, before] = ReadToError(Save(bytes, "iface.pcapng"));
  EXPECT_EQ(before, 0);
  EXPECT_THAT(message, AllOf(HasSubstr("names an interface its section has not described"),
                             HasSubstr("mergecap")));
}

TEST_F(CaptureFileBadInput, NotACapture_SaysWhatItIs) {
  EXPECT_THAT(ReadToError(Save({}, "empty.pcap")).first, HasSubstr("empty"));
  const Bytes text = {std::byte{'h'}, std::byte{'e'}, std::byte{'l'}, std::byte{'l'},
                      std::byte{'o'}};
  EXPECT_THAT(ReadToError(Save(text, "text.pcap")).first,
              HasSubstr("not a pcap or pcapng capture (it starts with 68 65 6c 6c"));
  RunTool("gzip -k '" + dir_.File("text.pcap") + "'");
  EXPECT_THAT(ReadToError(dir_.File("text.pcap.gz")).first, HasSubstr("gzip"));
  EXPECT_THAT(ReadToError(dir_.File("missing.pcap")).first,
              AllOf(HasSubstr("cannot open"), HasSubstr("No such file")));
  Bytes short_pcap = Good(CaptureFormat::kPcap);
  short_pcap.resize(10);
  EXPECT_THAT(ReadToError(Save(short_pcap, "short.pcap")).first,
              HasSubstr("shorter than the 24-byte pcap header"));
}

TEST(CaptureFileWriter, Fifo_EachPacketArrivesBeforeClose) {
  ::signal(SIGPIPE, SIG_IGN);
  TempDir dir;
  const std::string fifo = dir.File("live");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Our end opens first without blocking, so the writer's open finds a reader.
  const int read_fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(read_fd, 0);
  CaptureWriterOptions options;
  options.format = CaptureFormat::kPcap;
  options.link_type = wire::kLinkTypeIeee80211;
  CaptureFileWriter writer(fifo, options);
  const Bytes frame = Frame(wire::kLinkTypeIeee80211, 1, 5);
  CapturedPacket packet;
  packet.link_type = wire::kLinkTypeIeee80211;
  packet.data = frame;
  writer.Write(packet);  // not closed, not flushed by hand
  std::vector<std::byte> got(4096);
  const ssize_t n = ::read(read_fd, got.data(), got.size());
  EXPECT_EQ(n, static_cast<ssize_t>(24 + 16 + frame.size()));
  ::close(read_fd);
  EXPECT_THROW(
      {
        writer.Write(packet);
        writer.Close();
      },
      std::runtime_error);  // EPIPE: the reader has gone
}

TEST(CaptureFileReader, FromFifo_ReadsWhatOurWriterStreams) {
  TempDir dir;
  const std::string fifo = dir.File("stream");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto packets = TwoInterfacePackets();
  std::thread producer([&] {
    CaptureWriterOptions options;
    options.format = CaptureFormat::kPcapng;
    CaptureFileWriter writer(fifo, options);
    writer.AddInterface(wire::kLinkTypeIeee80211, "esp0");
    WriteAll(writer, packets);
  });
  ExpectOurReaderSees(fifo, packets);
  producer.join();
}

TEST(CaptureFileWriter, PacketForMissingInterfaceOrOtherLinkType_Throws) {
  TempDir dir;
  CaptureFileWriter pcapng(dir.File("x.pcapng"), {});
  CapturedPacket packet;
  packet.interface_index = 1;
  EXPECT_THROW(pcapng.Write(packet), std::invalid_argument);
  packet.interface_index = 0;
  packet.link_type = wire::kLinkTypeIeee80211;  // interface 0 is radiotap
  EXPECT_THROW(pcapng.Write(packet), std::invalid_argument);
  packet.ts_ns = -1;
  packet.link_type = wire::kLinkTypeIeee80211Radiotap;
  EXPECT_THROW(pcapng.Write(packet), std::invalid_argument);
  CaptureFileWriter pcap(dir.File("x.pcap"), {});
  EXPECT_THROW(pcap.AddInterface(wire::kLinkTypeIeee80211, "second"), std::runtime_error);
}

TEST(CaptureFormatForPath, PcapNamesGetPcap_EveryOtherNamePcapng) {
  EXPECT_EQ(CaptureFormatForPath("a/b.pcapng"), CaptureFormat::kPcapng);
  EXPECT_EQ(CaptureFormatForPath("B.PCAPNG"), CaptureFormat::kPcapng);
  EXPECT_EQ(CaptureFormatForPath("x.pcap"), CaptureFormat::kPcap);
  EXPECT_EQ(CaptureFormatForPath("X.PCAP"), CaptureFormat::kPcap);
  EXPECT_EQ(CaptureFormatForPath("x.cap"), CaptureFormat::kPcap);
  EXPECT_EQ(CaptureFormatForPath("/tmp/wireshark_extcap_fifo"), CaptureFormat::kPcapng);
  EXPECT_EQ(CaptureFormatForPath("-"), CaptureFormat::kPcapng);
  EXPECT_EQ(CaptureFormatForPath("/dev/null"), CaptureFormat::kPcapng);
}

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += !entry.is_directory();
  return n;
}

TEST(OutputFile, Committed_ReplacesTheFileWhole) {
  TempDir dir;
  const std::string path = dir.File("out.bin");
  WriteText(path, "old contents");
  {
    OutputFile out(path);
    out.Write(AsBytes("new", 3));
    EXPECT_EQ(FileText(path), "old contents");  // untouched until Commit
    out.Commit();
  }
  EXPECT_EQ(FileText(path), "new");
  EXPECT_EQ(FilesIn(dir.path()), 1u);  // no temporary file left
}

TEST(OutputFile, NotCommitted_LeavesTheFileAsItWas) {
  TempDir dir;
  const std::string path = dir.File("keep.pcapng");
  WriteText(path, "the user's capture");
  {
    OutputFile out(path);
    out.Write(AsBytes("half a", 6));
  }
  EXPECT_EQ(FileText(path), "the user's capture");
  EXPECT_EQ(FilesIn(dir.path()), 1u);
  {
    CaptureFileWriter writer(path, {});
    try {
      throw std::runtime_error("the command failed");
    } catch (const std::runtime_error&) {
    }
  }  // left normally: put in place
  EXPECT_EQ(FileText(path).substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  WriteText(path, "the user's capture");
  try {
    CaptureFileWriter writer(path, {});
    throw std::runtime_error("the command failed while writing");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(FileText(path), "the user's capture");
  EXPECT_EQ(FilesIn(dir.path()), 1u);
}

TEST(OutputFile, SameFileAsAnInput_Refused) {
  TempDir dir;
  const std::string path = dir.File("in.pcapng");
  WriteText(path, "input");
  const std::string link = dir.File("other-name.pcapng");
  ASSERT_EQ(::link(path.c_str(), link.c_str()), 0);
  EXPECT_THAT([&] { OutputFile out(link, {path}); },
              ::testing::ThrowsMessage<std::runtime_error>(
                  AllOf(HasSubstr("other-name.pcapng"), HasSubstr("input"))));
  EXPECT_EQ(FileText(path), "input");
  EXPECT_NO_THROW(OutputFile(dir.File("new.pcapng"), {path}));
}

TEST(OutputFile, DevNullAndFifo_WrittenDirectly) {
  OutputFile null("/dev/null");
  null.Write(AsBytes("x", 1));
  null.Commit();
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  TempDir dir;
  const std::string fifo = dir.File("live");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int read_fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(read_fd, 0);
  OutputFile out(fifo);
  EXPECT_TRUE(out.live());
  out.Write(AsBytes("abc", 3));
  char got[8] = {};
  EXPECT_EQ(::read(read_fd, got, sizeof got), 3);
  ::close(read_fd);
  EXPECT_EQ(FilesIn(dir.path()), 1u);  // the FIFO only
}

TEST(OutputFile, MissingDirectoryOrADirectory_SaysSo) {
  TempDir dir;
  EXPECT_THAT(
      [&] { OutputFile out(dir.File("no/such/dir/x.pcapng")); },
      ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("check that the directory exists")));
  EXPECT_THAT([&] { OutputFile out(dir.path()); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("is a directory")));
}

}  // namespace
}  // namespace airlab::linux_port
