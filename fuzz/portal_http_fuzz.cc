// The portal's request handling under libFuzzer: the input is what a connection received.
// Whatever ParseHttpRequest accepts must lie inside the input with a size that adds up, its
// form fields must decode without overrunning, and the portal must answer it with a
// well-formed response whose Content-Length matches its body; a refusal must map to 4xx/5xx.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/wifi/http_request.h"
#include "core/wifi/portal.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace airlab;
using namespace airlab::wifi;
using fuzz::Check;

volatile uint32_t sink = 0;

// A backend with networks whose SSIDs are hostile, taking whatever the routes hand it.
class FuzzBackend : public PortalBackend {
 public:
  FuzzBackend() {
    constexpr std::string_view names[] = {"<script>x</script>", "a\"b'c&d",
                                          std::string_view("\xff\xfe\x00\x01", 4)};
    for (size_t i = 0; i < scan_.size(); ++i) {
      (void)scan_[i].ssid.Assign(AsBytes(names[i].data(), names[i].size()));
      scan_[i].rssi_dbm = static_cast<int8_t>(-30 - 40 * static_cast<int>(i));
    }
  }
  std::span<const port::ScanEntry> networks() override { return scan_; }
  void RequestScan() override {}
  Status SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) override {
    sink = sink + static_cast<uint32_t>(ssid.size() + passphrase.size());
    link_.state = PortalLinkState::kConnecting;
    link_.ssid = ssid;
    return Status::Ok();
  }
  PortalStatus status() const override { return link_; }
  std::span<const PortalParameter> parameters() const override { return params_; }
  Status SetParameter(std::string_view id, std::string_view value) override {
    return id == "key" && value.size() <= 16 ? Status::Ok() : Status::InvalidArgument();
  }
  void Erase() override { link_ = {}; }
  void Exit() override {}
  std::string_view device_name() const override { return "fuzz"; }
  MacAddress station_mac() const override { return {}; }
  MacAddress ap_mac() const override { return {}; }

 private:
  std::array<port::ScanEntry, 3> scan_{};
  PortalStatus link_;
  std::array<PortalParameter, 1> params_{{{"key", "Key", "v", 16}}};
};

bool Inside(std::string_view part, ByteSpan whole) {
  return part.empty() || fuzz::Inside(AsBytes(part.data(), part.size()), whole);
}

void CheckResponse(ByteSpan response) {
  const std::string_view text(reinterpret_cast<const char*>(response.data()), response.size());
  Check(text.substr(0, 9) == "HTTP/1.1 ");
  const size_t head_end = text.find("\r\n\r\n");
  Check(head_end != std::string_view::npos);
  const size_t at = text.find("Content-Length: ");
  Check(at != std::string_view::npos && at < head_end);
  size_t length = 0;
  for (size_t i = at + 16; text[i] >= '0' && text[i] <= '9'; ++i) {
    length = length * 10 + static_cast<size_t>(text[i] - '0');
  }
  const size_t body = text.size() - head_end - 4;
  Check(length == body || body == 0);  // 0: a HEAD request
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzBackend backend;
  static Portal portal(backend, PortalConfig{});
  static std::array<std::byte, kPortalResponseCapacity> out;
  const ByteSpan input = AsBytes(data, size);
  const HttpParse parsed = ParseHttpRequest(input, HttpLimits{.max_head = 1024, .max_body = 512});
  if (parsed.outcome != HttpParseOutcome::kComplete) {
    const uint16_t status = HttpStatusFor(parsed.outcome);
    Check(parsed.outcome == HttpParseOutcome::kIncomplete ? status == 0 : status >= 400);
    if (status != 0) {
      const StatusWithSize error = Portal::RespondError(status, out);
      Check(error.ok());
      CheckResponse(ByteSpan(out).first(error.size()));
    }
    return 0;
  }
  const HttpRequest& r = parsed.request;
  Check(r.size <= size);
  for (std::string_view part :
       {r.target, r.path, r.query, r.host, r.content_type, r.custom_ssid, r.custom_pwd, r.body}) {
    Check(Inside(part, input));
    sink = sink + fuzz::Touch(AsBytes(part.data(), part.size()));
  }
  std::array<std::byte, 64> value{};
  for (std::string_view name : {"s", "p", "h", "key"}) {
    const StatusWithSize got = FormValue(r.body, name, value);
    Check(got.size() <= value.size());
    const StatusWithSize in_query = FormValue(r.query, name, value);
    Check(in_query.size() <= value.size());
  }
  const StatusWithSize response = portal.Respond(r, out);
  Check(response.ok());
  CheckResponse(ByteSpan(out).first(response.size()));
  return 0;
}
