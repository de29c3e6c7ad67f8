// `airlab espnow encode|decode`: ESP-NOW frames to and from hex text and pcap files.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/base/ascii.h"
#include "core/espnow/codec.h"
#include "core/wire/pcap.h"
#include "core/wire/radiotap.h"
#include "platform/linux/capture_file.h"

namespace airlab::cli {
namespace {

using Bytes = std::vector<std::byte>;

std::string ToHex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    out += kDigits[static_cast<uint8_t>(b) >> 4];
    out += kDigits[static_cast<uint8_t>(b) & 0xf];
  }
  return out;
}


// Hex digits, with spaces or colons between bytes allowed (as tools print them).
Bytes ParseHex(const std::string& text, const std::string& what) {
  std::string digits;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == ':' || c == '\r') continue;
    if (HexDigitValue(c) < 0) {
      throw UserError(what + " has '" + std::string(1, c) +
                      "', which is not a hex digit; give the bytes as hex, e.g. d0000000ff...");
    }
    digits += c;
  }
  if (digits.size() % 2 != 0) {
    throw UserError(what + " has an odd number of hex digits (" + std::to_string(digits.size()) +
                    "); give two digits per byte");
  }
  Bytes out(digits.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::byte>(HexDigitValue(digits[2 * i]) << 4 | HexDigitValue(digits[2 * i + 1]));
  }
  return out;
}

MacAddress ParseMac(const std::string& text, const std::string& option) {
  auto mac = MacAddress::Parse(text.data(), text.size());
  if (!mac.ok()) {
    throw UserError(option + " \"" + text +
                    "\" is not a MAC address; write it as aa:bb:cc:dd:ee:ff");
  }
  return *mac;
}

std::string FormatMac(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

// ---------------------------------------------------------------------------------------
// encode

struct EncodeArgs {
  std::string src, dst = "ff:ff:ff:ff:ff:ff", addr3 = "ff:ff:ff:ff:ff:ff";
  std::string payload, payload_hex;
  bool has_payload = false, has_payload_hex = false;
  int version = 1;
  int seq = 0;
  std::string random = "00000000";
  bool retry = false;
  bool fcs = true;
  std::string pcap;
  bool radiotap = false;
};

void RunEncode(const EncodeArgs& a) {
  espnow::EncodeOptions o;
  o.src = ParseMac(a.src, "--src");
  o.dst = ParseMac(a.dst, "--dst");
  o.addr3 = ParseMac(a.addr3, "--addr3");
  if (a.version != 1 && a.version != 2) {
    throw UserError("--version " + std::to_string(a.version) +
                    " is not an ESP-NOW version; use 1 or 2");
  }
  o.version = static_cast<espnow::Version>(a.version);
  if (a.seq < 0 || a.seq > 4095) {
    throw UserError("--seq " + std::to_string(a.seq) + " does not fit 12 bits; use 0 to 4095");
  }
  o.sequence = static_cast<uint16_t>(a.seq);
  const Bytes random = ParseHex(a.random, "--random");
  if (random.size() != 4) {
    throw UserError("--random needs exactly 4 bytes (8 hex digits), e.g. --random 0a1b2c3d");
  }
  o.random = load_be32(random, 0);
  o.retry = a.retry;
  o.fcs = a.fcs;
  if (a.has_payload == a.has_payload_hex) {
    throw UserError("give the payload with --payload TEXT or --payload-hex HEX (one of them)");
  }
  const Bytes payload =
      a.has_payload ? Bytes(reinterpret_cast<const std::byte*>(a.payload.data()),
                            reinterpret_cast<const std::byte*>(a.payload.data()) + a.payload.size())
                    : ParseHex(a.payload_hex, "--payload-hex");
  const size_t max = espnow::MaxPayload(o.version);
  if (payload.size() > max) {
    throw UserError(
        "the payload has " + std::to_string(payload.size()) + " bytes, more than ESP-NOW v" +
        std::to_string(a.version) + " carries (" + std::to_string(max) + ")" +
        (a.version == 1 ? "; shorten it or use --version 2 (up to 1470)" : "; shorten it"));
  }
  if (a.radiotap && a.pcap.empty()) {
    throw UserError("--radiotap applies to pcap output; add --pcap FILE");
  }

  FrameBuffer<espnow::kMaxFrameSize> frame;
  if (const Status s = espnow::Encode(o, payload, frame); !s.ok()) {
    throw std::logic_error(std::string("encoding failed: ") + s.str());
  }
  if (a.pcap.empty()) {
    std::printf("%s\n", ToHex(frame.bytes()).c_str());
    return;
  }

  FrameBuffer<espnow::kMaxFrameSize + 64> record;
  if (a.radiotap) {
    wire::RadiotapInfo info;
    info.flags = a.fcs ? wire::RadiotapFlags::kFcsAtEnd : 0;
    info.rate_500kbps = 2;  // ESP-NOW's default rate, 1 Mb/s
    wire::WriteRadiotap(record, info);
  }
  record.Append(frame.bytes());
  if (!record.ok()) throw std::logic_error("the radiotap record did not fit");

  linux_port::CaptureWriterOptions options;
  const bool pcapng = a.pcap.size() >= 7 && a.pcap.compare(a.pcap.size() - 7, 7, ".pcapng") == 0;
  options.format = pcapng ? linux_port::CaptureFormat::kPcapng : linux_port::CaptureFormat::kPcap;
  options.link_type = a.radiotap ? wire::kLinkTypeIeee80211Radiotap : wire::kLinkTypeIeee80211;
  linux_port::CaptureFileWriter writer(a.pcap, options);
  linux_port::CapturedPacket packet;
  packet.ts_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  packet.link_type = options.link_type;
  packet.data = record.bytes();
  writer.Write(packet);
  writer.Close();
}

// ---------------------------------------------------------------------------------------
// decode

struct DecodeArgs {
  std::string hex;
  std::string pcap;
  bool strict = false;
  bool table = false;
  std::optional<bool> fcs;  // unset: tell from the frame (radiotap flag, or a matching CRC)
};

// One frame to decode, pointing into bytes the caller keeps.
struct Input {
  size_t number = 0;
  std::optional<int64_t> ts_ns;
  ByteSpan mpdu;
  std::optional<bool> fcs;
};

struct Tally {
  size_t frames = 0, espnow = 0, skipped = 0, rejected = 0, strict_rejected = 0;
};

std::string Preview(ByteSpan payload, size_t max_chars) {
  bool text = !payload.empty();
  for (std::byte b : payload)
    text = text && static_cast<uint8_t>(b) >= 0x20 && static_cast<uint8_t>(b) < 0x7f;
  std::string out;
  if (text) {
    out = "\"" + std::string(reinterpret_cast<const char*>(payload.data()), payload.size()) + "\"";
  } else {
    out = payload.empty() ? "(empty)" : ToHex(payload);
  }
  if (out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
  return out;
}

std::string DeviationList(espnow::Deviations d) {
  std::string out;
  for (espnow::Deviation x : espnow::kAllDeviations) {
    if (d.has(x)) out += (out.empty() ? "" : ",") + std::string(espnow::DeviationName(x));
  }
  return out;
}

std::string Time(const Input& in, std::optional<int64_t> first_ns) {
  if (!in.ts_ns || !first_ns) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", static_cast<double>(*in.ts_ns - *first_ns) / 1e9);
  return text;
}

// Captures rarely say whether frames keep their FCS. A matching CRC says yes; failing that,
// a frame whose elements end 4 bytes early has an FCS that is wrong, not 4 stray bytes.
bool GuessFcs(ByteSpan mpdu) {
  if (wire::CheckFcs(mpdu)) return true;
  espnow::Deviations without, with;
  const bool ok_without = espnow::FrameView::Parse(mpdu, {espnow::Fcs::kAbsent}, &without).ok();
  const bool ok_with = espnow::FrameView::Parse(mpdu, {espnow::Fcs::kPresent}, &with).ok();
  if (ok_with && !ok_without) return true;
  return ok_with && without.has(espnow::Deviation::kBadLength) &&
         !with.has(espnow::Deviation::kBadLength);
}

class Printer {
 public:
  Printer(bool table, bool strict, bool skip_others)
      : table_(table), strict_(strict), skip_others_(skip_others) {
    if (table_) {
      std::printf("%-5s %-12s %-17s  %-17s  %4s  %3s  %4s  %-34s  %s\n", "#", "time", "src", "dst",
                  "seq", "ver", "len", "payload", "deviations");
    }
  }

  void Decode(const Input& in, std::optional<int64_t> first_ns) {
    ++tally_.frames;
    const bool fcs = in.fcs ? *in.fcs : GuessFcs(in.mpdu);
    // Parsed leniently even under --strict, to show the fields of a rejected frame: strict
    // is lenient plus "no deviations" (FrameView::Parse), which is checked below.
    const espnow::DecodeOptions options{fcs ? espnow::Fcs::kPresent : espnow::Fcs::kAbsent,
                                        espnow::Strictness::kLenient};
    espnow::Deviations deviations;
    auto view = espnow::FrameView::Parse(in.mpdu, options, &deviations);
    if (view.status() == Status::NotFound() && skip_others_) {
      ++tally_.skipped;
      return;
    }
    if (!view.ok()) {
      ++tally_.rejected;
      PrintFailure(in, first_ns, view.status(), deviations);
      return;
    }
    ++tally_.espnow;
    const bool rejected = strict_ && !deviations.empty();
    if (rejected) ++tally_.strict_rejected;
    Print(in, first_ns, *view, fcs, rejected);
  }

  void SkipOther() {
    ++tally_.frames;
    ++tally_.skipped;
  }
  const Tally& tally() const { return tally_; }

 private:
  static const char* Reason(Status s) {
    if (s == Status::NotFound()) return "not an ESP-NOW frame";
    if (s == Status::OutOfRange()) return "truncated";
    return s.str();
  }

  void PrintFailure(const Input& in, std::optional<int64_t> first_ns, Status status,
                    espnow::Deviations deviations) {
    const std::string devs = deviations.empty() ? "-" : DeviationList(deviations);
    if (table_) {
      std::printf("%-5zu %-12s %-17s  %-17s  %4s  %3s  %4zu  %-34s  %s\n", in.number,
                  Time(in, first_ns).c_str(), "-", "-", "-", "-", in.mpdu.size(),
                  (std::string("(") + Reason(status) + ")").c_str(), devs.c_str());
      return;
    }
    std::printf("frame %zu%s%s: %s (%s), %zu bytes\n  deviations  %s\n\n", in.number,
                in.ts_ns ? " at " : "", in.ts_ns ? Time(in, first_ns).c_str() : "", Reason(status),
                status.str(), in.mpdu.size(), devs.c_str());
  }

  void Print(const Input& in, std::optional<int64_t> first_ns, const espnow::FrameView& v, bool fcs,
             bool rejected) {
    const espnow::Deviations d = v.deviations();
    std::string payload;
    if (v.encrypted()) {
      payload = "(encrypted)";
    } else {
      Bytes copy(v.payload_size());
      v.CopyPayload(copy).IgnoreError();  // sized to fit
      payload = Preview(copy, table_ ? 34 : 72);
    }
    std::string devs = d.empty() ? "-" : DeviationList(d);
    if (rejected) devs += " (rejected by --strict)";
    if (table_) {
      std::printf("%-5zu %-12s %-17s  %-17s  %4u  %3u  %4zu  %-34s  %s\n", in.number,
                  Time(in, first_ns).c_str(), FormatMac(v.src()).c_str(),
                  FormatMac(v.dst()).c_str(), v.sequence(), v.version(), v.payload_size(),
                  payload.c_str(), devs.c_str());
      return;
    }
    std::printf("frame %zu%s%s\n", in.number, in.ts_ns ? " at " : "",
                in.ts_ns ? (Time(in, first_ns) + " s").c_str() : "");
    auto field = [](const char* name, const std::string& value) {
      std::printf("  %-11s %s\n", name, value.c_str());
    };
    field("src", FormatMac(v.src()));
    field("dst", FormatMac(v.dst()) + (v.dst().is_broadcast() ? " (broadcast)" : ""));
    field("addr3", FormatMac(v.addr3()));
    field("seq", std::to_string(v.sequence()));
    field("retry", v.retry() ? "yes" : "no");
    field("encrypted", v.encrypted() ? "yes (CCMP; the payload needs the peer's key)" : "no");
    if (!v.encrypted()) {
      char random[9];
      std::snprintf(random, sizeof random, "%08x", v.random());
      field("random", random);
      field("version", std::to_string(v.version()));
      field("elements", std::to_string(v.element_count()));
      field("length", std::to_string(v.payload_size()));
    }
    field("fcs", !fcs ? "absent" : d.has(espnow::Deviation::kBadFcs) ? "bad" : "good");
    field("payload", payload);
    field("deviations", devs);
    std::printf("\n");
  }

  bool table_, strict_, skip_others_;
  Tally tally_;
};

void PrintSummary(const Tally& t, bool from_pcap) {
  std::printf("%zu frame%s: %zu ESP-NOW", t.frames, t.frames == 1 ? "" : "s", t.espnow);
  if (from_pcap) std::printf(", %zu other%s skipped", t.skipped, t.skipped == 1 ? "" : "s");
  if (t.rejected) std::printf(", %zu not decoded", t.rejected);
  if (t.strict_rejected) std::printf(", %zu rejected by --strict", t.strict_rejected);
  std::printf("\n");
  std::fflush(stdout);
}

// Fails the command when a frame did not pass, after everything was printed.
void CheckTally(const Tally& t) {
  if (t.rejected) {
    throw UserError(std::to_string(t.rejected) + " frame" + (t.rejected == 1 ? "" : "s") +
                    " could not be decoded (reasons above); give whole ESP-NOW MPDUs, and "
                    "--fcs or --no-fcs if the FCS guess is wrong");
  }
  if (t.strict_rejected) {
    throw UserError(std::to_string(t.strict_rejected) +
                    (t.strict_rejected == 1 ? " frame deviates" : " frames deviate") +
                    " from the ESP-NOW format (listed above); drop --strict to accept "
                    "them as real receivers do");
  }
}

void DecodeHex(const DecodeArgs& a) {
  std::vector<std::string> lines;
  if (a.hex == "-") {
    for (std::string line; std::getline(std::cin, line);) lines.push_back(line);
  } else {
    lines.push_back(a.hex);
  }
  Printer printer(a.table, a.strict, false);
  size_t number = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.find_first_not_of(" \t\r") == std::string::npos ||
        line[line.find_first_not_of(" \t")] == '#') {
      continue;  // blank lines and comments in a file of frames
    }
    const std::string what = a.hex == "-" ? "line " + std::to_string(i + 1) + " of stdin" : "--hex";
    const Bytes frame = ParseHex(line, what);
    printer.Decode({++number, std::nullopt, frame, a.fcs}, std::nullopt);
  }
  if (number == 0) throw UserError("no frames on stdin; give one hex frame per line");
  PrintSummary(printer.tally(), false);
  CheckTally(printer.tally());
}

// One 802.11 frame out of a capture record, with what the link type says about its FCS.
std::optional<Input> FrameOf(const linux_port::CapturedPacket& packet, size_t number,
                             std::optional<bool> fcs) {
  Input in{number, packet.ts_ns, packet.data, fcs};
  if (packet.link_type == wire::kLinkTypeIeee80211) return in;
  if (packet.link_type != wire::kLinkTypeIeee80211Radiotap) return std::nullopt;
  if (auto radiotap = wire::RadiotapView::Parse(packet.data); radiotap.ok()) {
    in.mpdu = radiotap->payload();
    if (!fcs) in.fcs = radiotap->info().fcs_at_end();
  } else if (auto payload = wire::RadiotapPayload(packet.data); payload.ok()) {
    in.mpdu = *payload;  // radiotap fields airlab does not know: the FCS is guessed
  } else {
    in.mpdu = {};  // no 802.11 frame to be found: reported as truncated
  }
  return in;
}

void DecodePcap(const DecodeArgs& a) {
  linux_port::CaptureFileReader reader(a.pcap);
  Printer printer(a.table, a.strict, true);
  std::optional<int64_t> first_ns;
  std::optional<uint32_t> other_link;
  size_t number = 0;
  try {
    while (const auto packet = reader.Next()) {
      ++number;
      if (!first_ns) first_ns = packet->ts_ns;
      if (const auto in = FrameOf(*packet, number, a.fcs)) {
        printer.Decode(*in, first_ns);
      } else {
        printer.SkipOther();
        other_link = packet->link_type;
      }
    }
  } catch (const std::runtime_error& e) {
    PrintSummary(printer.tally(), true);
    throw UserError(e.what());
  }
  if (other_link && printer.tally().skipped == number) {
    throw UserError(a.pcap + " has link type " + std::to_string(*other_link) +
                    ", not 802.11; ESP-NOW decoding needs link type 105, or 127 with radiotap");
  }
  PrintSummary(printer.tally(), true);
  CheckTally(printer.tally());
}

void RunDecode(const DecodeArgs& a) {
  if (a.hex.empty() == a.pcap.empty()) {
    throw UserError(
        "give the frames with --hex HEX (or --hex - for one per stdin line) or --pcap FILE");
  }
  if (!a.hex.empty()) {
    DecodeHex(a);
  } else {
    DecodePcap(a);
  }
}

}  // namespace

void AddEspnowCommand(CLI::App& app) {
  CLI::App* espnow = app.add_subcommand("espnow", "Encode and decode ESP-NOW frames");
  espnow->footer(
      "Examples:\n"
      "  airlab espnow encode --src 4c:11:ae:89:bc:95 --dst 4c:11:ae:89:bd:d5 --payload hello\n"
      "  airlab espnow decode --pcap capture.pcapng --strict --table");
  espnow->require_subcommand(1);

  auto encode_args = std::make_shared<EncodeArgs>();
  CLI::App* encode = espnow->add_subcommand("encode",
                                            "Build one ESP-NOW frame (802.11 Action, vendor "
                                            "specific) and print it as hex or write a pcap");
  encode->add_option("--src", encode_args->src, "Sender MAC (addr2)")->required();
  encode->add_option("--dst", encode_args->dst, "Destination MAC (addr1)")->capture_default_str();
  encode
      ->add_option("--addr3", encode_args->addr3,
                   "addr3 (BSSID): broadcast per ESP-IDF, or the destination")
      ->capture_default_str();
  CLI::Option* payload = encode->add_option("--payload", encode_args->payload, "Payload as text");
  CLI::Option* payload_hex =
      encode->add_option("--payload-hex", encode_args->payload_hex, "Payload as hex digits");
  encode
      ->add_option("--version", encode_args->version,
                   "ESP-NOW version: 1 (up to 250 bytes) or 2 (up to 1470)")
      ->capture_default_str();
  encode->add_option("--seq", encode_args->seq, "802.11 sequence number, 0-4095")
      ->capture_default_str();
  encode->add_option("--random", encode_args->random, "The 4 random bytes, as 8 hex digits")
      ->capture_default_str();
  encode->add_flag("--retry", encode_args->retry, "Set the retry bit");
  encode->add_flag("--fcs,!--no-fcs", encode_args->fcs, "Append the FCS (default) or not");
  encode->add_option("--pcap", encode_args->pcap, "Write a pcap file instead of hex");
  encode->add_flag(
      "--radiotap", encode_args->radiotap,
      "In the pcap, put a radiotap header before the frame (link type 127 instead of 105)");
  encode->footer(
      "Examples:\n"
      "  airlab espnow encode --src 24:0a:c4:01:02:03 --payload hello\n"
      "  airlab espnow encode --src 24:0a:c4:01:02:03 --dst 4c:11:ae:89:bd:d5 --version 2 \\\n"
      "      --payload-hex 00010203 --seq 7 --random 0a1b2c3d --pcap out.pcap --radiotap");
  encode->callback([encode_args, payload, payload_hex] {
    encode_args->has_payload = payload->count() > 0;
    encode_args->has_payload_hex = payload_hex->count() > 0;
    RunEncode(*encode_args);
  });

  auto decode_args = std::make_shared<DecodeArgs>();
  CLI::App* decode = espnow->add_subcommand(
      "decode",
      "Print the fields of ESP-NOW frames given as hex or in a pcap (link type 105 or 127)");
  decode->add_option("--hex", decode_args->hex,
                     "One frame as hex, or - to read one frame per line from stdin");
  decode->add_option("--pcap", decode_args->pcap,
                     "A pcap file; frames that are not ESP-NOW are counted and skipped");
  decode->add_flag("--strict", decode_args->strict,
                   "Reject frames that deviate from the format, naming each deviation");
  decode->add_flag("--table", decode_args->table, "One line per frame instead of a block");
  decode->add_flag_function(
      "--fcs,!--no-fcs", [decode_args](int64_t n) { decode_args->fcs = n > 0; },
      "The frames end in an FCS, or not (default: radiotap's flag, else whether the last 4 bytes "
      "are the frame's CRC)");
  decode->footer(
      "Examples:\n"
      "  airlab espnow decode --hex d0000000ffffffffffff240ac4010203ffffffffffff10007f18fe34"
      "01020304dd0a18fe34040168656c6c6fa855ff93\n"
      "  airlab espnow decode --pcap capture.pcap --table --strict\n"
      "  airlab espnow encode --src 24:0a:c4:01:02:03 --payload hi | airlab espnow decode --hex -");
  decode->callback([decode_args] { RunDecode(*decode_args); });
}

}  // namespace airlab::cli
