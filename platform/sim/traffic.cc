#include "platform/sim/traffic.h"

#include <algorithm>
#include <cmath>

#include "core/wire/dot11.h"
#include "platform/sim/random.h"

namespace airlab::sim {
namespace {

void Count(TrafficCounters& c, const port::TxReport& report) {
  c.attempts += report.attempts;
  switch (report.result) {
    case port::TxResult::kAcked: ++c.acked; break;
    case port::TxResult::kNoAck: ++c.no_ack; break;
    case port::TxResult::kSent: ++c.sent; break;
    case port::TxResult::kDropped: ++c.dropped; break;
  }
}

void TryTransmit(SimRadio& radio, ByteSpan frame, const port::TxOptions& options,
                 TrafficCounters& c) {
  if (radio.Transmit(frame, options).ok()) {
    ++c.queued;
  } else {
    ++c.rejected;
  }
}

}  // namespace

TimeNs FirstArrival(Arrivals arrivals, TimeNs period, port::SplitMix64& rng) {
  if (arrivals == Arrivals::kPeriodic)
    return static_cast<TimeNs>(Uniform01(rng) * static_cast<double>(period));
  return NextArrival(arrivals, period, rng);
}

TimeNs NextArrival(Arrivals arrivals, TimeNs period, port::SplitMix64& rng) {
  if (arrivals == Arrivals::kPeriodic) return period;
  const double u = Uniform01(rng);
  return std::max<TimeNs>(1, std::llround(-std::log1p(-u) * static_cast<double>(period)));
}

std::vector<std::byte> MakeActionFrame(const MacAddress& to, const MacAddress& from,
                                       size_t body_size) {
  std::vector<std::byte> frame(wire::kMgmtHeaderSize + body_size);
  ByteBuilder out(frame);
  wire::MgmtHeader header;
  header.fc = wire::FrameControl::Make(wire::FrameType::kManagement,
                                       static_cast<uint8_t>(wire::MgmtSubtype::kAction));
  header.addr1 = to;
  header.addr2 = from;
  header.addr3 = MacAddress::Broadcast();
  wire::WriteMgmtHeader(out, header);
  // ESP-NOW's category (127, vendor specific) and Espressif's OUI, then a counting body.
  out.PutU8(127).PutU8(0x18).PutU8(0xfe).PutU8(0x34);
  for (size_t i = out.size(); i < frame.size(); ++i) out.PutU8(static_cast<uint8_t>(i));
  return frame;
}

TrafficSource::TrafficSource(Simulation& simulation, uint32_t node, const MacAddress& to,
                             size_t body_size, TimeNs period, const port::TxOptions& options,
                             uint64_t seed, Arrivals arrivals)
    : simulation_(simulation),
      radio_(simulation.radio(node)),
      frame_(MakeActionFrame(to, radio_.address(port::Interface::kStation), body_size)),
      period_(period),
      options_(options),
      arrivals_(arrivals),
      rng_(MakeStream(seed, Stream::kApplication, node)) {
  radio_.SetListener(this);
  next_ = simulation_.scheduler().ScheduleAfter(FirstArrival(arrivals_, period_, rng_),
                                                [this] { Send(); });
}

TrafficSource::~TrafficSource() {
  simulation_.scheduler().Cancel(next_);
  radio_.SetListener(nullptr);
}

void TrafficSource::Send() {
  TryTransmit(radio_, frame_, options_, counters_);
  next_ = simulation_.scheduler().ScheduleAfter(NextArrival(arrivals_, period_, rng_),
                                                [this] { Send(); });
}

void TrafficSource::OnReceive(ByteSpan, const port::RxInfo&) { ++counters_.received; }
void TrafficSource::OnTxDone(const port::TxReport& report) { Count(counters_, report); }

SaturatedSource::SaturatedSource(Simulation& simulation, uint32_t node, const MacAddress& to,
                                 size_t body_size, const port::TxOptions& options, size_t depth)
    : radio_(simulation.radio(node)),
      frame_(MakeActionFrame(to, radio_.address(port::Interface::kStation), body_size)),
      options_(options) {
  radio_.SetListener(this);
  for (size_t i = 0; i < depth; ++i) Queue();
}

SaturatedSource::~SaturatedSource() { radio_.SetListener(nullptr); }

void SaturatedSource::Queue() { TryTransmit(radio_, frame_, options_, counters_); }

void SaturatedSource::OnReceive(ByteSpan, const port::RxInfo&) { ++counters_.received; }

void SaturatedSource::OnTxDone(const port::TxReport& report) {
  Count(counters_, report);
  Queue();
}

}  // namespace airlab::sim
