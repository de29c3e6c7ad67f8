// `airlab espnow encode|decode`: ESP-NOW frames to and from hex text and pcap files.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
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
    out[i] = static_cast<std::byte>(HexDigitValue(digits[2 * i]) << 4 |
                                    HexDigitValue(digits[2 * i + 1]));
  }
  return out;
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

espnow::EncodeOptions ParseEncodeOptions(const EncodeArgs& a) {
  espnow::EncodeOptions o;
  o.src = ParseMacOption(a.src, "--src");
  o.dst = ParseMacOption(a.dst, "--dst");
  o.addr3 = ParseMacOption(a.addr3, "--addr3");
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
  return o;
}

// --payload or --payload-hex, checked against what the version carries.
Bytes ParsePayload(const EncodeArgs& a, espnow::Version version) {
  if (a.has_payload == a.has_payload_hex) {
    throw UserError("give the payload with --payload TEXT or --payload-hex HEX (one of them)");
  }
  const Bytes payload =
      a.has_payload ? Bytes(reinterpret_cast<const std::byte*>(a.payload.data()),
                            reinterpret_cast<const std::byte*>(a.payload.data()) + a.payload.size())
                    : ParseHex(a.payload_hex, "--payload-hex");
  const size_t max = espnow::MaxPayload(version);
  if (payload.size() > max) {
    throw UserError(
        "the payload has " + std::to_string(payload.size()) + " bytes, more than ESP-NOW v" +
        std::to_string(a.version) + " carries (" + std::to_string(max) + ")" +
        (a.version == 1 ? "; shorten it or use --version 2 (up to 1470)" : "; shorten it"));
  }
  return payload;
}

// One record, the frame with a radiotap header when --radiotap, timestamped now.
void WriteCapture(const EncodeArgs& a, ByteSpan frame) {
  FrameBuffer<espnow::kMaxFrameSize + 64> record;
  if (a.radiotap) {
    wire::RadiotapInfo info;
    info.flags = a.fcs ? wire::RadiotapFlags::kFcsAtEnd : 0;
    info.rate_500kbps = 2;  // ESP-NOW's default rate, 1 Mb/s
    wire::WriteRadiotap(record, info);
  }
  record.Append(frame);
  if (!record.ok()) throw std::logic_error("the radiotap record did not fit");

  // The format follows the name (.pcap: pcap, else pcapng); - is standard output.
  linux_port::CaptureWriterOptions options;
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

void RunEncode(const EncodeArgs& a) {
  const espnow::EncodeOptions o = ParseEncodeOptions(a);
  const Bytes payload = ParsePayload(a, o.version);
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
  WriteCapture(a, frame.bytes());
}

// ---------------------------------------------------------------------------------------
// decode

enum class Output { kBlock, kTable, kJson };

struct DecodeArgs {
  std::string hex;
  std::string pcap;
  bool strict = false;
  bool table = false;
  bool json = false;
  std::optional<bool> fcs;  // unset: tell from the frame (radiotap flag, or a matching CRC)
};

// One frame to decode, pointing into bytes the caller keeps.
struct Input {
  size_t number = 0;
  std::optional<int64_t> ts_ns;
  ByteSpan mpdu;
  std::optional<bool> fcs;
  // The capture kept only the first bytes of the frame (caplen below origlen): `mpdu` is
  // what is left of `original_size` bytes (those of the record, radiotap included).
  bool truncated = false;
  size_t captured_size = 0;
  size_t original_size = 0;
};

struct Tally {
  size_t frames = 0, espnow = 0, skipped = 0, rejected = 0, strict_rejected = 0, truncated = 0;
};

bool Printable(ByteSpan payload) {
  return std::all_of(payload.begin(), payload.end(), [](std::byte b) {
    return static_cast<uint8_t>(b) >= 0x20 && static_cast<uint8_t>(b) < 0x7f;
  });
}

std::string Quoted(ByteSpan payload) {
  return "\"" + std::string(reinterpret_cast<const char*>(payload.data()), payload.size()) + "\"";
}

// One line: text in quotes or hex, cut with "..." past `max_chars` (the table's column).
std::string Preview(ByteSpan payload, size_t max_chars) {
  std::string out = payload.empty()      ? "(empty)"
                    : Printable(payload) ? Quoted(payload)
                                         : ToHex(payload);
  if (out.size() > max_chars) out = out.substr(0, max_chars - 3) + "...";
  return out;
}

// The whole payload over as many lines as it takes, each continued under the first: text
// in quotes 64 characters a line, else hex 32 bytes a line.
std::string Wrapped(ByteSpan payload, const std::string& indent) {
  if (payload.empty()) return "(empty)";
  const std::string whole = Printable(payload) ? Quoted(payload) : ToHex(payload);
  constexpr size_t kWidth = 64;
  std::string out;
  for (size_t at = 0; at < whole.size(); at += kWidth) {
    if (at != 0) out += "\n" + indent;
    out += whole.substr(at, kWidth);
  }
  return out;
}

std::vector<std::string> DeviationNames(espnow::Deviations d) {
  std::vector<std::string> names;
  for (espnow::Deviation x : espnow::kAllDeviations) {
    if (d.has(x)) names.emplace_back(espnow::DeviationName(x));
  }
  return names;
}

std::string DeviationList(espnow::Deviations d) {
  std::string out;
  for (const std::string& name : DeviationNames(d)) out += (out.empty() ? "" : ",") + name;
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

// A frame cut inside its first element fails to parse (the element runs past the end); a
// copy whose element length says what is left parses, giving the fields and the payload
// as far as it was captured. Empty when even the element's header is cut.
Bytes WithCutElementClosed(ByteSpan mpdu) {
  constexpr size_t kLengthAt = wire::kMgmtHeaderSize + espnow::kActionHeaderSize + 1;
  constexpr size_t kElementAt = kLengthAt - 1;
  if (mpdu.size() < kElementAt + espnow::kElementHeaderSize) return {};
  Bytes copy(mpdu.begin(), mpdu.end());
  const size_t left = mpdu.size() - kElementAt - 2;
  copy[kLengthAt] = static_cast<std::byte>(std::min<size_t>(load_u8(mpdu, kLengthAt), left));
  return copy;
}

// What the FCS field says: a frame cut before its end lost its FCS, which is then unknown.
std::string FcsState(const Input& in, bool fcs, espnow::Deviations d) {
  if (in.truncated) return "unknown";
  if (!fcs) return "absent";
  return d.has(espnow::Deviation::kBadFcs) ? "bad" : "good";
}

std::string TruncatedNote(const Input& in) {
  return "yes: " + std::to_string(in.captured_size) + " of " + std::to_string(in.original_size) +
         " bytes captured, decoded as far as they go";
}

class Printer {
 public:
  Printer(Output output, bool strict, bool skip_others)
      : output_(output), strict_(strict), skip_others_(skip_others) {
    if (output_ == Output::kTable) {
      std::printf("%-5s %-12s %-17s  %-17s  %4s  %3s  %4s  %-34s  %s\n", "#", "time", "src", "dst",
                  "seq", "ver", "len", "payload", "deviations");
    }
  }

  void Decode(const Input& in, std::optional<int64_t> first_ns) {
    ++tally_.frames;
    // A cut frame lost its FCS (if it had one) with its end.
    const bool fcs = !in.truncated && (in.fcs ? *in.fcs : GuessFcs(in.mpdu));
    // Parsed leniently even under --strict, to show the fields of a rejected frame: strict
    // is lenient plus "no deviations" (FrameView::Parse), which is checked below.
    const espnow::DecodeOptions options{fcs ? espnow::Fcs::kPresent : espnow::Fcs::kAbsent,
                                        espnow::Strictness::kLenient};
    espnow::Deviations deviations;
    auto view = espnow::FrameView::Parse(in.mpdu, options, &deviations);
    Bytes closed;
    if (in.truncated && view.status() == Status::OutOfRange()) {
      closed = WithCutElementClosed(in.mpdu);
      if (!closed.empty()) view = espnow::FrameView::Parse(closed, options, &deviations);
    }
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
    espnow::Deviations d = view->deviations();
    if (in.truncated) {
      ++tally_.truncated;
      // What the cut did, not what the sender did.
      d = espnow::Deviations(d.bits() & ~static_cast<uint16_t>(espnow::Deviation::kBadLength) &
                             ~static_cast<uint16_t>(espnow::Deviation::kBrokenChain));
    }
    const bool rejected = strict_ && !d.empty();
    if (rejected) ++tally_.strict_rejected;
    Print(in, first_ns, *view, d, fcs, rejected);
  }

  void SkipOther() {
    ++tally_.frames;
    ++tally_.skipped;
  }
  const Tally& tally() const { return tally_; }
  // JSON: the array of every frame's object (valid JSON, as `tshark -T json` prints).
  void Finish() const {
    if (output_ == Output::kJson) std::printf("%s\n", json_.dump(2).c_str());
  }

 private:
  static const char* Reason(Status s) {
    if (s == Status::NotFound()) return "not an ESP-NOW frame";
    if (s == Status::OutOfRange()) return "truncated";
    return s.str();
  }

  nlohmann::ordered_json Common(const Input& in, std::optional<int64_t> first_ns) const {
    nlohmann::ordered_json frame;
    frame["number"] = in.number;
    if (in.ts_ns) {
      frame["time_relative"] = (*in.ts_ns - first_ns.value_or(*in.ts_ns)) / 1e9;
      frame["timestamp_ns"] = *in.ts_ns;
    }
    frame["mpdu_length"] = in.mpdu.size();
    frame["truncated"] = in.truncated;
    if (in.truncated) {
      frame["captured_length"] = in.captured_size;
      frame["original_length"] = in.original_size;
    }
    return frame;
  }

  void PrintFailure(const Input& in, std::optional<int64_t> first_ns, Status status,
                    espnow::Deviations deviations) {
    const std::string devs = deviations.empty() ? "-" : DeviationList(deviations);
    switch (output_) {
      case Output::kTable:
        std::printf("%-5zu %-12s %-17s  %-17s  %4s  %3s  %4zu  %-34s  %s\n", in.number,
                    Time(in, first_ns).c_str(), "-", "-", "-", "-", in.mpdu.size(),
                    (std::string("(") + Reason(status) + ")").c_str(), devs.c_str());
        return;
      case Output::kJson: {
        nlohmann::ordered_json frame = Common(in, first_ns);
        frame["decoded"] = false;
        frame["error"] = Reason(status);
        frame["status"] = status.str();
        frame["deviations"] = DeviationNames(deviations);
        json_.push_back(std::move(frame));
        return;
      }
      case Output::kBlock:
        std::printf("frame %zu%s%s: %s (%s), %zu bytes\n", in.number, in.ts_ns ? " at " : "",
                    in.ts_ns ? Time(in, first_ns).c_str() : "", Reason(status), status.str(),
                    in.mpdu.size());
        if (in.truncated) std::printf("  %-11s %s\n", "truncated", TruncatedNote(in).c_str());
        std::printf("  deviations  %s\n\n", devs.c_str());
        return;
    }
  }

  void Print(const Input& in, std::optional<int64_t> first_ns, const espnow::FrameView& v,
             espnow::Deviations d, bool fcs, bool rejected) {
    Bytes payload(v.encrypted() ? 0 : v.payload_size());
    v.CopyPayload(payload).IgnoreError();  // sized to fit
    switch (output_) {
      case Output::kTable: {
        std::string devs = d.empty() ? "-" : DeviationList(d);
        if (in.truncated) devs = devs == "-" ? "truncated" : "truncated," + devs;
        if (rejected) devs += " (rejected by --strict)";
        std::printf("%-5zu %-12s %-17s  %-17s  %4u  %3u  %4zu  %-34s  %s\n", in.number,
                    Time(in, first_ns).c_str(), FormatMac(v.src()).c_str(),
                    FormatMac(v.dst()).c_str(), v.sequence(), v.version(), v.payload_size(),
                    (v.encrypted() ? "(encrypted)" : Preview(payload, 34)).c_str(), devs.c_str());
        return;
      }
      case Output::kJson: json_.push_back(Json(in, first_ns, v, d, fcs, rejected, payload)); return;
      case Output::kBlock: PrintBlock(in, first_ns, v, d, fcs, rejected, payload); return;
    }
  }

  void PrintBlock(const Input& in, std::optional<int64_t> first_ns, const espnow::FrameView& v,
                  espnow::Deviations d, bool fcs, bool rejected, ByteSpan payload) const {
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
      field("length", std::to_string(v.payload_size()) + (in.truncated ? " (as captured)" : ""));
    }
    if (in.truncated) field("truncated", TruncatedNote(in));
    field("fcs", FcsState(in, fcs, d));
    field("payload", v.encrypted() ? "(encrypted)" : Wrapped(payload, std::string(14, ' ')));
    std::string devs = d.empty() ? "-" : DeviationList(d);
    if (rejected) devs += " (rejected by --strict)";
    field("deviations", devs);
    std::printf("\n");
  }

  nlohmann::ordered_json Json(const Input& in, std::optional<int64_t> first_ns,
                              const espnow::FrameView& v, espnow::Deviations d, bool fcs,
                              bool rejected, ByteSpan payload) const {
    nlohmann::ordered_json frame = Common(in, first_ns);
    frame["decoded"] = true;
    frame["src"] = FormatMac(v.src());
    frame["dst"] = FormatMac(v.dst());
    frame["broadcast"] = v.dst().is_broadcast();
    frame["addr3"] = FormatMac(v.addr3());
    frame["seq"] = v.sequence();
    frame["retry"] = v.retry();
    frame["duration"] = v.duration();
    frame["encrypted"] = v.encrypted();
    if (!v.encrypted()) {
      char random[9];
      std::snprintf(random, sizeof random, "%08x", v.random());
      frame["random"] = random;
      frame["version"] = v.version();
      frame["elements"] = v.element_count();
      frame["payload_length"] = v.payload_size();
      frame["payload_hex"] = ToHex(payload);
      if (Printable(payload)) {
        frame["payload_text"] =
            std::string(reinterpret_cast<const char*>(payload.data()), payload.size());
      }
    }
    frame["fcs"] = FcsState(in, fcs, d);
    frame["deviations"] = DeviationNames(d);
    frame["rejected_by_strict"] = rejected;
    return frame;
  }

  Output output_;
  bool strict_, skip_others_;
  Tally tally_;
  nlohmann::ordered_json json_ = nlohmann::ordered_json::array();
};

// The counts, after the frames; with --json on stderr, so stdout stays one JSON document.
void PrintSummary(const Tally& t, bool from_pcap, Output output) {
  FILE* out = output == Output::kJson ? stderr : stdout;
  std::fprintf(out, "%zu frame%s: %zu ESP-NOW", t.frames, t.frames == 1 ? "" : "s", t.espnow);
  if (from_pcap) std::fprintf(out, ", %zu other%s skipped", t.skipped, t.skipped == 1 ? "" : "s");
  if (t.truncated) std::fprintf(out, ", %zu truncated (decoded as far as captured)", t.truncated);
  if (t.rejected) std::fprintf(out, ", %zu not decoded", t.rejected);
  if (t.strict_rejected) std::fprintf(out, ", %zu rejected by --strict", t.strict_rejected);
  std::fprintf(out, "\n");
  std::fflush(stdout);
}

Output OutputOf(const DecodeArgs& a) {
  if (a.table && a.json) throw UserError("give --table or --json, not both");
  return a.json ? Output::kJson : a.table ? Output::kTable : Output::kBlock;
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
  const Output output = OutputOf(a);
  Printer printer(output, a.strict, false);
  size_t number = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.find_first_not_of(" \t\r") == std::string::npos ||
        line[line.find_first_not_of(" \t")] == '#') {
      continue;  // blank lines and comments in a file of frames
    }
    const std::string what = a.hex == "-" ? "line " + std::to_string(i + 1) + " of stdin" : "--hex";
    const Bytes frame = ParseHex(line, what);
    Input in;
    in.number = ++number;
    in.mpdu = frame;
    in.fcs = a.fcs;
    printer.Decode(in, std::nullopt);
  }
  if (number == 0) throw UserError("no frames on stdin; give one hex frame per line");
  printer.Finish();
  PrintSummary(printer.tally(), false, output);
  CheckTally(printer.tally());
}

// One 802.11 frame out of a capture record, with what the link type says about its FCS.
std::optional<Input> FrameOf(const linux_port::CapturedPacket& packet, size_t number,
                             std::optional<bool> fcs) {
  Input in;
  in.number = number;
  in.ts_ns = packet.ts_ns;
  in.mpdu = packet.data;
  in.fcs = fcs;
  in.truncated = packet.origlen > packet.data.size();
  in.captured_size = packet.data.size();
  in.original_size = packet.origlen;
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
  const Output output = OutputOf(a);
  linux_port::CaptureFileReader reader(a.pcap);
  Printer printer(output, a.strict, true);
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
    printer.Finish();
    PrintSummary(printer.tally(), true, output);
    throw UserError(e.what());
  }
  if (other_link && printer.tally().skipped == number) {
    throw UserError(a.pcap + " has link type " + std::to_string(*other_link) +
                    ", not 802.11; ESP-NOW decoding needs link type 105, or 127 with radiotap");
  }
  printer.Finish();
  PrintSummary(printer.tally(), true, output);
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

// Long on purpose: a flat list, one option a statement, read top to bottom like --help.
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
  encode->add_option(
      "--pcap", encode_args->pcap,
      "Write a capture file instead of hex: pcap if the name ends in .pcap, else pcapng; - for "
      "standard output");
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
  decode->add_flag("--table", decode_args->table,
                   "One line per frame instead of a block (long payloads cut with ...)");
  decode->add_flag(
      "--json", decode_args->json,
      "A JSON array with one object per frame and every field (as tshark -T json), for "
      "scripts; the counts go to stderr");
  decode->add_flag_function(
      "--fcs,!--no-fcs", [decode_args](int64_t n) { decode_args->fcs = n > 0; },
      "The frames end in an FCS, or not (default: radiotap's flag, else whether the last 4 bytes "
      "are the frame's CRC)");
  decode->footer(
      "Examples:\n"
      "  airlab espnow decode --hex d0000000ffffffffffff240ac4010203ffffffffffff10007f18fe34"
      "01020304dd0a18fe34040168656c6c6fa855ff93\n"
      "  airlab espnow decode --pcap capture.pcap --table --strict\n"
      "  airlab espnow decode --pcap capture.pcap --json | python3 -m json.tool\n"
      "  airlab espnow encode --src 24:0a:c4:01:02:03 --payload hi | airlab espnow decode --hex -");
  decode->callback([decode_args] { RunDecode(*decode_args); });

  AddEspnowRadioCommands(*espnow);
}

}  // namespace airlab::cli
