// airlab-extcap: a Wireshark extcap program (Wireshark's developer guide, "extcap") that
// captures from airlab's sources: the simulated air's demo scene, the replay of a capture
// file, and the shared air of an `airlab air` hub. Wireshark runs it with --extcap-interfaces, --extcap-dlts, --extcap-config, then
// --capture --fifo PATH; it writes pcapng (radiotap + 802.11) into the FIFO until Wireshark
// stops it (SIGTERM) or the source ends. The capture filter is an airlab sniff filter
// (`espnow and not espnow.broadcast`). Arguments it does not know are accepted and ignored,
// as newer Wireshark versions pass more of them.

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/sniff_sources.h"
#include "core/sniff/filter.h"
#include "core/sniff/pcapng_sink.h"
#include "core/sniff/pipeline.h"

namespace {

using airlab::cli::CaptureSource;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

constexpr const char* kSim = "airlab-sim";
constexpr const char* kFile = "airlab-file";
constexpr const char* kHub = "airlab-hub";

struct Args {
  bool interfaces = false, dlts = false, config = false, capture = false;
  std::string interface, fifo, capture_filter, file;
  std::string hub = "127.0.0.1:4610";
  uint64_t seed = 1;
  int channel = -1;  // unset: the simulated scene's channel 1, or every channel of a hub
  std::string hop;
  int dwell_ms = 250;
  double duration_s = 0;
  double speed = 1;
};

// "--name=value" or "--name value"; flags take no value. Unknown options are skipped.
Args Parse(int argc, char** argv) {
  Args a;
  const std::vector<std::string> flags = {"--extcap-interfaces", "--extcap-dlts", "--extcap-config",
                                          "--capture"};
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const bool flag = std::find(flags.begin(), flags.end(), name) != flags.end();
    if (!flag && !has_value && i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
      value = argv[++i];
    }
    if (name == "--extcap-interfaces") a.interfaces = true;
    else if (name == "--extcap-dlts") a.dlts = true;
    else if (name == "--extcap-config") a.config = true;
    else if (name == "--capture") a.capture = true;
    else if (name == "--extcap-interface") a.interface = value;
    else if (name == "--fifo") a.fifo = value;
    else if (name == "--extcap-capture-filter") a.capture_filter = value;
    else if (name == "--file") a.file = value;
    else if (name == "--hub") a.hub = value;
    else if (name == "--seed") a.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (name == "--channel") a.channel = std::atoi(value.c_str());
    else if (name == "--hop") a.hop = value;
    else if (name == "--dwell") a.dwell_ms = std::atoi(value.c_str());
    else if (name == "--duration") a.duration_s = std::atof(value.c_str());
    else if (name == "--speed") a.speed = std::atof(value.c_str());
    // Anything else (--extcap-version, --extcap-control-in/out, --debug, ...) is ignored.
  }
  return a;
}

void PrintInterfaces() {
  std::printf(
      "extcap {version=0.1.0}{display=airlab sniffer sources}\n"
      "interface {value=%s}{display=airlab: simulated air (ESP-NOW demo scene)}\n"
      "interface {value=%s}{display=airlab: replay a capture file}\n"
      "interface {value=%s}{display=airlab: the shared air of an airlab air hub}\n",
      kSim, kFile, kHub);
}

void PrintDlts() {
  std::printf("dlt {number=127}{name=IEEE802_11_RADIO}{display=802.11 plus radiotap header}\n");
}

void PrintConfig(const std::string& interface) {
  if (interface == kFile) {
    std::printf(
        "arg {number=0}{call=--file}{display=Capture "
        "file}{type=fileselect}{mustexist=true}{required=true}"
        "{tooltip=A pcap or pcapng file with 802.11 frames (radiotap or bare)}\n"
        "arg {number=1}{call=--speed}{display=Replay speed}{type=double}{default=1}"
        "{tooltip=1 keeps the file's pace, 2 is twice as fast, 0 as fast as possible}\n");
    return;
  }
  if (interface == kHub) {
    std::printf(
        "arg {number=0}{call=--hub}{display=Hub address}{type=string}{default=127.0.0.1:4610}"
        "{tooltip=HOST:PORT of a running `airlab air`}\n"
        "arg {number=1}{call=--channel}{display=Channel}{type=integer}{range=0,14}{default=0}"
        "{tooltip=Only this channel; 0: every channel of the air}\n"
        "arg {number=2}{call=--duration}{display=Duration (s)}{type=integer}{default=0}"
        "{tooltip=Wall seconds; 0 runs until the capture is stopped}\n");
    return;
  }
  std::printf(
      "arg {number=0}{call=--seed}{display=Seed}{type=unsigned}{default=1}{tooltip=The scene's "
      "random seed}\n"
      "arg {number=1}{call=--channel}{display=Channel}{type=integer}{range=1,14}{default=1}"
      "{tooltip=The sniffer's channel when not hopping}\n"
      "arg {number=2}{call=--hop}{display=Hop over channels}{type=string}"
      "{tooltip=Channels separated by commas, e.g. 1,6,11; empty: stay on the channel}\n"
      "arg {number=3}{call=--dwell}{display=Dwell "
      "(ms)}{type=integer}{range=10,10000}{default=250}\n"
      "arg {number=4}{call=--duration}{display=Duration (s)}{type=integer}{default=0}"
      "{tooltip=Seconds of simulated air; 0 runs until the capture is stopped}\n"
      "arg {number=5}{call=--speed}{display=Speed}{type=double}{default=1}"
      "{tooltip=Simulated time over wall time}\n");
}

std::vector<uint8_t> Channels(const std::string& text) {
  std::vector<uint8_t> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    const int ch = std::atoi(part.c_str());
    if (ch < 1 || ch > 14) throw std::runtime_error("hop channel \"" + part + "\" is not 1-14");
    out.push_back(static_cast<uint8_t>(ch));
  }
  return out;
}

int Capture(const Args& a) {
  if (a.fifo.empty()) throw std::runtime_error("--capture needs --fifo PATH");
  airlab::sniff::Filter filter;
  airlab::sniff::ParseError error;
  if (!filter.Compile(a.capture_filter, &error).ok()) {
    throw std::runtime_error("capture filter: at column " + std::to_string(error.position + 1) +
                             " expected " + error.expected);
  }
  std::unique_ptr<CaptureSource> source;
  if (a.interface == kFile) {
    if (a.file.empty())
      throw std::runtime_error("choose a capture file in the interface options (--file)");
    source = std::make_unique<airlab::cli::FileSource>(
        airlab::cli::FileSourceOptions{a.file, a.speed, {}});
  } else if (a.interface == kSim) {
    airlab::cli::SimDemoOptions options;
    options.seed = a.seed;
    options.channel = static_cast<uint8_t>(a.channel < 0 ? 1 : a.channel);
    if (!a.hop.empty()) options.hop = Channels(a.hop);
    options.dwell = std::chrono::milliseconds(a.dwell_ms);
    options.duration_s = a.duration_s;
    options.speed = a.speed;
    source = std::make_unique<airlab::cli::SimDemoSource>(options);
  } else if (a.interface == kHub) {
    airlab::cli::HubSourceOptions options;
    options.address = a.hub;
    options.channel = static_cast<uint8_t>(a.channel < 0 ? 0 : a.channel);
    options.duration_s = a.duration_s;
    source = std::make_unique<airlab::cli::HubSource>(options);
  } else {
    throw std::runtime_error("unknown interface \"" + a.interface + "\"; use " + kSim + ", " +
                             kFile + " or " + kHub);
  }

  airlab::cli::FdByteSink fifo(a.fifo);
  std::vector<std::byte> scratch(airlab::sniff::kPcapngSinkScratchSize);
  airlab::sniff::PcapngSinkOptions sink_options;
  sink_options.espnow_comments = true;
  sink_options.interface_name = a.interface;
  sink_options.user_appl = "airlab-extcap";
  airlab::sniff::PcapngSink sink(fifo, scratch, sink_options);
  if (!sink.Start().ok()) throw std::runtime_error("cannot write to the fifo " + a.fifo);
  airlab::sniff::PipelineConfig config;
  config.radio_time_offset_ns = airlab::cli::WallClockNs();
  airlab::sniff::Pipeline pipeline(filter, nullptr, &sink, config);

  airlab::cli::RunControl control;
  control.stop = &g_stop;
  control.tick_every = std::chrono::milliseconds(200);
  // Wireshark closing the FIFO ends the capture.
  control.tick = [&] {
    if (pipeline.stats().sink_errors > 0) g_stop = true;
  };
  source->Run(pipeline, control);
  try {
    fifo.Close();
  } catch (const std::runtime_error&) {
    // The reader left first: nothing more to tell it.
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  const Args a = Parse(argc, argv);
  try {
    if (a.interfaces) {
      PrintInterfaces();
      return 0;
    }
    if (a.interface.empty()) {
      std::fprintf(stderr, "airlab-extcap: Wireshark runs this program; try --extcap-interfaces\n");
      return 2;
    }
    if (a.dlts) {
      PrintDlts();
      return 0;
    }
    if (a.config) {
      PrintConfig(a.interface);
      return 0;
    }
    if (a.capture) return Capture(a);
    // Wireshark validates a capture filter by calling with it and without --capture.
    airlab::sniff::Filter filter;
    airlab::sniff::ParseError error;
    if (!filter.Compile(a.capture_filter, &error).ok()) {
      std::printf("at column %zu expected %s\n", error.position + 1, error.expected);
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "airlab-extcap: error: %s\n", e.what());
    return 1;
  }
}
