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
//   it, so this is bounded by the injection rate);
// - the same two through airlab's own capture path, linux_port::MonitorRadio on an
//   EventLoop (its BPF filter, radiotap parsing, echo matching, Radio::Deliver), each frame
//   parsed by espnow::FrameView in the listener; and MonitorRadio::Transmit's rate when each
//   frame's TX status must come back (at most kMaxInFlight outstanding).
// The raw path is libpcap with the ESP-NOW BPF filter, the radiotap header skipped, the frame
// parsed by espnow::FrameView.

#include <pcap/pcap.h>

#include <algorithm>
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
#include "platform/linux/event_loop.h"
#include "platform/linux/monitor_radio.h"

namespace {

using namespace airlab;
using Clock = std::chrono::steady_clock;

constexpr char kEspNowFilter[] = "type mgt subtype 0xd0 and wlan[24:4] = 0x7f18fe34";
constexpr size_t kPayloadSize = 32;  // a typical sensor reading
constexpr int kFloorFramesPerSecond = 20000;
constexpr long kRadioBurst = 1500;
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

// airlab's capture path: every ESP-NOW frame MonitorRadio delivers, parsed.
class DecodingListener final : public port::RadioListener {
 public:
  explicit DecodingListener(Decoded& d) : d_(d) {}
  void OnReceive(ByteSpan mpdu, const port::RxInfo&) override {
    auto frame = espnow::FrameView::Parse(mpdu);
    if (frame.ok() && frame->src() == kSender) {
      ++d_.frames;
      d_.payload_bytes += frame->payload_size();
    } else {
      ++d_.others;
    }
  }
  void OnTxDone(const port::TxReport&) override { ++reports; }
  long reports = 0;

 private:
  Decoded& d_;
};

// `before`: the counters when the phase began (they count from the radio's start).
void PrintRadioStats(const linux_port::MonitorRadio& radio,
                     const linux_port::MonitorRadioCounters& before, const char* what,
                     long injected, const Decoded& d, double seconds) {
  linux_port::MonitorRadioCounters c = radio.counters();
  c.captured -= before.captured;
  c.kernel_dropped -= before.kernel_dropped;
  c.interface_dropped -= before.interface_dropped;
  const bool lossless = c.kernel_dropped == 0 && c.interface_dropped == 0 && d.frames == injected;
  std::printf(
      "%-17s %8ld frames decoded of %ld in %.3f s = %8.0f frames/s; MonitorRadio: captured "
      "%llu, kernel dropped %llu, interface dropped %llu%s\n",
      what, d.frames, injected, seconds, d.frames / seconds,
      static_cast<unsigned long long>(c.captured),
      static_cast<unsigned long long>(c.kernel_dropped),
      static_cast<unsigned long long>(c.interface_dropped), lossless ? "" : "  (LOSS)");
}

// Runs the loop until `want` frames were decoded or none came for `quiet`. A backlog is
// drained with Poll() back to back (a RunFor slice would round the time up to its end); live,
// the loop waits in poll() and leaves the CPU to the sender.
enum class Waiting { kSpin, kPoll };
double RunUntilDecoded(linux_port::EventLoop& loop, const Decoded& d, long want,
                       std::chrono::milliseconds quiet, Waiting waiting) {
  const auto start = Clock::now();
  auto last = start;
  long seen = 0;
  while (d.frames < want && Clock::now() - last < quiet && !loop.failed()) {
    if (waiting == Waiting::kSpin) {
      loop.Poll();
    } else {
      loop.RunFor(port::kMillisecond).IgnoreError();  // kDeadlineExceeded: the slice ended
    }
    if (d.frames != seen) {
      seen = d.frames;
      last = Clock::now();
    }
  }
  if (loop.failed()) Fail(loop.error());
  return std::chrono::duration<double>(last - start).count();
}

// Backlog and live capture through MonitorRadio, then its Transmit rate with TX status.
// Returns the backlog rate when every frame came without a drop, else 0.
double RunMonitorRadio(const Options& o, pcap_t* tx) {
  linux_port::EventLoop loop;
  Decoded backlog;
  DecodingListener listener(backlog);
  double rate = 0;
  {
    linux_port::MonitorRadio radio(loop, o.rx);
    if (!radio.SetPromiscuous(true).ok()) Fail("MonitorRadio refused promiscuous mode");
    radio.SetListener(&listener);
    // Its capture buffer is libpcap's default (2 MB: about 2,000 of these frames), so the
    // backlog is a burst that fits; a longer stall of the loop's thread drops the rest.
    const long burst = std::min(o.frames, kRadioBurst);
    linux_port::MonitorRadioCounters before = radio.counters();
    Inject(tx, burst);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double s =
        RunUntilDecoded(loop, backlog, burst, std::chrono::milliseconds(2000), Waiting::kSpin);
    PrintRadioStats(radio, before, "radio, backlog", burst, backlog, s);
    if (backlog.frames == burst && radio.counters().kernel_dropped == before.kernel_dropped) {
      rate = backlog.frames / s;
    }

    Decoded live;
    DecodingListener live_listener(live);
    radio.SetListener(&live_listener);
    before = radio.counters();
    std::thread sender([&] { Inject(tx, o.frames); });
    const double live_s =
        RunUntilDecoded(loop, live, o.frames, std::chrono::milliseconds(3000), Waiting::kPoll);
    sender.join();
    PrintRadioStats(radio, before, "radio, live", o.frames, live, live_s);
    radio.SetListener(nullptr);
  }

  // Transmit: frames out of the sending radio, each one's TX status awaited by MonitorRadio.
  linux_port::MonitorRadio sender(loop, o.tx);
  Decoded unused;
  DecodingListener reports(unused);
  sender.SetListener(&reports);
  FrameBuffer<512> frame;
  espnow::EncodeOptions eo;
  eo.src = kSender;
  eo.fcs = false;
  std::byte payload[kPayloadSize] = {};
  if (!espnow::Encode(eo, payload, frame).ok()) Fail("encoding the frame failed");
  const long count = std::min(o.frames, 20000L);
  const auto start = Clock::now();
  for (long queued = 0; queued < count;) {
    const Status s = sender.Transmit(frame.bytes(), {});
    if (s.ok()) {
      ++queued;
    } else if (s == Status::ResourceExhausted()) {
      loop.RunFor(port::kMillisecond).IgnoreError();  // TX status frees a slot
    } else {
      Fail(std::string("MonitorRadio::Transmit: ") + s.str());
    }
  }
  while (reports.reports < count && Clock::now() - start < std::chrono::seconds(60)) {
    loop.RunFor(port::kMillisecond * 10).IgnoreError();
  }
  const double tx_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "%-17s %8ld frames with their TX status in %.3f s = %8.0f frames/s "
      "(MonitorRadio::Transmit on %s)\n",
      "radio, transmit", reports.reports, tx_s, reports.reports / tx_s, o.tx.c_str());
  return rate;
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

  const double radio_rate = RunMonitorRadio(o, tx);
  pcap_close(tx);

  const bool floor_met = backlog.frames == o.frames &&
                         backlog.frames / backlog_s >= kFloorFramesPerSecond &&
                         radio_rate >= kFloorFramesPerSecond;
  std::printf("floor %d frames/s without loss (backlog, libpcap and MonitorRadio): %s\n",
              kFloorFramesPerSecond, floor_met ? "met" : "NOT MET");
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
