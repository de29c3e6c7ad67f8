// ESP-NOW frames/s through libpcap + decode on a monitor interface, and the injection rate,
// measured on two mac80211_hwsim radios inside the VM (a plain program that prints its
// figures: it needs radios, so ctest never runs it). Run it as bench/README.md shows:
//   run-in-hwsim-vm --radios 2 --monitor 1 --mem 1024 --share . --
//       build/release/bench/hwsim_capture_benchmark --frames 100000
//
// Three figures, each printed with pcap's own statistics (ps_recv, ps_drop, ps_ifdrop):
// - injection: frames/s that pcap_inject() puts on the air from the sending radio;
// - capture, backlog: the receiver's capture buffer fills while nothing reads it, then is
//   read and every frame decoded as fast as possible: what libpcap + decode can take,
//   independent of how fast anything can send. Floor: 20,000 frames/s without loss (no
//   drop counted by pcap, every injected frame decoded);
// - capture, live: sending and capturing at once (on the VM's one vCPU under TCG they share
//   it, so this is bounded by the injection rate).
// The capture is what airlab's Linux radio does: an in-kernel BPF filter for ESP-NOW, the
// radiotap header skipped, the frame parsed by espnow::FrameView.

#include <pcap/pcap.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/espnow/codec.h"
#include "core/wire/radiotap.h"

namespace {

using namespace airlab;
using Clock = std::chrono::steady_clock;

constexpr char kEspNowFilter[] = "type mgt subtype 0xd0 and wlan[24:4] = 0x7f18fe34";
constexpr size_t kPayloadSize = 32;  // a typical sensor reading
constexpr int kFloorFramesPerSecond = 20000;
const MacAddress kSender({0x24, 0x0a, 0xc4, 0xbe, 0x0c, 0x01});

struct Options {
  std::string tx = "wlan0", rx = "wlan1";
  long frames = 100000;
  int buffer_mb = 256;
};

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error(what); }

pcap_t* Open(const std::string& iface, int buffer_mb, const char* filter) {
  char error[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p = pcap_create(iface.c_str(), error);
  if (p == nullptr) Fail("pcap_create " + iface + ": " + error);
  pcap_set_snaplen(p, 512);
  pcap_set_buffer_size(p, buffer_mb << 20);
  pcap_set_timeout(p, 20);
  if (pcap_activate(p) < 0) Fail("pcap_activate " + iface + ": " + pcap_geterr(p));
  if (pcap_datalink(p) != DLT_IEEE802_11_RADIO) Fail(iface + " is not a monitor interface");
  bpf_program program;
  if (pcap_compile(p, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap_setfilter(p, &program) != 0) {
    Fail(std::string("filter ") + filter + ": " + pcap_geterr(p));
  }
  pcap_freecode(&program);
  return p;
}

// One broadcast ESP-NOW frame (no ACK to wait for) behind a radiotap header asking for
// 1 Mb/s and no ACK, as airlab's Linux radio injects group frames.
void WriteFrame(uint16_t sequence, ByteBuilder& record) {
  wire::RadiotapInfo radiotap;
  radiotap.rate_500kbps = 2;
  radiotap.tx_flags = wire::RadiotapTxFlags::kNoAck;
  wire::WriteRadiotap(record, radiotap);
  espnow::EncodeOptions o;
  o.src = kSender;
  o.sequence = sequence;
  o.fcs = false;
  std::byte payload[kPayloadSize] = {};
  if (!espnow::Encode(o, payload, record).ok()) Fail("encoding the frame failed");
}

// Injects `count` frames; a full transmit queue (ENOBUFS) is waited out, not counted lost.
void Inject(pcap_t* tx, long count) {
  for (long i = 0; i < count; ++i) {
    FrameBuffer<512> frame;
    WriteFrame(static_cast<uint16_t>(i), frame);
    while (pcap_inject(tx, frame.bytes().data(), frame.bytes().size()) < 0) {
      if (errno != ENOBUFS && errno != EAGAIN) Fail(std::string("pcap_inject: ") + pcap_geterr(tx));
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

struct Decoded {
  long frames = 0, others = 0;
  size_t payload_bytes = 0;
};

void DecodeOne(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto& d = *reinterpret_cast<Decoded*>(user);
  const ByteSpan packet(reinterpret_cast<const std::byte*>(bytes), header->caplen);
  auto mpdu = wire::RadiotapPayload(packet);
  auto frame =
      mpdu.ok() ? espnow::FrameView::Parse(*mpdu) : Result<espnow::FrameView>(Status::NotFound());
  if (frame.ok() && frame->src() == kSender) {
    ++d.frames;
    d.payload_bytes += frame->payload_size();
  } else {
    ++d.others;
  }
}

// Reads and decodes until `want` frames came or nothing came for `quiet`.
double Drain(pcap_t* rx, long want, Decoded& d, std::chrono::milliseconds quiet) {
  const auto start = Clock::now();
  auto last = start;
  while (d.frames < want && Clock::now() - last < quiet) {
    const int n = pcap_dispatch(rx, -1, DecodeOne, reinterpret_cast<u_char*>(&d));
    if (n < 0) Fail(std::string("pcap_dispatch: ") + pcap_geterr(rx));
    if (n > 0) last = Clock::now();
  }
  return std::chrono::duration<double>(last - start).count();
}

void PrintStats(pcap_t* rx, const char* what, long injected, const Decoded& d, double seconds) {
  pcap_stat stats{};
  pcap_stats(rx, &stats);
  const bool lossless = stats.ps_drop == 0 && stats.ps_ifdrop == 0 && d.frames == injected;
  std::printf(
      "%-17s %8ld frames decoded of %ld in %.3f s = %8.0f frames/s; pcap: recv %u drop %u "
      "ifdrop %u%s\n",
      what, d.frames, injected, seconds, d.frames / seconds, stats.ps_recv, stats.ps_drop,
      stats.ps_ifdrop, lossless ? "" : "  (LOSS)");
}

int Run(const Options& o) {
  pcap_t* tx = Open(o.tx, 1, "less 1");  // its TX status echoes are not read: keep none
  // Backlog: everything is injected before the receiver reads a frame.
  pcap_t* rx = Open(o.rx, o.buffer_mb, kEspNowFilter);
  auto start = Clock::now();
  Inject(tx, o.frames);
  const double inject_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("%-17s %8ld frames in %.3f s = %8.0f frames/s (pcap_inject on %s)\n", "injection",
              o.frames, inject_s, o.frames / inject_s, o.tx.c_str());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last frames land
  Decoded backlog;
  const double backlog_s = Drain(rx, o.frames, backlog, std::chrono::milliseconds(2000));
  PrintStats(rx, "capture, backlog", o.frames, backlog, backlog_s);
  pcap_close(rx);

  // Live: a thread injects while this one captures.
  rx = Open(o.rx, o.buffer_mb, kEspNowFilter);
  Decoded live;
  std::thread sender([&] { Inject(tx, o.frames); });
  const double live_s = Drain(rx, o.frames, live, std::chrono::milliseconds(3000));
  sender.join();
  PrintStats(rx, "capture, live", o.frames, live, live_s);
  pcap_close(rx);
  pcap_close(tx);

  const bool floor_met =
      backlog.frames == o.frames && backlog.frames / backlog_s >= kFloorFramesPerSecond;
  std::printf("floor %d frames/s without loss (backlog): %s\n", kFloorFramesPerSecond,
              floor_met ? "met" : "NOT MET");
  return floor_met ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--tx" && value) {
      o.tx = argv[++i];
    } else if (arg == "--rx" && value) {
      o.rx = argv[++i];
    } else if (arg == "--frames" && value) {
      o.frames = std::atol(argv[++i]);
    } else if (arg == "--buffer-mb" && value) {
      o.buffer_mb = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--tx wlan0] [--rx wlan1] [--frames 100000] [--buffer-mb 256]\n"
                   "(two monitor interfaces on one channel: run it in run-in-hwsim-vm "
                   "--monitor 1, see bench/README.md)\n",
                   argv[0]);
      return 2;
    }
  }
  try {
    return Run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hwsim_capture_benchmark: %s\n", e.what());
    return 1;
  }
}
