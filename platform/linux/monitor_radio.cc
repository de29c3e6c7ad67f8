#include "platform/linux/monitor_radio.h"

#include <cerrno>
#include <cstring>

#include "core/base/bytes.h"
#include "core/wire/radiotap.h"

namespace airlab::linux_port {
namespace {

// ESP-NOW frames: Action frames whose body starts with the vendor-specific category 0x7f
// and Espressif's OUI 18:fe:34, or protected Action frames (encrypted ESP-NOW hides them).
// `wlan[]` counts from the 802.11 header, after radiotap; frame control 0xd0 is an Action
// frame (libpcap 1.10 knows no `subtype action`).
constexpr const char* kEspNowFilter =
    "wlan[0] = 0xd0 and (wlan[1] & 0x40 != 0 or "
    "(wlan[24] = 0x7f and wlan[25:2] = 0x18fe and wlan[27] = 0x34))";

constexpr int kSnapLength = 4096;             // radiotap + the largest MPDU
constexpr int kCaptureBufferBytes = 8 << 20;  // the kernel ring: a saturated channel for ~1 s
// How often the radio checks that its interface is still there and up.
constexpr port::TimeNs kLivenessCheck = 500 * port::kMillisecond;

const char* kRawFix =
    "this needs CAP_NET_RAW: run it with sudo, or give airlab the capabilities once: sudo "
    "setcap cap_net_admin,cap_net_raw+ep $(command -v airlab)";

// The duration field of a unicast frame: SIFS and the ACK at the control response rate
// (802.11-2016 10.6.6.5), long DSSS preamble or 20 MHz OFDM.
uint16_t AckDurationUs(const port::TxOptions& options) {
  const uint32_t kbps = port::RateKbps(options.rate);
  if (port::IsDsss(options.rate)) {
    const uint32_t ack_kbps = kbps >= 2000 ? 2000 : 1000;
    const uint32_t preamble = options.short_preamble && kbps >= 2000 ? 96 : 192;
    return static_cast<uint16_t>(10 + preamble + 14 * 8 * 1000 / ack_kbps);
  }
  const uint32_t ack_mbps = kbps >= 24000 ? 24 : kbps >= 12000 ? 12 : 6;
  const uint32_t bits = 16 + 14 * 8 + 6;  // SERVICE, the ACK, tail
  const uint32_t symbols = (bits + 4 * ack_mbps - 1) / (4 * ack_mbps);
  return static_cast<uint16_t>(16 + 20 + 4 * symbols);
}

// An echoed frame is ours when it equals the one sent but for what the kernel or the
// radio may change: the duration, the sequence number and the retry bit.
bool SameFrame(ByteSpan sent, ByteSpan echoed) {
  if (sent.size() != echoed.size() || sent.size() < 24) return false;
  const auto u = [](ByteSpan s, size_t i) { return static_cast<uint8_t>(s[i]); };
  if (u(sent, 0) != u(echoed, 0) || (u(sent, 1) & ~0x08) != (u(echoed, 1) & ~0x08)) return false;
  return std::memcmp(sent.data() + 4, echoed.data() + 4, 18) == 0 &&
         std::memcmp(sent.data() + 24, echoed.data() + 24, sent.size() - 24) == 0;
}

}  // namespace

class MonitorRadio::TimerCall final : public port::TimerListener {
 public:
  TimerCall(MonitorRadio& radio, void (MonitorRadio::*call)()) : radio_(radio), call_(call) {}
  void OnTimer() override { (radio_.*call_)(); }

 private:
  MonitorRadio& radio_;
  void (MonitorRadio::*call_)();
};

MonitorRadio::MonitorRadio(EventLoop& loop, const std::string& iface, Capture capture)
    : loop_(loop),
      iface_(iface),
      capture_(capture),
      status_timer_(loop.NewTimer()),
      status_listener_(std::make_unique<TimerCall>(*this, &MonitorRadio::OnStatusTimer)),
      liveness_timer_(loop.NewTimer()),
      liveness_listener_(std::make_unique<TimerCall>(*this, &MonitorRadio::OnLivenessTimer)) {
  status_timer_->SetListener(status_listener_.get());
  liveness_timer_->SetListener(liveness_listener_.get());
  Nl80211 nl;
  const InterfaceInfo info = nl.Interface(iface);
  if (info.type != InterfaceType::kMonitor) {
    throw InterfaceError(EINVAL, iface + " is a " + InterfaceTypeName(info.type) +
                                     " interface, not a monitor; `sudo airlab iface setup " +
                                     iface + " --channel 1` makes it one");
  }
  if (!info.up) {
    throw InterfaceError(ENETDOWN,
                         iface + " is down; `sudo airlab iface setup " + iface + "` brings it up");
  }
  hardware_address_ = info.mac;
  Open();
  // Record the interface's channel in the base class without changing anything.
  if (info.channel) {
    opening_ = true;
    Status status = SetChannel(*info.channel);
    opening_ = false;
    if (!status.ok()) throw InterfaceError(EINVAL, iface + " reports an unusable channel");
  }
  if (!SetEnabled(true).ok()) throw InterfaceError(EIO, last_error_);
}

MonitorRadio::~MonitorRadio() { Close(); }

void MonitorRadio::Open() {
  char error[PCAP_ERRBUF_SIZE] = "";
  pcap_ = pcap_create(iface_.c_str(), error);
  if (pcap_ == nullptr) throw InterfaceError(ENODEV, "cannot open " + iface_ + ": " + error);
  pcap_set_snaplen(pcap_, kSnapLength);
  pcap_set_immediate_mode(pcap_, 1);
  pcap_set_buffer_size(pcap_, kCaptureBufferBytes);
  const int rc = pcap_activate(pcap_);
  std::string problem;
  int code = EIO;
  if (rc == PCAP_ERROR_PERM_DENIED) {
    problem = "cannot capture on " + iface_ + ": " + kRawFix;
    code = EPERM;
  } else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
    problem = "there is no interface " + iface_ + "; `airlab iface list` shows them";
    code = ENODEV;
  } else if (rc == PCAP_ERROR_IFACE_NOT_UP) {
    problem = iface_ + " is down; `sudo airlab iface setup " + iface_ + "` brings it up";
    code = ENETDOWN;
  } else if (rc < 0) {
    problem = "cannot capture on " + iface_ + ": " + pcap_geterr(pcap_);
  } else if (pcap_datalink(pcap_) != DLT_IEEE802_11_RADIO) {
    problem = iface_ + " does not give radiotap frames (link type " +
              std::to_string(pcap_datalink(pcap_)) + "); `sudo airlab iface setup " + iface_ +
              "` makes it a monitor interface";
    code = EINVAL;
  }
  bpf_program program{};
  const char* filter = capture_ == Capture::kEspNow ? kEspNowFilter : "";
  if (problem.empty() &&
      (pcap_compile(pcap_, &program, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
       pcap_setfilter(pcap_, &program) < 0 || pcap_setnonblock(pcap_, 1, error) < 0)) {
    problem = "cannot set up the capture filter on " + iface_ + ": " + pcap_geterr(pcap_);
  }
  pcap_freecode(&program);
  if (!problem.empty()) {
    pcap_close(pcap_);
    pcap_ = nullptr;
    throw InterfaceError(code, problem);
  }
  fd_ = pcap_get_selectable_fd(pcap_);
  loop_.Watch(fd_, [this] { OnReadable(); });
  liveness_timer_->ArmAt(loop_.clock().Now() + kLivenessCheck);
}

// A non-blocking pcap handle never reports an interface that was removed or brought down
// (libpcap sees the POLLERR only in a blocking read), so the radio looks for itself.
void MonitorRadio::OnLivenessTimer() {
  if (pcap_ == nullptr) return;
  if (!Nl80211::IsUp(iface_)) {
    Lose(iface_ + " went away (removed or brought down); `airlab iface list` shows the " +
         "interfaces, `sudo airlab iface setup " + iface_ + " --channel N` brings it back");
    return;
  }
  liveness_timer_->ArmAt(loop_.clock().Now() + kLivenessCheck);
}

void MonitorRadio::Close() {
  if (pcap_ == nullptr) return;
  pcap_stat stats{};
  if (pcap_stats(pcap_, &stats) == 0) {
    dropped_before_ += stats.ps_drop;
    ifdropped_before_ += stats.ps_ifdrop;
  }
  loop_.Unwatch(fd_);
  liveness_timer_->Cancel();
  pcap_close(pcap_);
  pcap_ = nullptr;
  fd_ = -1;
}

MonitorRadioCounters MonitorRadio::counters() const {
  MonitorRadioCounters out = counters_;
  out.kernel_dropped = dropped_before_;
  out.interface_dropped = ifdropped_before_;
  pcap_stat stats{};
  if (pcap_ != nullptr && pcap_stats(pcap_, &stats) == 0) {
    out.kernel_dropped += stats.ps_drop;
    out.interface_dropped += stats.ps_ifdrop;
  }
  return out;
}

void MonitorRadio::OnReadable() {
  // A bounded number of batches, so timers and other fds get their turn on a busy channel.
  for (int batch = 0; batch < 16 && pcap_ != nullptr; ++batch) {
    const int n =
        pcap_dispatch(pcap_, -1, &MonitorRadio::OnPacket, reinterpret_cast<u_char*>(this));
    if (n == PCAP_ERROR) {
      Lose(iface_ + " stopped capturing (" + pcap_geterr(pcap_) +
           "); was the interface removed or brought down? `airlab iface list` shows it");
      return;
    }
    if (n <= 0) return;
  }
}

void MonitorRadio::OnPacket(u_char* self, const pcap_pkthdr* header, const u_char* bytes) {
  reinterpret_cast<MonitorRadio*>(self)->HandlePacket(AsBytes(bytes, header->caplen));
}

void MonitorRadio::HandlePacket(ByteSpan packet) {
  ++counters_.captured;
  auto radiotap = wire::RadiotapView::Parse(packet);
  if (!radiotap.ok()) {
    ++counters_.bad_radiotap;
    return;
  }
  const wire::RadiotapInfo& info = radiotap->info();
  const ByteSpan mpdu = info.fcs_at_end() ? radiotap->payload_without_fcs() : radiotap->payload();
  if (mpdu.size() < kMinMpduSize) {
    ++counters_.too_short;
    return;
  }
  if (info.tx_flags) {
    HandleEcho(mpdu, *info.tx_flags, info.data_retries.value_or(0));
    return;
  }
  if (!enabled()) return;
  port::RxInfo rx;
  rx.rssi_dbm = info.signal_dbm.value_or(0);
  rx.noise_dbm = info.noise_dbm.value_or(0);
  rx.channel = channel();
  if (info.channel) {
    if (auto c = wire::FrequencyMhzToChannel(info.channel->freq_mhz); c.ok()) rx.channel = *c;
  }
  if (info.rate_500kbps && port::IsValidRate(static_cast<port::Rate>(*info.rate_500kbps))) {
    rx.rate = static_cast<port::Rate>(*info.rate_500kbps);
  }
  rx.timestamp = loop_.clock().Now();
  rx.retry = (load_u8(mpdu, 1) & 0x08) != 0;
  rx.fcs_ok = !info.bad_fcs();
  ++counters_.delivered;
  Deliver(mpdu, rx);
}

void MonitorRadio::HandleEcho(ByteSpan mpdu, uint16_t tx_flags, uint8_t retries) {
  size_t match = 0;
  while (match < in_flight_.size() && !SameFrame(in_flight_[match].mpdu, mpdu)) ++match;
  if (match == in_flight_.size()) {
    ++counters_.other_echoes;
    return;
  }
  ++counters_.own_echoes;
  const port::TimeNs now = loop_.clock().Now();
  // Frames sent before this one whose status never came: the adapter lost it.
  for (size_t i = 0; i < match; ++i) {
    InFlight lost = std::move(in_flight_.front());
    in_flight_.pop_front();
    ++counters_.tx_status_timeouts;
    ReportTxDone(
        {lost.tag, lost.wants_ack ? port::TxResult::kNoAck : port::TxResult::kSent, 1, now});
  }
  InFlight done = std::move(in_flight_.front());
  in_flight_.pop_front();
  port::TxReport report;
  report.tag = done.tag;
  report.time = now;
  report.attempts = static_cast<uint8_t>(1 + retries);
  if (!done.wants_ack) {
    report.result = port::TxResult::kSent;
  } else {
    const bool failed = (tx_flags & wire::RadiotapTxFlags::kFail) != 0;
    report.result = failed ? port::TxResult::kNoAck : port::TxResult::kAcked;
  }
  ArmStatusTimer();
  ReportTxDone(report);
}

void MonitorRadio::ArmStatusTimer() {
  if (in_flight_.empty()) {
    status_timer_->Cancel();
  } else {
    status_timer_->ArmAt(in_flight_.front().sent + kTxStatusTimeout);
  }
}

void MonitorRadio::OnStatusTimer() {
  const port::TimeNs now = loop_.clock().Now();
  while (!in_flight_.empty() && now - in_flight_.front().sent >= kTxStatusTimeout) {
    InFlight lost = std::move(in_flight_.front());
    in_flight_.pop_front();
    ++counters_.tx_status_timeouts;
    ReportTxDone(
        {lost.tag, lost.wants_ack ? port::TxResult::kNoAck : port::TxResult::kSent, 1, now});
  }
  ArmStatusTimer();
}

void MonitorRadio::DropInFlight() {
  const port::TimeNs now = loop_.clock().Now();
  while (!in_flight_.empty()) {
    const uint32_t tag = in_flight_.front().tag;
    in_flight_.pop_front();
    ReportTxDone({tag, port::TxResult::kDropped, 0, now});
  }
  status_timer_->Cancel();
}

void MonitorRadio::Lose(const std::string& message) {
  lost_ = true;
  last_error_ = message;
  Close();
  DropInFlight();
  loop_.Fail(message);
}

Status MonitorRadio::DoSetEnabled(bool on) {
  if (lost_) return Status::Unavailable();
  if (!on) DropInFlight();
  return Status::Ok();
}

Status MonitorRadio::DoTransmit(ByteSpan mpdu, const port::TxOptions& options) {
  if (lost_ || pcap_ == nullptr) return Status::Unavailable();
  if (in_flight_.size() >= kMaxInFlight) return Status::ResourceExhausted();
  const MacAddress addr1 = MacAddress::FromBytes(mpdu.subspan(4, MacAddress::kSize));
  const bool wants_ack = !addr1.is_multicast() && !options.no_ack;

  wire::RadiotapInfo radiotap;
  radiotap.rate_500kbps = static_cast<uint8_t>(options.rate);
  if (options.short_preamble && port::IsDsss(options.rate) && options.rate != port::Rate::k1Mbps) {
    radiotap.flags = wire::RadiotapFlags::kShortPreamble;
  }
  radiotap.tx_flags = static_cast<uint16_t>(wire::RadiotapTxFlags::kNoSeq |
                                            (wants_ack ? 0 : wire::RadiotapTxFlags::kNoAck));
  radiotap.data_retries = wants_ack ? options.max_retries : 0;
  std::vector<std::byte> frame(mpdu.begin(), mpdu.end());
  store_le16(frame, 2, wants_ack ? AckDurationUs(options) : 0);
  FrameBuffer<64 + kMaxMpduSize> packet;
  wire::WriteRadiotap(packet, radiotap);
  packet.Append(frame);
  if (!packet.ok()) return Status::InvalidArgument();

  if (pcap_inject(pcap_, packet.bytes().data(), packet.size()) < 0) {
    if (errno == ENOBUFS || errno == EAGAIN) return Status::ResourceExhausted();
    Lose("cannot send on " + iface_ + " (" + pcap_geterr(pcap_) +
         "); was the interface removed or brought down? `airlab iface list` shows it");
    return Status::Unavailable();
  }
  in_flight_.push_back({std::move(frame), options.tag, wants_ack, loop_.clock().Now()});
  if (in_flight_.size() == 1) ArmStatusTimer();
  return Status::Ok();
}

Status MonitorRadio::DoSetChannel(uint8_t channel) {
  if (opening_) return Status::Ok();
  if (lost_) return Status::Unavailable();
  Close();
  DropInFlight();  // their status would come on the closed handle
  Status status = Status::Ok();
  try {
    Nl80211 nl;
    nl.SetChannelAndCycle(iface_, channel);
  } catch (const InterfaceError& e) {
    last_error_ = e.what();
    status = Status::Unavailable();
    try {
      Nl80211::SetUp(iface_, true);  // a failed cycle may have left it down
    } catch (const InterfaceError&) {
    }
  }
  try {
    Open();
  } catch (const InterfaceError& e) {
    Lose(e.what());
    return Status::Unavailable();
  }
  return status;
}

Status MonitorRadio::DoSetAddress(port::Interface, const MacAddress&) {
  return lost_ ? Status::Unavailable() : Status::Ok();
}

Status MonitorRadio::DoSetPromiscuous(bool) { return lost_ ? Status::Unavailable() : Status::Ok(); }

}  // namespace airlab::linux_port
