#include "host/portal_device.h"

#include <chrono>
#include <stdexcept>

#include "core/wifi/access_point.h"
#include "core/wifi/escape.h"
#include "core/wifi/memory_credential_store.h"
#include "host/wifi_device.h"
#include "platform/linux/file_credential_store.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"
#include "platform/sim/simulation.h"

namespace airlab::host {
namespace {

// The settings the portal collects with the Wi-Fi credentials: what the lab's gateway needs
// to post to its ThingSpeak channel.
constexpr wifi::ParameterSpec kParameters[] = {
    {"channel", "ThingSpeak channel", 12, ""},
    {"key", "ThingSpeak write key", 16, ""},
};

// The device's station MAC; WifiDevice gives its soft-AP one more, as an ESP32 does.
constexpr MacAddress kStationMac({0x02, 0xa1, 0xb0, 0x00, 0x00, 0x01});

std::string SsidText(const port::Ssid& ssid) {
  std::array<std::byte, 4 * port::Ssid::kMaxSize + 8> storage{};
  ByteBuilder out(storage);
  wifi::AppendJsonEscaped(out, ssid.bytes()).IgnoreError();  // 4 bytes per byte always fit
  return std::string(reinterpret_cast<const char*>(out.bytes().data()), out.size());
}

}  // namespace

std::vector<PortalRouter> DefaultPortalRouters() {
  return {
      {.ssid = "airlab-lab", .password = "airlab-password", .channel = 6, .position = {8, 0, 0}},
      {.ssid = "airlab-guest", .channel = 11, .position = {20, 5, 0}},
  };
}

// A router: an access point on a node of its own, with its timer, random stream and crypto.
class SimRouter {
 public:
  SimRouter(sim::Simulation& sim, const PortalRouter& spec, size_t index, uint64_t seed)
      : password_(spec.password),
        node_(sim.AddNode({.position = spec.position, .channel = spec.channel})),
        timer_(sim.NewTimer()),
        rng_(seed ^ (0x9e3779b97f4a7c15ull * (index + 1))),
        ap_(sim.radio(node_), port::Interface::kAccessPoint, sim.clock(), *timer_, rng_, aes_,
            sha1_, {}) {
    // 02:52:54 ("RT") and the router's number, apart from the sim's own node addresses.
    const auto n = static_cast<uint8_t>(index + 1);
    wifi::AccessPointConfig config{.passphrase = AsBytes(password_.data(), password_.size()),
                                   .channel = spec.channel,
                                   .address = wifi::kRouterAddress,
                                   .max_stations = wifi::AccessPoint::kMaxStations};
    if (!config.ssid.Assign(AsBytes(spec.ssid.data(), spec.ssid.size())) || spec.ssid.empty() ||
        !sim.radio(node_)
             .SetAddress(port::Interface::kAccessPoint, MacAddress({2, 0x52, 0x54, 0, 0, n}))
             .ok() ||
        !ap_.Start(config).ok()) {
      throw std::invalid_argument("router \"" + spec.ssid +
                                  "\": give an SSID of 1 to 32 bytes, a channel from 1 to 13 "
                                  "and a password of 8 to 63 characters (or none: open)");
    }
  }

 private:
  std::string password_;
  uint32_t node_;
  std::unique_ptr<sim::SimTimer> timer_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  wifi::AccessPoint ap_;
};

std::vector<std::unique_ptr<SimRouter>> MakeRouters(sim::Simulation& sim,
                                                    const std::vector<PortalRouter>& specs,
                                                    uint64_t seed) {
  std::vector<std::unique_ptr<SimRouter>> routers;
  for (size_t i = 0; i < specs.size(); ++i) {
    routers.push_back(std::make_unique<SimRouter>(sim, specs[i], i, seed));
  }
  return routers;
}

std::string DescribeManagerEvent(const wifi::ManagerEvent& e) {
  std::string line = std::string(wifi::ToString(e.to)) + ": " + wifi::ToString(e.reason);
  if (!e.ssid.empty()) line += " \"" + SsidText(e.ssid) + "\"";
  if (e.reason == wifi::ManagerReason::kJoinFailed || e.reason == wifi::ManagerReason::kLinkLost) {
    line += " (failure " + std::to_string(static_cast<int>(e.failure)) + ", reason code " +
            std::to_string(e.reason_code) + ")";
  }
  if (e.reason == wifi::ManagerReason::kBackoff) {
    line += " " + std::to_string(e.wait / port::kMillisecond) + " ms";
  }
  return line;
}

// Everything the device is made of, in construction order (the device last: its manager
// holds references to the store).
struct PortalDevice::Parts final : wifi::WifiManagerListener {
  Parts(const PortalDeviceConfig& config, std::function<void(const std::string&)> log_to)
      : sim({.seed = config.seed}),
        routers(MakeRouters(sim, config.routers, config.seed)),
        node(AddDeviceNode(sim)),
        file_store(config.credentials),
        device_name(config.device_name),
        device(
            sim.radio(node), [this] { return sim.NewTimer(); }, sim.clock(),
            config.credentials.empty() ? static_cast<port::CredentialStore&>(memory_store)
                                       : file_store,
            {.device_name = device_name, .parameters = kParameters}, config.seed),
        log(std::move(log_to)) {
    device.manager().SetListener(this);
  }
  void OnManagerEvent(const wifi::ManagerEvent& event) override {
    if (log) log(DescribeManagerEvent(event));
  }
  // The device's node, with its station MAC set before WifiDevice's radio share reads it.
  static uint32_t AddDeviceNode(sim::Simulation& sim) {
    const uint32_t node = sim.AddNode({.position = {0, 0, 0}});
    if (!sim.radio(node).SetAddress(port::Interface::kStation, kStationMac).ok()) {
      throw std::runtime_error("the simulated device refused its MAC address");
    }
    return node;
  }

  sim::Simulation sim;
  std::vector<std::unique_ptr<SimRouter>> routers;
  uint32_t node;
  wifi::MemoryCredentialStore memory_store;
  linux_port::FileCredentialStore file_store;
  std::string device_name;
  WifiDevice device;
  std::function<void(const std::string&)> log;
};

PortalDevice::PortalDevice(const PortalDeviceConfig& config,
                           std::function<void(const std::string&)> log)
    : parts_(std::make_unique<Parts>(config, std::move(log))) {
  if (const Status started = parts_->device.manager().Start(); !started.ok()) {
    throw std::runtime_error(std::string("the Wi-Fi manager did not start: ") + started.str());
  }
}

PortalDevice::~PortalDevice() = default;

wifi::WifiManager& PortalDevice::manager() { return parts_->device.manager(); }

void PortalDevice::RunUntil(port::TimeNs t) { parts_->sim.RunUntil(t); }

void ServePortal(PortalDevice& device, PortalServer& server, wifi::Portal& portal,
                 const std::atomic<bool>& stop) {
  const auto start = std::chrono::steady_clock::now();
  while (!stop) {
    server.Poll(portal, std::chrono::milliseconds(10));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    device.RunUntil(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  }
}

}  // namespace airlab::host
