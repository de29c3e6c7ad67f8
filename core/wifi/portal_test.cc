#include "core/wifi/portal.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace airlab::wifi {
namespace {

ByteSpan Bytes(std::string_view s) { return AsBytes(s.data(), s.size()); }

port::Ssid MakeSsid(std::string_view s) {
  port::Ssid ssid;
  EXPECT_TRUE(ssid.Assign(Bytes(s)));
  return ssid;
}

// A backend that records what the routes asked of it.
class RecordingBackend : public PortalBackend {
 public:
  std::span<const port::ScanEntry> networks() override { return scan; }
  void RequestScan() override { ++scans; }
  Status SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) override {
    saved_ssid = ssid;
    saved_pass.assign(reinterpret_cast<const char*>(passphrase.data()), passphrase.size());
    ++saves;
    return save_result;
  }
  PortalStatus status() const override { return link; }
  std::span<const PortalParameter> parameters() const override { return params; }
  Status SetParameter(std::string_view id, std::string_view value) override {
    if (id != "channel" || value.size() > 8) return Status::InvalidArgument();
    channel_value = std::string(value);
    params[0].value = channel_value;
    return Status::Ok();
  }
  void Erase() override { ++erases; }
  void Exit() override { ++exits; }
  std::string_view device_name() const override { return "airlab-<master>"; }
  MacAddress station_mac() const override { return MacAddress({2, 0, 0, 0, 0, 1}); }
  MacAddress ap_mac() const override { return MacAddress({2, 0, 0, 0, 0, 2}); }

  std::vector<port::ScanEntry> scan;
  int scans = 0;
  port::Ssid saved_ssid;
  std::string saved_pass;
  int saves = 0;
  Status save_result;
  PortalStatus link;
  std::string channel_value = "12345";
  std::array<PortalParameter, 1> params{{{"channel", "ThingSpeak channel", "12345", 8}}};
  int erases = 0;
  int exits = 0;
};

struct Response {
  int status = 0;
  std::string head;
  std::string body;
};

class PortalTest : public ::testing::Test {
 protected:
  Response Send(std::string_view request_text) {
    const HttpParse parsed = ParseHttpRequest(Bytes(request_text));
    EXPECT_EQ(parsed.outcome, HttpParseOutcome::kComplete) << request_text;
    std::vector<std::byte> out(kPortalResponseCapacity);
    const StatusWithSize got = portal.Respond(parsed.request, out);
    EXPECT_TRUE(got.ok());
    const std::string text(reinterpret_cast<const char*>(out.data()), got.size());
    Response r;
    r.status = std::stoi(text.substr(9, 3));
    const size_t end = text.find("\r\n\r\n");
    r.head = text.substr(0, end + 2);
    r.body = text.substr(end + 4);
    // Content-Length tells the body's size.
    const size_t at = r.head.find("Content-Length: ");
    EXPECT_NE(at, std::string::npos);
    if (request_text.substr(0, 4) != "HEAD") {
      EXPECT_EQ(std::stoul(r.head.substr(at + 16)), r.body.size());
    }
    return r;
  }
  Response Get(std::string_view path, std::string_view host = "192.168.4.1") {
    return Send("GET " + std::string(path) + " HTTP/1.1\r\nHost: " + std::string(host) +
                "\r\n\r\n");
  }
  Response Post(std::string_view path, std::string_view body) {
    return Send("POST " + std::string(path) +
                " HTTP/1.1\r\nHost: 192.168.4.1\r\nContent-Type: "
                "application/x-www-form-urlencoded\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + std::string(body));
  }

  RecordingBackend backend;
  Portal portal{backend, PortalConfig{}};
};

TEST_F(PortalTest, EveryOsProbeIsRedirectedToThePortal) {
  for (auto [host, path] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"connectivitycheck.gstatic.com", "/generate_204"},
           {"clients3.google.com", "/gen_204"},
           {"captive.apple.com", "/hotspot-detect.html"},
           {"www.apple.com", "/library/test/success.html"},
           {"www.msftconnecttest.com", "/connecttest.txt"},
           {"www.msftncsi.com", "/ncsi.txt"},
           {"detectportal.firefox.com", "/success.txt"},
           {"www.msftconnecttest.com", "/redirect"},
           {"detectportal.firefox.com", "/canonical.html"},
           {"192.168.4.1", "/generate_204"},
           {"192.168.4.1", "/no/such/page"},
           {"example.com", "/"},
       }) {
    const Response r = Get(path, host);
    EXPECT_EQ(r.status, 302) << host << path;
    EXPECT_NE(r.head.find("\r\nLocation: http://192.168.4.1/\r\n"), std::string::npos);
    EXPECT_FALSE(r.body.empty());  // iOS wants a body
  }
}

TEST_F(PortalTest, OwnHostWithPort80IsNotForeign) {
  EXPECT_EQ(Get("/", "192.168.4.1:80").status, 200);
  EXPECT_EQ(Get("/", "192.168.4.1:8080").status, 302);
}

TEST_F(PortalTest, MenuWorksWithoutJavascriptAndFitsAPhone) {
  const Response r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(r.body.find("<meta name=viewport content=\"width=device-width"), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  for (std::string_view link : {"/wifi", "/param", "/info", "/erase", "/exit"}) {
    EXPECT_NE(r.body.find("href=\"" + std::string(link) + "\""), std::string::npos) << link;
  }
  EXPECT_NE(r.body.find("airlab-&lt;master&gt;"), std::string::npos);
}

TEST_F(PortalTest, WifiListsNetworksWithQualityAndEscapedSsids) {
  port::ScanEntry evil{.ssid = MakeSsid("<script>alert(1)</script>"),
                       .rssi_dbm = -40,
                       .auth = port::WifiAuth::kWpa2Psk};
  port::ScanEntry weak{.ssid = MakeSsid("far\"away'"), .rssi_dbm = -95};
  port::ScanEntry raw;
  const std::array<std::byte, 3> raw_bytes{std::byte{0xff}, std::byte{0x00}, std::byte{0x80}};
  ASSERT_TRUE(raw.ssid.Assign(raw_bytes));
  raw.rssi_dbm = -120;
  port::ScanEntry hidden{.rssi_dbm = -10, .hidden = true};
  backend.scan = {evil, weak, raw, hidden};
  const Response r = Get("/wifi");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("far&quot;away&#39;"), std::string::npos);
  EXPECT_NE(r.body.find("\\xff\\x00\\x80"), std::string::npos);
  // Radio values carry the bytes in hex: the raw SSID stays selectable.
  EXPECT_NE(r.body.find("value=\"ff0080\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"3c7363726970743e616c6572742831293c2f7363726970743e\""),
            std::string::npos);
  EXPECT_NE(r.body.find(">100%"), std::string::npos);    // -40 dBm: 120 clamped
  EXPECT_NE(r.body.find(">10%"), std::string::npos);     // -95 dBm
  EXPECT_NE(r.body.find(">0%"), std::string::npos);      // -120 dBm: clamped
  EXPECT_NE(r.body.find("name=s "), std::string::npos);  // the hidden-SSID field
  EXPECT_NE(r.body.find("name=\"channel\""), std::string::npos);
}

TEST_F(PortalTest, WifiWithoutScanResultsReloadsItself) {
  const Response r = Get("/wifi?scan=1");
  EXPECT_EQ(backend.scans, 1);
  EXPECT_NE(r.body.find("http-equiv=refresh content=\"3\""), std::string::npos);
}

TEST_F(PortalTest, WifiSaveTakesTheChosenRawSsidAndParameters) {
  const Response r = Post("/wifisave", "h=ff0080&s=&p=pass%20word1&channel=777");
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(backend.saves, 1);
  const std::array<std::byte, 3> raw_bytes{std::byte{0xff}, std::byte{0x00}, std::byte{0x80}};
  port::Ssid expected;
  ASSERT_TRUE(expected.Assign(raw_bytes));
  EXPECT_TRUE(backend.saved_ssid == expected);
  EXPECT_EQ(backend.saved_pass, "pass word1");
  EXPECT_EQ(backend.channel_value, "777");
  EXPECT_NE(r.body.find("\\xff\\x00\\x80"), std::string::npos);
}

TEST_F(PortalTest, WifiSaveTypedSsidWinsAndTzapuGetWorks) {
  EXPECT_EQ(Get("/wifisave?s=Hidden+Net&p=&h=ff").status, 200);
  EXPECT_TRUE(backend.saved_ssid == MakeSsid("Hidden Net"));
  EXPECT_EQ(backend.saved_pass, "");
}

TEST_F(PortalTest, WifiSaveRefusesBadInputWithoutSaving) {
  EXPECT_EQ(Post("/wifisave", "p=secret123").status, 400);  // no network
  EXPECT_EQ(Post("/wifisave", "s=home&p=short").status, 400);
  EXPECT_EQ(Post("/wifisave", "s=" + std::string(33, 'x') + "&p=").status, 400);
  EXPECT_EQ(Post("/wifisave", "h=zz&p=").status, 400);
  EXPECT_EQ(Post("/wifisave", "s=home&p=%zz").status, 400);
  EXPECT_EQ(Post("/wifisave", "s=home&p=&channel=123456789").status, 400);
  EXPECT_EQ(backend.saves, 0);
  backend.save_result = Status::ResourceExhausted();
  const Response full = Post("/wifisave", "s=home&p=");
  EXPECT_EQ(full.status, 400);
  EXPECT_NE(full.body.find("cannot store another network"), std::string::npos);
}

TEST_F(PortalTest, MenuShowsTheJoinOutcome) {
  backend.link.state = PortalLinkState::kFailed;
  backend.link.ssid = MakeSsid("<home>");
  backend.link.failure = port::WifiFailure::kWrongPassword;
  EXPECT_NE(Get("/").body.find("Could not join <b>&lt;home&gt;</b>: wrong password"),
            std::string::npos);
  backend.link.state = PortalLinkState::kConnected;
  backend.link.ip.address = {192, 168, 1, 7};
  EXPECT_NE(Get("/").body.find("Connected to <b>&lt;home&gt;</b> as 192.168.1.7"),
            std::string::npos);
}

TEST_F(PortalTest, EraseAsksOnGetAndErasesOnPost) {
  EXPECT_NE(Get("/erase").body.find("method=POST action=\"/erase\""), std::string::npos);
  EXPECT_EQ(backend.erases, 0);
  EXPECT_EQ(Post("/erase", "").status, 200);
  EXPECT_EQ(backend.erases, 1);
}

TEST_F(PortalTest, ExitInfoUpdateAndParams) {
  EXPECT_EQ(Get("/exit").status, 200);
  EXPECT_EQ(backend.exits, 1);
  const Response info = Get("/info");
  EXPECT_NE(info.body.find("02:00:00:00:00:01"), std::string::npos);
  EXPECT_NE(info.body.find("02:00:00:00:00:02"), std::string::npos);
  EXPECT_EQ(Get("/update").status, 501);
  EXPECT_NE(Get("/param").body.find("value=\"12345\""), std::string::npos);
  EXPECT_EQ(Post("/paramsave", "channel=42").status, 200);
  EXPECT_EQ(backend.channel_value, "42");
  EXPECT_EQ(Post("/paramsave", "channel=123456789").status, 400);
}

TEST_F(PortalTest, ApJsonEscapesEverySsid) {
  port::ScanEntry a{.ssid = MakeSsid("a\"b\\c\n"),
                    .channel = 6,
                    .rssi_dbm = -50,
                    .auth = port::WifiAuth::kWpa2Psk};
  port::ScanEntry b;
  const std::array<std::byte, 2> raw{std::byte{0xc3}, std::byte{0x28}};  // not UTF-8
  ASSERT_TRUE(b.ssid.Assign(raw));
  b.channel = 1;
  b.rssi_dbm = -80;
  backend.scan = {a, b};
  const Response r = Get("/ap.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("application/json"), std::string::npos);
  EXPECT_EQ(r.body,
            "[{\"ssid\":\"a\\\"b\\\\c\\u000a\",\"chan\":6,\"rssi\":-50,\"auth\":3},\n"
            "{\"ssid\":\"\\u00c3(\",\"chan\":1,\"rssi\":-80,\"auth\":0}]\n");
}

TEST_F(PortalTest, StatusJsonFollowsEsp32WifiManager) {
  EXPECT_EQ(Get("/status.json").body, "{}\n");
  backend.link.state = PortalLinkState::kConnected;
  backend.link.ssid = MakeSsid("home");
  backend.link.ip = {{192, 168, 1, 7}, {255, 255, 255, 0}, {192, 168, 1, 1}, {192, 168, 1, 1}};
  EXPECT_EQ(Get("/status.json").body,
            "{\"ssid\":\"home\",\"ip\":\"192.168.1.7\",\"netmask\":\"255.255.255.0\","
            "\"gw\":\"192.168.1.1\",\"urc\":0}\n");
  backend.link.state = PortalLinkState::kFailed;
  backend.link.failure = port::WifiFailure::kNoApFound;
  EXPECT_EQ(Get("/status.json").body,
            "{\"ssid\":\"home\",\"urc\":1,\"reason\":\"no network of that name answered\"}\n");
}

TEST_F(PortalTest, ConnectJsonTakesHeadersAndDeleteErases) {
  const Response ok = Send(
      "POST /connect.json HTTP/1.1\r\nHost: 192.168.4.1\r\nX-Custom-ssid: my <net>\r\n"
      "X-Custom-pwd: password1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(backend.saved_ssid == MakeSsid("my <net>"));
  EXPECT_EQ(backend.saved_pass, "password1");
  EXPECT_EQ(
      Send("POST /connect.json HTTP/1.1\r\nHost: 192.168.4.1\r\nX-Custom-pwd: x\r\n\r\n").status,
      400);
  EXPECT_EQ(Send("DELETE /connect.json HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n").status, 200);
  EXPECT_EQ(backend.erases, 1);
}

TEST_F(PortalTest, HeadKeepsHeadersAndDropsTheBody) {
  const Response r = Send("HEAD / HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(PortalTest, TooSmallABufferIsReported) {
  const HttpParse parsed = ParseHttpRequest(Bytes("GET / HTTP/1.1\r\nHost: 192.168.4.1\r\n\r\n"));
  std::array<std::byte, 100> out{};
  EXPECT_EQ(portal.Respond(parsed.request, out).status(), Status::ResourceExhausted());
}

TEST(PortalErrors, RespondErrorGivesTheStatus) {
  std::array<std::byte, 256> out{};
  const StatusWithSize got = Portal::RespondError(431, out);
  ASSERT_TRUE(got.ok());
  const std::string text(reinterpret_cast<const char*>(out.data()), got.size());
  EXPECT_EQ(text.substr(0, 45), "HTTP/1.1 431 Request Header Fields Too Large\r");
}

}  // namespace
}  // namespace airlab::wifi
