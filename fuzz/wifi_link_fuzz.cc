// An access point and a station under libFuzzer: hostile frames from the air must leave
// both running and within their memory (ASan). The first input byte picks what the rest is:
//   0: a whole MPDU heard by the AP and by a joining station;
//   1: the EAPOL payload of a data frame from a station associated with a WPA2 AP, in the
//      middle of its 4-way handshake (message 1 sent);
//   2: the IPv4 payload of a data frame from a station joined to an open AP (its DHCP).
// Afterwards time runs on, so the retries and timeouts those frames set up run too.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/port/radio.h"
#include "core/port/timer.h"
#include "core/wifi/access_point.h"
#include "core/wifi/dhcp.h"
#include "core/wifi/eapol.h"
#include "core/wifi/link_frames.h"
#include "core/wifi/station.h"
#include "core/wire/mgmt.h"
#include "fuzz/fuzz_support.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace {

using namespace airlab;

constexpr MacAddress kBssid({0x02, 0x52, 0x54, 0, 0, 1});
constexpr MacAddress kStation({0x02, 0, 0, 0, 0, 7});
// 64 hex digits are the PSK itself: no PBKDF2 per input.
constexpr char kPsk[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class ManualClock final : public port::Clock {
 public:
  port::TimeNs Now() const override { return now; }
  port::TimeNs now = 0;
};

class ManualTimer final : public port::Timer {
 public:
  // Fires while the deadline is due at `clock`'s time.
  void RunUntil(ManualClock& clock, port::TimeNs end) {
    for (int i = 0; i < 1000 && armed() && deadline_ <= end; ++i) {
      if (deadline_ > clock.now) clock.now = deadline_;
      Expire();
    }
    if (clock.now < end) clock.now = end;
  }

 private:
  void DoArmAt(port::TimeNs deadline) override { deadline_ = deadline; }
  void DoCancel() override {}
  port::TimeNs deadline_ = 0;
};

// A radio that accepts every frame and delivers what the harness hands it.
class LoopRadio final : public port::Radio {
 public:
  void Hear(ByteSpan mpdu) { Deliver(mpdu, {.rssi_dbm = -40, .channel = channel()}); }

 private:
  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoTransmit(ByteSpan, const port::TxOptions&) override { return Status::Ok(); }
  Status DoSetChannel(uint8_t) override { return Status::Ok(); }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }
};

ByteSpan Text(const char* text, size_t size) { return as_bytes(std::span(text, size)); }

struct Ap {
  explicit Ap(bool secured_ap) : secured(secured_ap) {
    fuzz::Check(radio.SetAddress(port::Interface::kAccessPoint, kBssid).ok());
    wifi::AccessPointConfig config{.passphrase = secured ? Text(kPsk, 64) : ByteSpan(),
                                   .channel = 1};
    config.ssid.Assign(Text("lab", 3));
    fuzz::Check(ap.Start(config).ok());
  }
  // The station's open authentication and association, as it would send them.
  void Join() {
    std::byte buffer[128];
    const wire::MgmtHeader header{.addr1 = kBssid, .addr2 = kStation, .addr3 = kBssid};
    ByteBuilder auth(buffer);
    fuzz::Check(wire::BuildAuthentication(auth, header, 0, 1, 0).ok());
    radio.Hear(auth.bytes());
    std::byte rsn_bytes[32];
    ByteBuilder rsn(rsn_bytes);
    wire::ElementWriter(rsn).AddRsn(wire::kWpa2Personal);
    ByteBuilder assoc(buffer);
    fuzz::Check(wire::BuildAssocRequest(assoc, header,
                                        {.ssid = Text("lab", 3),
                                         .rates = wifi::kDsssRates,
                                         .rsn_element = secured ? rsn.bytes() : ByteSpan()})
                    .ok());
    radio.Hear(assoc.bytes());
  }
  void HearData(uint16_t ethertype, ByteSpan payload) {
    std::vector<std::byte> buffer(payload.size() + 64);
    ByteBuilder out(buffer);
    Result<wire::MgmtHeader> header =
        wire::MakeDataHeader(wire::DsMode::kToDs, kBssid, kStation, kBssid);
    fuzz::Check(header.ok());
    if (!wire::BuildDataFrame(out, *header, ethertype, payload).ok()) return;
    if (out.size() <= port::Radio::kMaxMpduSize) radio.Hear(out.bytes());
  }

  const bool secured;
  LoopRadio radio;
  ManualClock clock;
  ManualTimer timer;
  port::SplitMix64 rng{1};
  mbedtls::MbedtlsAes128 aes;
  mbedtls::MbedtlsSha1 sha1;
  wifi::AccessPoint ap{radio, port::Interface::kAccessPoint, clock, timer, rng, aes, sha1};
};

void RawFrame(ByteSpan mpdu) {
  Ap ap(true);
  ap.Join();
  LoopRadio radio;
  fuzz::Check(radio.SetAddress(port::Interface::kStation, kStation).ok());
  ManualClock clock;
  ManualTimer timer;
  port::SplitMix64 rng{2};
  mbedtls::MbedtlsAes128 aes;
  mbedtls::MbedtlsSha1 sha1;
  wifi::Station station(radio, clock, timer, rng, aes, sha1);
  port::Ssid ssid;
  ssid.Assign(Text("lab", 3));
  fuzz::Check(station.Connect(ssid, Text(kPsk, 64), nullptr).ok());
  if (mpdu.size() <= port::Radio::kMaxMpduSize) {
    ap.radio.Hear(mpdu);
    radio.Hear(mpdu);
  }
  ap.timer.RunUntil(ap.clock, 10 * port::kSecond);
  timer.RunUntil(clock, 20 * port::kSecond);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ByteSpan rest(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: RawFrame(rest); break;
    case 1: {
      Ap ap(true);
      ap.Join();
      ap.HearData(wifi::kEapolEthertype, rest);
      ap.timer.RunUntil(ap.clock, 10 * port::kSecond);
      break;
    }
    case 2: {
      Ap ap(false);
      ap.Join();
      ap.HearData(wifi::kIpv4Ethertype, rest);
      ap.timer.RunUntil(ap.clock, port::kSecond);
      break;
    }
  }
  return 0;
}
