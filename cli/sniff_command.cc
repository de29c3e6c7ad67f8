// `airlab sniff`: capture from a file, the capture stream of a device, the simulated air or
// the shared air of an `airlab air` hub;
// filter; show live tables of stations, ESP-NOW links and channel use; write pcapng.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/sniff_sources.h"
#include "cli/stop_signal.h"
#include "core/sniff/filter.h"
#include "core/sniff/hopper.h"
#include "core/sniff/pipeline.h"
#include "core/sniff/tables.h"

namespace airlab::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct SniffArgs {
  std::string file;
  std::string stream;
  bool sim = false;
  std::string hub;
  std::string iface;
  std::string filter;
  std::string write;
  bool summary = false;
  bool comments = false;
  double duration_s = -1;  // unset: 10 s of simulated air; until Ctrl-C on a hub
  double speed = -1;       // unset: real time when live, as fast as possible otherwise
  uint64_t seed = 1;
  std::string hop;
  int dwell_ms = 250;
  int channel = 0;  // unset: 1 for --sim, every channel for --hub
  size_t max_stations = 256;
  size_t max_links = 256;
  double max_age_s = 0;
  size_t rows = 0;
  int refresh_ms = 1000;
  bool verify_fcs = false;
  bool keep_bad_fcs = false;
  bool progress = false;
};

std::string Mac(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

std::string Ssid(const sniff::StationStats& s) {
  std::string out;
  for (size_t i = 0; i < s.ssid_len; ++i) {
    const char c = static_cast<char>(s.ssid[i]);
    out += c >= 0x20 && c < 0x7f ? c : '.';
  }
  return out;
}

std::string Rate(const sniff::Traffic& t) {
  if (t.last_mcs != sniff::kNoMcs) return "MCS" + std::to_string(t.last_mcs);
  if (t.last_rate_500kbps == 0) return "-";
  std::string r = std::to_string(t.last_rate_500kbps / 2);
  if (t.last_rate_500kbps % 2) r += ".5";
  return r;
}

std::string Dbm(const sniff::SignalStats& s, int8_t v) { return s.count ? std::to_string(v) : "-"; }

std::string Bytes(uint64_t n) {
  if (n < 10'000) return std::to_string(n);
  char text[32];
  if (n < 10'000'000) {
    std::snprintf(text, sizeof text, "%.1fk", n / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.1fM", n / 1e6);
  }
  return text;
}

std::string Seconds(int64_t ns, int64_t origin) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", (ns - origin) / 1e9);
  return text;
}

// Aligned columns: text left, numbers right.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  void Print(std::ostream& out, size_t max_rows) const {
    std::vector<size_t> width(headers_.size());
    std::vector<bool> numeric(headers_.size(), true);
    for (size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) {
        width[c] = std::max(width[c], row[c].size());
        if (!row[c].empty() && row[c] != "-" &&
            row[c].find_first_not_of("0123456789.-kM%") != std::string::npos) {
          numeric[c] = false;
        }
      }
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text = " ";
      for (size_t c = 0; c < cells.size(); ++c) {
        const size_t pad = width[c] - cells[c].size();
        if (numeric[c]) text += std::string(pad, ' ') + cells[c];
        else text += cells[c] + std::string(pad, ' ');
        if (c + 1 < cells.size()) text += "  ";
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out << text << "\n";
    };
    line(headers_);
    const size_t shown = max_rows ? std::min(max_rows, rows_.size()) : rows_.size();
    for (size_t i = 0; i < shown; ++i) line(rows_[i]);
    if (shown < rows_.size())
      out << " ... " << rows_.size() - shown << " more rows (--rows 0 shows all)\n";
  }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// The earliest first sighting, which the link table's times count from.
int64_t Origin(const sniff::Tables& t) {
  int64_t origin = INT64_MAX;
  t.stations().ForEach([&](const MacAddress&, const sniff::StationStats& v) {
    origin = std::min(origin, v.first_seen_ns);
  });
  return origin == INT64_MAX ? 0 : origin;
}

void RenderHeader(const Sniffer& s, const std::string& filter, std::ostream& out) {
  const sniff::PipelineStats& st = s.stats();
  out << " airlab sniff ][ " << s.source().Describe()
      << " ][ filter: " << (filter.empty() ? "(none)" : filter) << "\n frames " << st.packets
      << "  matched " << st.matched << "  ESP-NOW " << st.espnow << "  malformed " << st.malformed
      << "  bad FCS " << st.bad_fcs;
  if (st.espnow_malformed) out << "  ESP-NOW cut short " << st.espnow_malformed;
  if (st.unsupported) out << "  other link types " << st.unsupported;
  if (st.sink_errors) out << "  write errors " << st.sink_errors;
  out << "\n";
  if (const std::string losses = s.source().Losses(); !losses.empty()) out << " " << losses << "\n";
  out << "\n";
}

// A table row with the frame count it is sorted by, most first.
using Row = std::pair<uint64_t, std::vector<std::string>>;

void AddSorted(std::vector<Row>& rows, TextTable& table) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.first > b.first; });
  for (auto& r : rows) table.Add(std::move(r.second));
}

// Access points, then the other stations.
void RenderStations(const sniff::Tables& t, std::ostream& out, size_t rows) {
  TextTable aps({"BSSID", "PWR", "MIN", "MAX", "Beacons", "Frames", "Bytes", "Retry", "Lost", "CH",
                 "Rate", "ESSID"});
  TextTable stations({"STATION", "BSSID", "PWR", "MIN", "MAX", "Frames", "Bytes", "Retry", "Lost",
                      "CH", "Rate", "ESP-NOW", "Probes", "AID"});
  std::vector<Row> ap_rows, station_rows;
  t.stations().ForEach([&](const MacAddress& mac, const sniff::StationStats& v) {
    const auto& sig = v.signal;
    if (v.is_ap) {
      ap_rows.push_back(
          {v.frames,
           {Mac(mac), Dbm(sig, sig.mean_dbm()), Dbm(sig, sig.min_dbm), Dbm(sig, sig.max_dbm),
            std::to_string(v.beacons), std::to_string(v.frames), Bytes(v.bytes),
            std::to_string(v.retries), std::to_string(v.lost),
            v.channel ? std::to_string(v.channel) : "-", Rate(v), Ssid(v)}});
    } else {
      // The association seen on the air; else, as airodump-ng, the BSS of its last frame.
      const std::string bssid = v.associated  ? Mac(v.ap)
                                : v.has_bssid ? Mac(v.bssid)
                                              : "(not associated)";
      const std::string aid = v.associated ? std::to_string(v.aid) : "-";
      station_rows.push_back(
          {v.frames,
           {Mac(mac), bssid, Dbm(sig, sig.mean_dbm()), Dbm(sig, sig.min_dbm), Dbm(sig, sig.max_dbm),
            std::to_string(v.frames), Bytes(v.bytes), std::to_string(v.retries),
            std::to_string(v.lost), v.channel ? std::to_string(v.channel) : "-", Rate(v),
            std::to_string(v.espnow_frames), Ssid(v), aid}});
    }
  });
  AddSorted(ap_rows, aps);
  AddSorted(station_rows, stations);
  aps.Print(out, rows);
  out << "\n";
  stations.Print(out, rows);
  out << "\n";
}

void RenderLinks(const sniff::Tables& t, int64_t origin, std::ostream& out, size_t rows) {
  TextTable links({"ESP-NOW SENDER", "PEER", "Frames", "Bytes", "Payload", "Retry", "Lost", "Enc",
                   "Ver", "PWR", "MIN", "MAX", "CH", "First s", "Last s"});
  std::vector<Row> link_rows;
  t.links().ForEach([&](const sniff::LinkKey& key, const sniff::LinkStats& v) {
    const auto& sig = v.signal;
    link_rows.push_back(
        {v.frames,
         {Mac(key.sender), key.peer.is_broadcast() ? "broadcast" : Mac(key.peer),
          std::to_string(v.frames), Bytes(v.bytes), Bytes(v.payload_bytes),
          std::to_string(v.retries), std::to_string(v.lost),
          v.encrypted_frames == 0          ? "no"
          : v.encrypted_frames == v.frames ? "yes"
                                           : "some",
          v.version ? std::to_string(v.version) : "-", Dbm(sig, sig.mean_dbm()),
          Dbm(sig, sig.min_dbm), Dbm(sig, sig.max_dbm), v.channel ? std::to_string(v.channel) : "-",
          Seconds(v.first_seen_ns, origin), Seconds(v.last_seen_ns, origin)}});
  });
  AddSorted(link_rows, links);
  links.Print(out, rows);
  out << "\n";
}

// The most common ESP-NOW + Wi-Fi failure, said plainly: a sender whose peer was last
// heard on another channel (a board joined to a router follows the router's channel; its
// ESP-NOW peers left behind never hear it). Nothing is printed when every link is fine.
void RenderHints(const sniff::Tables& t, std::ostream& out) {
  bool any = false;
  t.links().ForEach([&](const sniff::LinkKey& key, const sniff::LinkStats& v) {
    const sniff::StationStats* peer =
        key.peer.is_broadcast() ? nullptr : t.stations().Find(key.peer);
    if (peer == nullptr || v.channel == 0 || peer->channel == 0 || peer->channel == v.channel) {
      return;
    }
    out << " hint: " << Mac(key.sender) << " sends to " << Mac(key.peer) << " on channel "
        << int{v.channel} << ", but " << Mac(key.peer) << " was last heard on channel "
        << int{peer->channel}
        << ": peers on different channels never hear each other (a board joined to a router "
           "moves to the router's channel, and ESP-NOW with it): put both on channel "
        << int{peer->channel} << "\n";
    any = true;
  });
  if (any) out << "\n";
}

void RenderChannels(const sniff::Tables& t, std::ostream& out) {
  TextTable channels({"CH", "Frames", "Bytes", "Airtime ms", "Busy %", "Listened s"});
  const sniff::ChannelUse& use = t.channels();
  for (const sniff::ChannelStats& c : use.channels()) {
    char airtime[32], busy[32], listened[32];
    std::snprintf(airtime, sizeof airtime, "%.1f", c.airtime_ns / 1e6);
    std::snprintf(busy, sizeof busy, "%.1f", use.UtilizationPermille(c) / 10.0);
    std::snprintf(listened, sizeof listened, "%.1f",
                  (c.listen_ns ? c.listen_ns : use.span_ns()) / 1e9);
    channels.Add({c.channel ? std::to_string(c.channel) : "?", std::to_string(c.frames),
                  Bytes(c.bytes), airtime, busy, listened});
  }
  channels.Print(out, 0);
  if (use.overflow_frames())
    out << " " << use.overflow_frames() << " frames on channels past the first 32 not tabled\n";
}

// How full the tables are, and what they had to drop.
void RenderCapacity(const sniff::Tables& t, std::ostream& out) {
  out << "\n stations " << t.stations().size() << "/" << t.stations().capacity() << ", evicted "
      << t.stations().evictions() << "; ESP-NOW links " << t.links().size() << "/"
      << t.links().capacity() << ", evicted " << t.links().evictions();
  if (t.expired()) out << "; aged out " << t.expired();
  if (t.stations().evictions() || t.links().evictions()) {
    out << "\n (tables were full: the least recently seen rows were dropped; raise "
           "--max-stations/--max-links)";
  }
  out << "\n";
}

void Render(const Sniffer& s, const std::string& filter, std::ostream& out, size_t rows) {
  const sniff::Tables& t = s.tables();
  const int64_t origin = Origin(t);
  RenderHeader(s, filter, out);
  RenderStations(t, out, rows);
  RenderLinks(t, origin, out, rows);
  RenderHints(t, out);
  RenderChannels(t, out);
  RenderCapacity(t, out);
}

std::vector<uint8_t> ParseChannels(const std::string& text) {
  std::vector<uint8_t> channels;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    size_t used = 0;
    int ch = -1;
    try {
      ch = std::stoi(part, &used);
    } catch (const std::exception&) {
    }
    if (used != part.size() || ch < 1 || ch > 14) {
      throw UserError("--hop \"" + text + "\" has \"" + part +
                      "\", which is not a channel; give channels 1-14 "
                      "separated by commas, e.g. --hop 1,6,11");
    }
    channels.push_back(static_cast<uint8_t>(ch));
  }
  if (channels.empty() || channels.size() > sniff::ChannelHopper::kMaxChannels) {
    throw UserError("--hop needs 1 to 14 channels, e.g. --hop 1,6,11");
  }
  return channels;
}

void CheckArgs(const SniffArgs& args) {
  const int sources = !args.file.empty() + !args.stream.empty() + args.sim + !args.hub.empty() +
                      !args.iface.empty();
  if (sources != 1) {
    throw UserError(sources == 0 ? "say where to capture from: --file F, --stream F, --sim, --hub "
                                   "HOST:PORT or --iface IF"
                                 : "give only one of --file, --stream, --sim, --hub and --iface");
  }
  const bool tunable = args.sim || !args.hub.empty() || !args.iface.empty();
  if ((!args.hop.empty() || args.channel != 0) && !tunable) {
    throw UserError(std::string(args.hop.empty() ? "--channel" : "--hop") +
                    " needs a radio to tune (--sim, --hub or --iface); a file or stream already "
                    "has its channels");
  }
  if (args.max_stations == 0 || args.max_links == 0 || args.max_stations > 10'000'000 ||
      args.max_links > 10'000'000) {
    throw UserError("--max-stations and --max-links must be between 1 and 10000000");
  }
  if (args.dwell_ms <= 0) throw UserError("--dwell must be above 0 ms, e.g. --dwell 250");
  if (args.channel < 0 || args.channel > 14) throw UserError("--channel must be 1-14");
}

// The source the options name, opened (inputs are opened before any output is created).
std::unique_ptr<CaptureSource> MakeSource(const SniffArgs& args, bool live, bool progress) {
  if (!args.file.empty()) {
    FileSourceOptions options;
    options.path = args.file;
    if (progress) {
      options.progress = [](size_t done, size_t size) {
        if (size == 0) return;
        std::fprintf(stderr, "\r reading: %3d%% (%zu MB of %zu MB)%s",
                     static_cast<int>(done * 100 / size), done >> 20, size >> 20,
                     done >= size ? "\n" : "");
      };
    }
    return std::make_unique<FileSource>(options);
  }
  if (!args.stream.empty()) return std::make_unique<StreamSource>(args.stream);
  const std::vector<uint8_t> hop =
      args.hop.empty() ? std::vector<uint8_t>{} : ParseChannels(args.hop);
  if (!args.iface.empty()) {
    IfaceSourceOptions options;
    options.iface = args.iface;
    options.duration_s = std::max(args.duration_s, 0.0);
    options.channel = static_cast<uint8_t>(args.channel);
    options.hop = hop;
    options.dwell = std::chrono::milliseconds(args.dwell_ms);
    return std::make_unique<IfaceSource>(options);
  }
  if (!args.hub.empty()) {
    HubSourceOptions options;
    options.address = args.hub;
    options.duration_s = std::max(args.duration_s, 0.0);
    options.channel = static_cast<uint8_t>(args.channel);
    options.hop = hop;
    options.dwell = std::chrono::milliseconds(args.dwell_ms);
    return std::make_unique<HubSource>(options);
  }
  SimDemoOptions options;
  options.seed = args.seed;
  options.duration_s = args.duration_s >= 0 ? args.duration_s : 10;
  options.speed = args.speed >= 0 ? args.speed : (live ? 1 : 0);
  options.channel = static_cast<uint8_t>(args.channel != 0 ? args.channel : 1);
  options.hop = hop;
  options.dwell = std::chrono::milliseconds(args.dwell_ms);
  return std::make_unique<SimDemoSource>(options);
}

// The live display: home, redraw each line over the old one, clear what is left below.
void Redraw(const Sniffer& sniffer, const SniffArgs& args) {
  std::ostringstream frame;
  Render(sniffer, args.filter, frame, args.rows ? args.rows : 15);
  std::string text = frame.str();
  std::string screen = "\x1b[H";
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    screen += text.substr(start, end - start) + "\x1b[K\n";
  }
  screen += "\x1b[J";
  std::fputs(screen.c_str(), stdout);
  std::fflush(stdout);
}

SnifferOptions MakeOptions(const SniffArgs& args) {
  SnifferOptions options;
  options.filter = args.filter;
  options.write = args.write;
  for (const std::string* input : {&args.file, &args.stream}) {
    if (!input->empty()) options.inputs.push_back(*input);
  }
  options.comments = args.comments;
  options.max_stations = args.max_stations;
  options.max_links = args.max_links;
  options.max_age_s = args.max_age_s;
  options.verify_fcs = args.verify_fcs;
  options.keep_bad_fcs = args.keep_bad_fcs;
  return options;
}

// Captures until the source ends or Ctrl-C, redrawing the tables when live. The signal
// handlers are back to the defaults when it returns (not when it throws).
void Capture(Sniffer& sniffer, const SniffArgs& args, bool live) {
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  RunControl control;
  control.stop = &g_stop;
  control.tick_every = std::chrono::milliseconds(std::max(args.refresh_ms, 50));
  if (live) {
    std::fputs("\x1b[?25l\x1b[2J", stdout);  // hide the cursor, clear once
    control.tick = [&] { Redraw(sniffer, args); };
  }
  try {
    sniffer.Run(control);
    sniffer.Finish();
  } catch (const std::runtime_error& e) {
    if (live) std::fputs("\x1b[?25h", stdout);
    throw UserError(e.what());
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

void RunSniff(const SniffArgs& args) {
  CheckArgs(args);
  // With -w -, the capture owns standard output and the tables go to stderr.
  const bool capture_on_stdout = args.write == "-";
  FILE* text_out = capture_on_stdout ? stderr : stdout;
  const bool live = !args.summary && !capture_on_stdout && ::isatty(1);
  const bool progress = args.progress || (!live && ::isatty(2));

  const SnifferOptions options = MakeOptions(args);
  std::unique_ptr<Sniffer> sniffer;
  try {
    sniffer = std::make_unique<Sniffer>(MakeSource(args, live, progress), options);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }

  Capture(*sniffer, args, live);
  if (live) {
    std::fputs("\x1b[?25h", stdout);
  } else {
    std::ostringstream text;
    Render(*sniffer, args.filter, text, args.rows);
    std::fputs(text.str().c_str(), text_out);
  }
  if (!args.write.empty()) {
    std::fprintf(stderr, "wrote %llu frames to %s\n",
                 static_cast<unsigned long long>(sniffer->written()),
                 capture_on_stdout ? "standard output" : args.write.c_str());
  }
  std::fflush(nullptr);
}

}  // namespace

// Long on purpose: a flat list, one option a statement, read top to bottom like --help.
void AddSniffCommand(CLI::App& app) {
  auto args = std::make_shared<SniffArgs>();
  CLI::App* sniff = app.add_subcommand("sniff",
                                       "Capture 802.11 and ESP-NOW: live tables of stations, "
                                       "ESP-NOW links and channel use, filters that know "
                                       "ESP-NOW, pcapng output");
  auto* file = sniff->add_option("--file,-r", args->file,
                                 "Read a pcap or pcapng capture (radiotap or bare 802.11)");
  auto* stream = sniff->add_option(
      "--stream", args->stream,
      "Read the capture stream a device sends (framing: core/sniff/README.md) from "
      "a file, FIFO or serial device set up with stty; - for stdin");
  auto* sim = sniff->add_flag(
      "--sim", args->sim,
      "Sniff the simulated air: a demo scene of ESP-NOW nodes and two access points");
  auto* hub =
      sniff->add_option("--hub", args->hub,
                        "Sniff the shared air of an `airlab air` hub at HOST:PORT (or PORT): every "
                        "channel, what the nodes of every client and scenario send");
  auto* iface = sniff->add_option(
      "--iface", args->iface,
      "Sniff a Linux monitor interface (`airlab iface setup`; needs CAP_NET_RAW, and "
      "CAP_NET_ADMIN for --channel/--hop): every frame it hears");
  file->excludes(stream, sim, hub, iface);
  stream->excludes(sim, hub, iface);
  sim->excludes(hub, iface);
  hub->excludes(iface);
  sniff->add_option("--filter,-f", args->filter, "Keep only frames matching EXPR (see below)");
  sniff->add_option("-w,--write", args->write,
                    "Write the kept frames to FILE (radiotap): pcap if its name ends in .pcap, "
                    "else pcapng; - for "
                    "standard output (the tables then go to stderr)");
  sniff->add_flag("--comments", args->comments,
                  "In the pcapng, comment each ESP-NOW frame (sender, peer, size)");
  sniff->add_flag("--summary", args->summary,
                  "Print the final tables once instead of a live display");
  sniff
      ->add_option("--duration", args->duration_s,
                   "--sim: seconds of simulated air (default 10; 0: until Ctrl-C); --hub: wall "
                   "seconds (default "
                   "0: until Ctrl-C)")
      ->check(NonNegative());
  sniff
      ->add_option(
          "--speed", args->speed,
          "--sim: simulated over wall time (default 1 live, as fast as possible with --summary)")
      ->check(NonNegative());
  sniff->add_option("--seed", args->seed, "--sim: the scene's random seed")
      ->capture_default_str()
      ->check(NonNegative());
  sniff->add_option("--channel", args->channel,
                    "--sim: the sniffer's channel when not hopping (default 1); --hub: only this "
                    "channel (default: "
                    "every channel)");
  sniff->add_option("--hop", args->hop, "--sim, --hub: hop over these channels, e.g. 1,6,11");
  sniff->add_option("--dwell", args->dwell_ms, "Milliseconds on each channel when hopping")
      ->capture_default_str()
      ->check(NonNegative());
  sniff
      ->add_option("--max-stations", args->max_stations,
                   "Station table rows; the least recently seen are evicted")
      ->capture_default_str();
  sniff->add_option("--max-links", args->max_links, "ESP-NOW link table rows")
      ->capture_default_str();
  sniff
      ->add_option("--max-age", args->max_age_s,
                   "Drop rows not seen for this many seconds (0: keep)")
      ->capture_default_str()
      ->check(NonNegative());
  sniff->add_option("--rows", args->rows, "Rows shown per table (0: all; live display: 15)")
      ->capture_default_str();
  sniff->add_option("--refresh", args->refresh_ms, "Live display refresh in milliseconds")
      ->capture_default_str()
      ->check(NonNegative());
  sniff->add_flag("--verify-fcs", args->verify_fcs,
                  "Check the FCS of frames that carry one (CRC-32 per frame)");
  sniff->add_flag("--keep-bad-fcs", args->keep_bad_fcs,
                  "Keep frames with a bad FCS (tables count only their airtime)");
  sniff->add_flag("--progress", args->progress,
                  "Report progress while reading a file, even when not a terminal");
  sniff->footer(
      "Examples:\n"
      "  airlab sniff --sim                                   live tables of the demo scene\n"
      "  airlab sniff --sim --hop 1,6,11 --dwell 200 --duration 30 --summary\n"
      "  airlab sniff -r capture.pcapng --filter espnow --summary\n"
      "  airlab sniff -r capture.pcap -f 'espnow.sender == 24:0a:c4:5e:00:0c and not "
      "espnow.broadcast' -w out.pcapng\n"
      "  airlab sniff -r capture.pcap -f 'espnow.payload contains \"t=2\" or (beacon and rssi > "
      "-60)'\n"
      "  airlab sniff --stream /dev/ttyUSB0 --summary          (stty -F /dev/ttyUSB0 921600 raw "
      "first)\n"
      "  airlab sniff --hub 127.0.0.1:4610 -w air.pcapng      (the air of `airlab air --port "
      "4610`)\n"
      "  airlab sniff --sim --duration 5 -w - --summary | tshark -r -   (or | wireshark -k -i -)\n"
      "\n"
      "Filter: terms joined with and/or/not (also && || !) and parentheses; 'and' binds tighter.\n"
      "  kinds     mgmt ctrl data beacon probe-req probe-resp assoc-req assoc-resp reassoc-req "
      "reassoc-resp\n"
      "            disassoc auth deauth action action-noack atim rts cts ack ps-poll block-ack "
      "block-ack-req\n"
      "            cf-end data-frame null qos-data qos-null\n"
      "  flags     retry protected to-ds from-ds more-data bad-fcs\n"
      "  addresses addr1 addr2 addr3 addr4 sa da bssid ta ra addr(any)  == or != MAC (or "
      "broadcast)\n"
      "  numbers   channel rssi len seq rate(Mb/s)  with == != < <= > >=\n"
      "  ESP-NOW   espnow espnow.broadcast espnow.encrypted, espnow.sender/espnow.peer == MAC,\n"
      "            espnow.version/espnow.len <op> N, espnow.payload contains|starts-with 01:02:ff "
      "or \"text\"\n"
      "\n"
      "Sources to come: an ESP32 on a serial port (reading its capture stream directly); --stream\n"
      "reads that stream today from a file, FIFO or tty. --iface hops by cycling the interface\n"
      "(mac80211 keeps a monitor's receiver on its first channel otherwise): a few ms deaf per "
      "hop.\n"
      "--hub sees every frame on the hub's air (on every channel unless --channel or --hop tune "
      "it); the\n"
      "sniffer has no place in the room, so PWR is the strongest signal any node got of a frame. "
      "The status\n"
      "line says how many frames the hub dropped because the sniffer fell behind.\n"
      "Ctrl-C stops a capture, finishes the file and prints the tables (exit status 130). A file "
      "named by -w\n"
      "appears whole when the capture ends, and only then (until then it is FILE.airlab-*.part).\n"
      "Byte counts are Wireshark's frame.len.");
  sniff->callback([args] { RunSniff(*args); });
}

}  // namespace airlab::cli
