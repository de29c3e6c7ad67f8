// ImprovDevice over a PortalBackend whose joins the test finishes by hand, its answers read
// back with the stream parser as a provisioning tool reads them.
#include "core/wifi/improv_device.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace airlab::wifi {
namespace {

std::string Str(ByteSpan b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
ByteSpan Bytes(const std::string& s) { return AsBytes(s.data(), s.size()); }

port::Ssid MakeSsid(const std::string& name) {
  port::Ssid ssid;
  EXPECT_TRUE(ssid.Assign(Bytes(name)));
  return ssid;
}

class ScriptedBackend final : public PortalBackend {
 public:
  std::span<const port::ScanEntry> networks() override { return scan; }
  void RequestScan() override {}
  Status SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) override {
    if (!port::IsValidPassphrase(passphrase)) return Status::InvalidArgument();
    saved_password = Str(passphrase);
    current.state = PortalLinkState::kConnecting;
    current.ssid = ssid;
    return Status::Ok();
  }
  PortalStatus status() const override { return current; }
  std::span<const PortalParameter> parameters() const override { return {}; }
  Status SetParameter(std::string_view, std::string_view) override { return Status::NotFound(); }
  void Erase() override {}
  void Exit() override {}
  std::string_view device_name() const override { return "Lab master"; }
  MacAddress station_mac() const override { return {}; }
  MacAddress ap_mac() const override { return {}; }

  std::vector<port::ScanEntry> scan;
  PortalStatus current;
  std::string saved_password;
};

// What a client reads: each packet as "state 3", "error 0", "result 4: a|b|c".
struct Client final : ImprovOutput, ImprovStreamListener {
  void SendImprov(ByteSpan packet) override { parser.Feed(packet, *this); }
  void OnImprovText(ByteSpan text) override { stray += Str(text); }
  void OnImprovPacket(const ImprovPacket& p) override {
    if (p.type == ImprovType::kCurrentState) {
      seen.push_back("state " + std::to_string(static_cast<int>(p.data[0])));
    } else if (p.type == ImprovType::kErrorState) {
      seen.push_back("error " + std::to_string(static_cast<int>(p.data[0])));
    } else {
      const Result<ImprovRpc> rpc = ParseImprovRpc(p.data);
      ASSERT_TRUE(rpc.ok());
      std::string line = "result " + std::to_string(rpc->command) + ":";
      ImprovStrings s(rpc->data);
      for (bool first = true; s.Next(); first = false)
        line += (first ? " " : "|") + Str(s.current());
      EXPECT_TRUE(s.ok());
      seen.push_back(line);
    }
  }
  std::vector<std::string> Take() { return std::exchange(seen, {}); }

  ImprovStreamParser parser;
  std::vector<std::string> seen;
  std::string stray;
};

struct ImprovDeviceTest : ::testing::Test {
  void Send(ImprovCommand command, const std::string& data = "") {
    FrameBuffer<kImprovMaxPacketSize> packet;
    ASSERT_TRUE(BuildImprovCommand(command, Bytes(data), packet).ok());
    Deliver(Str(packet.bytes()));
  }
  void Deliver(const std::string& bytes) {
    struct ToDevice final : ImprovStreamListener {
      explicit ToDevice(ImprovDevice& d) : device(d) {}
      void OnImprovText(ByteSpan) override {}
      void OnImprovPacket(const ImprovPacket& p) override { device.HandlePacket(p); }
      ImprovDevice& device;
    } to_device(device);
    device_parser.Feed(Bytes(bytes), to_device);
  }
  void SendSettings(const std::string& ssid, const std::string& password) {
    FrameBuffer<kImprovMaxPacketSize> packet;
    ASSERT_TRUE(BuildImprovWifiSettings(Bytes(ssid), Bytes(password), packet).ok());
    Deliver(Str(packet.bytes()));
  }

  ScriptedBackend backend;
  Client client;
  ImprovDeviceInfo info{.firmware = "airlab",
                        .version = "0.1.0",
                        .hardware = "esp32",
                        .redirect_url = "http://192.168.1.20/"};
  ImprovDevice device{backend, info, client};
  ImprovStreamParser device_parser;
};

TEST_F(ImprovDeviceTest, Provision_JoinSucceeds_ProvisioningThenProvisionedWithUrl) {
  Send(ImprovCommand::kGetCurrentState);
  EXPECT_EQ(client.Take(), std::vector<std::string>{"state 2"});
  SendSettings("lab-router", "lab-password");
  EXPECT_EQ(backend.saved_password, "lab-password");
  EXPECT_EQ(client.Take(), std::vector<std::string>{"state 3"});
  device.Poll();  // still joining
  EXPECT_TRUE(client.Take().empty());
  backend.current.state = PortalLinkState::kConnected;
  device.Poll();
  EXPECT_EQ(client.Take(), (std::vector<std::string>{"state 4", "result 1: http://192.168.1.20/"}));
  Send(ImprovCommand::kGetCurrentState);
  EXPECT_EQ(client.Take(), (std::vector<std::string>{"state 4", "result 1: http://192.168.1.20/"}));
  EXPECT_EQ(client.stray, "");
}

TEST_F(ImprovDeviceTest, Provision_WrongPassword_UnableToConnectThenReadyAgain) {
  SendSettings("lab-router", "not-the-password");
  EXPECT_EQ(client.Take(), std::vector<std::string>{"state 3"});
  backend.current.state = PortalLinkState::kFailed;
  backend.current.failure = port::WifiFailure::kWrongPassword;
  device.Poll();
  EXPECT_EQ(client.Take(), (std::vector<std::string>{"error 3", "state 2"}));
  // The next good RPC clears the error first.
  Send(ImprovCommand::kGetCurrentState);
  EXPECT_EQ(client.Take(), (std::vector<std::string>{"error 0", "state 2"}));
}

TEST_F(ImprovDeviceTest, Provision_PassphraseTheBackendRefuses_UnableToConnect) {
  SendSettings("lab-router", "short");
  EXPECT_EQ(client.Take(), std::vector<std::string>{"error 3"});
  EXPECT_EQ(device.state(), ImprovState::kReady);
}

TEST_F(ImprovDeviceTest, Provision_StaleStatusOfAnotherNetwork_Ignored) {
  backend.current = {.state = PortalLinkState::kFailed, .ssid = MakeSsid("old")};
  SendSettings("lab-router", "lab-password");
  backend.current.ssid = MakeSsid("old");  // the backend still reports the last join
  device.Poll();
  EXPECT_EQ(client.Take(), std::vector<std::string>{"state 3"});
}

TEST_F(ImprovDeviceTest, Scan_OneResultPerNamedNetworkThenAnEmptyOne) {
  backend.scan.push_back(
      {.ssid = MakeSsid("lab-router"), .rssi_dbm = -45, .auth = port::WifiAuth::kWpa2Psk});
  backend.scan.push_back({.ssid = {}, .rssi_dbm = -50, .hidden = true});
  backend.scan.push_back({.ssid = MakeSsid("cafe <b>"), .rssi_dbm = -7});
  Send(ImprovCommand::kGetWifiNetworks);
  EXPECT_EQ(client.Take(), (std::vector<std::string>{"result 4: lab-router|-45|YES",
                                                     "result 4: cafe <b>|-7|NO", "result 4:"}));
}

TEST_F(ImprovDeviceTest, DeviceInfo_FourStrings) {
  Send(ImprovCommand::kGetDeviceInfo);
  EXPECT_EQ(client.Take(), std::vector<std::string>{"result 3: airlab|0.1.0|esp32|Lab master"});
}

TEST_F(ImprovDeviceTest, BadRpcs_InvalidAndUnknown) {
  Send(static_cast<ImprovCommand>(0x42));
  EXPECT_EQ(client.Take(), std::vector<std::string>{"error 2"});
  Send(ImprovCommand::kWifiSettings, std::string("\x09"
                                                 "ab\x00",
                                                 4));  // SSID length lies
  EXPECT_EQ(client.Take(), std::vector<std::string>{"error 1"});
  // A state packet sent to the device is not a command: ignored.
  FrameBuffer<kImprovMaxPacketSize> state;
  ASSERT_TRUE(BuildImprovState(ImprovState::kReady, state).ok());
  Deliver(Str(state.bytes()));
  EXPECT_TRUE(client.Take().empty());
}

}  // namespace
}  // namespace airlab::wifi
