#include "core/wifi/portal.h"

#include <array>

#include "core/base/ascii.h"
#include "core/wifi/escape.h"

namespace airlab::wifi {
namespace {

constexpr char kHex[] = "0123456789abcdef";
// Digits reserved for Content-Length, patched once the body is written (a value shorter
// than the field is followed by spaces, which HTTP allows as trailing whitespace).
constexpr size_t kLengthDigits = 7;

// One small style: readable on a phone, large touch targets, no script.
constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:0 auto;padding:1rem;"
    "line-height:1.4;color:#222;background:#fafafa}"
    "h1{font-size:1.35rem}"
    "a.b,button{display:block;box-sizing:border-box;width:100%;padding:.8rem;margin:.5rem 0;"
    "border:0;border-radius:.5rem;background:#1565c0;color:#fff;font-size:1rem;"
    "text-align:center;text-decoration:none}"
    "button.d{background:#c62828}"
    "label.n{display:flex;justify-content:space-between;align-items:center;gap:.5rem;"
    "padding:.7rem;margin:.35rem 0;border:1px solid #ccc;border-radius:.5rem;background:#fff;"
    "overflow-wrap:anywhere}"
    "input[type=text],input[type=password]{display:block;box-sizing:border-box;width:100%;"
    "padding:.6rem;margin:.25rem 0 .7rem;font-size:1rem;border:1px solid #bbb;"
    "border-radius:.4rem}"
    ".q{color:#555;white-space:nowrap}.e{color:#b71c1c}.ok{color:#1b5e20}"
    "table{border-collapse:collapse;width:100%}td{padding:.3rem;border-bottom:1px solid #ddd;"
    "overflow-wrap:anywhere}";

ByteSpan Bytes(std::string_view s) { return AsBytes(s.data(), s.size()); }

const char* ReasonPhrase(uint16_t status) {
  switch (status) {
    case 200: return "OK";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    default: return "Error";
  }
}

const char* FailureText(port::WifiFailure failure) {
  switch (failure) {
    case port::WifiFailure::kBeaconTimeout: return "the router stopped being heard";
    case port::WifiFailure::kNoApFound: return "no network of that name answered";
    case port::WifiFailure::kWrongPassword: return "wrong password";
    case port::WifiFailure::kAssocFail: return "the router refused the association";
    case port::WifiFailure::kHandshakeTimeout: return "the router did not finish the join";
    case port::WifiFailure::kDeauthenticated: return "the router disconnected the device";
    case port::WifiFailure::kLeft: return "the device left the network";
  }
  return "unknown reason";
}

// tzapu's signal quality.
int Quality(int8_t rssi_dbm) {
  const int q = 2 * (rssi_dbm + 100);
  return q < 0 ? 0 : (q > 100 ? 100 : q);
}

}  // namespace

// A response being written: status line and headers, then the body, then Content-Length
// patched in. HEAD responses keep the headers and drop the body.
class Portal::Page {
 public:
  Page(MutableByteSpan out, bool head_only) : out_(out), head_only_(head_only) {}

  void Begin(uint16_t status, std::string_view content_type, std::string_view location = {}) {
    Text("HTTP/1.1 ").Number(status).Text(" ").Text(ReasonPhrase(status)).Text("\r\n");
    Text("Content-Type: ").Text(content_type).Text("\r\n");
    if (!location.empty()) Text("Location: ").Text(location).Text("\r\n");
    Text("Cache-Control: no-store\r\nConnection: close\r\nContent-Length: ");
    length_at_ = out_.size();
    for (size_t i = 0; i < kLengthDigits; ++i) out_.PutU8(' ');
    Text("\r\n\r\n");
    body_at_ = out_.size();
  }
  void BeginHtml(uint16_t status, std::string_view title, std::string_view refresh = {}) {
    Begin(status, "text/html; charset=utf-8");
    Text(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width,initial-scale=1\">");
    if (!refresh.empty()) Text("<meta http-equiv=refresh content=\"").Text(refresh).Text("\">");
    Text("<title>").Text(title).Text("</title><style>").Text(kStyle).Text("</style></head><body>");
    Text("<h1>").Text(title).Text("</h1>");
  }
  void EndHtml() { Text("</body></html>\n"); }

  Page& Text(std::string_view s) {
    out_.Append(Bytes(s));
    return *this;
  }
  Page& Number(int64_t n) {
    if (n < 0) {
      out_.PutU8('-');
      n = -n;
    }
    std::array<char, 20> digits{};
    size_t count = 0;
    do {
      digits[count++] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n > 0 && count < digits.size());
    while (count > 0) out_.PutU8(static_cast<uint8_t>(digits[--count]));
    return *this;
  }
  Page& Html(ByteSpan s) {
    AppendHtmlEscaped(out_, s).IgnoreError();  // the sticky status is checked in Finish
    return *this;
  }
  Page& Json(ByteSpan s) {
    out_.PutU8('"');
    AppendJsonEscaped(out_, s).IgnoreError();
    out_.PutU8('"');
    return *this;
  }
  Page& Hex(ByteSpan s) {
    for (std::byte b : s) {
      const auto v = static_cast<uint8_t>(b);
      out_.PutU8(static_cast<uint8_t>(kHex[v >> 4])).PutU8(static_cast<uint8_t>(kHex[v & 0xf]));
    }
    return *this;
  }
  Page& Ip(const port::Ipv4Address& a) {
    return Number(a[0]).Text(".").Number(a[1]).Text(".").Number(a[2]).Text(".").Number(a[3]);
  }
  Page& Mac(const MacAddress& mac) {
    std::array<char, MacAddress::kStringSize + 1> text{};
    mac.Format(text);
    return Text(std::string_view(text.data(), MacAddress::kStringSize));
  }

  StatusWithSize Finish() {
    if (!out_.ok()) return StatusWithSize(out_.status(), out_.size());
    size_t length = out_.size() - body_at_;
    MutableByteSpan field = out_.writable_bytes().subspan(length_at_, kLengthDigits);
    std::array<char, kLengthDigits> digits{};
    size_t count = 0;
    do {
      digits[count++] = static_cast<char>('0' + length % 10);
      length /= 10;
    } while (length > 0 && count < kLengthDigits);
    for (size_t i = 0; i < count; ++i) field[i] = std::byte(digits[count - 1 - i]);
    if (head_only_) out_.Truncate(body_at_);
    return StatusWithSize(out_.size());
  }

 private:
  ByteBuilder out_;
  bool head_only_;
  size_t length_at_ = 0;
  size_t body_at_ = 0;
};

Portal::Portal(PortalBackend& backend, const PortalConfig& config)
    : backend_(backend), config_(config) {}

bool Portal::IsOwnHost(std::string_view host) const {
  if (host.empty()) return true;  // HTTP/1.0 without Host: nothing says it is foreign
  if (EqualsIgnoreCase(host, config_.origin)) return true;
  // "192.168.4.1:80" is "192.168.4.1".
  return host.size() == config_.origin.size() + 3 && host.substr(config_.origin.size()) == ":80" &&
         EqualsIgnoreCase(host.substr(0, config_.origin.size()), config_.origin);
}

StatusWithSize Portal::Respond(const HttpRequest& request, MutableByteSpan out) {
  Page page(out, request.method == HttpMethod::kHead);
  const bool get = request.method == HttpMethod::kGet || request.method == HttpMethod::kHead;
  const bool post = request.method == HttpMethod::kPost;
  const std::string_view path = request.path.empty() ? "/" : request.path;
  if (!IsOwnHost(request.host)) {
    Redirect(page);
  } else if (path == "/" && get) {
    MenuPage(page);
  } else if ((path == "/wifi" || path == "/0wifi") && get) {
    WifiPage(page, request);
  } else if (path == "/wifisave" && (get || post)) {
    WifiSave(page, post ? request.body : request.query);
  } else if (path == "/param" && get) {
    ParamPage(page);
  } else if (path == "/paramsave" && (get || post)) {
    ParamSave(page, post ? request.body : request.query);
  } else if (path == "/info" && get) {
    InfoPage(page);
  } else if (path == "/erase" && (get || post)) {
    ErasePage(page, request);
  } else if (path == "/exit" && (get || post)) {
    ExitPage(page);
  } else if (path == "/update") {
    page.BeginHtml(501, config_.title);
    page.Text(
        "<p>Firmware updates are not supported by this portal.</p>"
        "<a class=b href=\"/\">Back</a>");
    page.EndHtml();
  } else if (path == "/ap.json" && get) {
    ApJson(page);
  } else if (path == "/status.json" && get) {
    StatusJson(page);
  } else if (path == "/connect.json" && (post || request.method == HttpMethod::kDelete)) {
    ConnectJson(page, request);
  } else {
    Redirect(page);  // every OS probe, unknown path or method a route does not take
  }
  return page.Finish();
}

StatusWithSize Portal::RespondError(uint16_t http_status, MutableByteSpan out) {
  Page page(out, false);
  page.Begin(http_status, "text/plain; charset=utf-8");
  page.Number(http_status).Text(" ").Text(ReasonPhrase(http_status)).Text("\n");
  return page.Finish();
}

// Every OS probe, unknown path and foreign host: 302 to the portal with a short body (iOS
// wants one).
void Portal::Redirect(Page& page) {
  std::array<char, 96> location{};
  ByteBuilder url(AsWritableBytes(location.data(), location.size()));
  url.Append(Bytes("http://")).Append(Bytes(config_.origin)).Append(Bytes("/"));
  const std::string_view target(location.data(), url.size());
  page.Begin(302, "text/html; charset=utf-8", target);
  page.Text("<a href=\"").Text(target).Text("\">").Text(config_.title).Text("</a>\n");
}

void Portal::AppendStatusLine(Page& page) {
  const PortalStatus s = backend_.status();
  switch (s.state) {
    case PortalLinkState::kIdle: page.Text("<p>Not connected to a network yet.</p>"); return;
    case PortalLinkState::kConnecting:
      page.Text("<p>Joining <b>").Html(s.ssid.bytes()).Text("</b>&hellip;</p>");
      return;
    case PortalLinkState::kConnected:
      page.Text("<p class=ok>Connected to <b>").Html(s.ssid.bytes()).Text("</b> as ");
      page.Ip(s.ip.address).Text(".</p>");
      return;
    case PortalLinkState::kFailed:
      page.Text("<p class=e>Could not join <b>").Html(s.ssid.bytes()).Text("</b>: ");
      page.Text(FailureText(s.failure)).Text(".</p>");
      return;
    case PortalLinkState::kLost:
      page.Text("<p class=e>Lost <b>").Html(s.ssid.bytes()).Text("</b>: ");
      page.Text(FailureText(s.failure)).Text(".</p>");
      return;
    case PortalLinkState::kUserDisconnect: page.Text("<p>Disconnected.</p>"); return;
  }
}

void Portal::MenuPage(Page& page) {
  page.BeginHtml(200, config_.title);
  page.Text("<p>Device <b>");
  page.Html(Bytes(backend_.device_name())).Text("</b></p>");
  AppendStatusLine(page);
  page.Text("<a class=b href=\"/wifi\">Configure Wi-Fi</a>");
  if (!backend_.parameters().empty()) page.Text("<a class=b href=\"/param\">Settings</a>");
  page.Text(
      "<a class=b href=\"/info\">Info</a><a class=b href=\"/erase\">Erase</a>"
      "<a class=b href=\"/exit\">Exit</a>");
  page.EndHtml();
}

void Portal::WifiPage(Page& page, const HttpRequest& request) {
  std::array<std::byte, 4> flag{};
  if (FormValue(request.query, "scan", flag).ok()) backend_.RequestScan();
  const std::span<const port::ScanEntry> networks = backend_.networks();
  page.BeginHtml(200, config_.title, networks.empty() ? "3" : "");
  page.Text("<form method=POST action=\"/wifisave\">");
  if (networks.empty()) page.Text("<p>Scanning&hellip; this page reloads by itself.</p>");
  for (const port::ScanEntry& n : networks) {
    if (n.ssid.empty()) continue;  // a hidden network: typed below
    page.Text("<label class=n><span><input type=radio name=h value=\"").Hex(n.ssid.bytes());
    page.Text("\"> ").Html(n.ssid.bytes()).Text("</span><span class=q>");
    page.Number(Quality(n.rssi_dbm)).Text("%");
    if (n.auth != port::WifiAuth::kOpen) page.Text(" &#128274;");
    page.Text("</span></label>");
  }
  page.Text(
      "<label>Or type a network's name (hidden networks)"
      "<input type=text name=s maxlength=32 autocapitalize=none autocorrect=off></label>"
      "<label>Password<input type=password name=p maxlength=64></label>");
  for (const PortalParameter& p : backend_.parameters()) {
    page.Text("<label>").Html(Bytes(p.label)).Text("<input type=text name=\"");
    page.Html(Bytes(p.id)).Text("\" maxlength=").Number(static_cast<int64_t>(p.max_length));
    page.Text(" value=\"").Html(Bytes(p.value)).Text("\"></label>");
  }
  page.Text(
      "<button type=submit>Save and connect</button></form>"
      "<a class=b href=\"/wifi?scan=1\">Scan again</a><a class=b href=\"/\">Back</a>");
  page.EndHtml();
}

// The SSID a /wifisave form names: the typed field s when filled in, otherwise the chosen
// network's bytes from h.
static Status FormSsid(std::string_view form, port::Ssid& ssid) {
  std::array<std::byte, port::Ssid::kMaxSize> bytes{};
  const StatusWithSize typed = FormValue(form, "s", bytes);
  if (typed.ok() && typed.size() > 0) {
    return ssid.Assign(ByteSpan(bytes).first(typed.size())) ? Status::Ok()
                                                            : Status::InvalidArgument();
  }
  if (!typed.ok() && typed.status() != Status::NotFound()) return Status::InvalidArgument();
  std::array<std::byte, 2 * port::Ssid::kMaxSize> hex{};
  const StatusWithSize h = FormValue(form, "h", hex);
  if (!h.ok() || h.size() == 0 || h.size() % 2 != 0) return Status::InvalidArgument();
  for (size_t i = 0; i < h.size() / 2; ++i) {
    const int hi = HexDigitValue(static_cast<char>(hex[2 * i]));
    const int lo = HexDigitValue(static_cast<char>(hex[2 * i + 1]));
    if (hi < 0 || lo < 0) return Status::InvalidArgument();
    bytes[i] = std::byte(static_cast<uint8_t>(hi * 16 + lo));
  }
  return ssid.Assign(ByteSpan(bytes).first(h.size() / 2)) ? Status::Ok()
                                                          : Status::InvalidArgument();
}

Status Portal::SaveParameters(std::string_view form) {
  for (const PortalParameter& p : backend_.parameters()) {
    std::array<char, 256> value{};
    const StatusWithSize got = FormValue(form, p.id, AsWritableBytes(value.data(), value.size()));
    if (got.status() == Status::NotFound()) continue;
    AIRLAB_TRY(got);
    AIRLAB_TRY(backend_.SetParameter(p.id, std::string_view(value.data(), got.size())));
  }
  return Status::Ok();
}

void Portal::WifiSave(Page& page, std::string_view form) {
  port::Ssid ssid;
  std::array<std::byte, 64> passphrase{};
  const StatusWithSize p = FormValue(form, "p", passphrase);
  const ByteSpan pass = ByteSpan(passphrase).first(p.ok() ? p.size() : 0);
  const char* problem = nullptr;
  if (!FormSsid(form, ssid).ok()) {
    problem = "Pick a network or type its name (at most 32 bytes).";
  } else if ((!p.ok() && p.status() != Status::NotFound()) || !port::IsValidPassphrase(pass)) {
    problem =
        "The password must be 8 to 63 characters, or 64 hex digits, or empty for an "
        "open network.";
  } else if (!SaveParameters(form).ok()) {
    problem = "A setting is too long or unknown.";
  } else if (Status saved = backend_.SaveAndConnect(ssid, pass); !saved.ok()) {
    problem = saved == Status::ResourceExhausted() ? "The device cannot store another network."
                                                   : "The device refused these credentials.";
  }
  if (problem != nullptr) {
    page.BeginHtml(400, config_.title);
    page.Text("<p class=e>").Text(problem).Text("</p><a class=b href=\"/wifi\">Back</a>");
    page.EndHtml();
    return;
  }
  page.BeginHtml(200, config_.title, "5;url=/");
  page.Text("<p class=ok>Saved. The device is joining <b>").Html(ssid.bytes());
  page.Text(
      "</b>.</p><p>This page goes back to the menu, which shows how the join went.</p>"
      "<a class=b href=\"/\">Menu</a>");
  page.EndHtml();
}

void Portal::ParamPage(Page& page) {
  page.BeginHtml(200, config_.title);
  page.Text("<form method=POST action=\"/paramsave\">");
  for (const PortalParameter& p : backend_.parameters()) {
    page.Text("<label>").Html(Bytes(p.label)).Text("<input type=text name=\"");
    page.Html(Bytes(p.id)).Text("\" maxlength=").Number(static_cast<int64_t>(p.max_length));
    page.Text(" value=\"").Html(Bytes(p.value)).Text("\"></label>");
  }
  page.Text("<button type=submit>Save</button></form><a class=b href=\"/\">Back</a>");
  page.EndHtml();
}

void Portal::ParamSave(Page& page, std::string_view form) {
  const bool saved = SaveParameters(form).ok();
  page.BeginHtml(saved ? 200 : 400, config_.title);
  page.Text(saved ? "<p class=ok>Settings saved.</p>"
                  : "<p class=e>A setting is too long or unknown.</p>");
  page.Text("<a class=b href=\"/\">Back</a>");
  page.EndHtml();
}

void Portal::InfoPage(Page& page) {
  const PortalStatus s = backend_.status();
  page.BeginHtml(200, config_.title);
  page.Text("<table><tr><td>Device</td><td>").Html(Bytes(backend_.device_name()));
  page.Text("</td></tr><tr><td>Station MAC</td><td>").Mac(backend_.station_mac());
  page.Text("</td></tr><tr><td>Access point MAC</td><td>").Mac(backend_.ap_mac());
  page.Text("</td></tr><tr><td>Network</td><td>").Html(s.ssid.bytes());
  if (s.state == PortalLinkState::kConnected) {
    page.Text("</td></tr><tr><td>Address</td><td>").Ip(s.ip.address);
    page.Text("</td></tr><tr><td>Gateway</td><td>").Ip(s.ip.gateway);
  }
  page.Text("</td></tr></table>");
  AppendStatusLine(page);
  page.Text("<a class=b href=\"/\">Back</a>");
  page.EndHtml();
}

// GET asks (a link prefetched by a browser must not erase anything); POST erases.
void Portal::ErasePage(Page& page, const HttpRequest& request) {
  page.BeginHtml(200, config_.title);
  if (request.method == HttpMethod::kPost) {
    backend_.Erase();
    page.Text("<p class=ok>Stored networks and settings erased.</p>");
  } else {
    page.Text(
        "<p>Forget every stored network and setting?</p><form method=POST "
        "action=\"/erase\"><button class=d type=submit>Erase</button></form>");
  }
  page.Text("<a class=b href=\"/\">Back</a>");
  page.EndHtml();
}

void Portal::ExitPage(Page& page) {
  backend_.Exit();
  page.BeginHtml(200, config_.title);
  page.Text("<p>Portal closed: the device goes back to its stored networks.</p>");
  page.EndHtml();
}

void Portal::ApJson(Page& page) {
  page.Begin(200, "application/json");
  page.Text("[");
  bool first = true;
  for (const port::ScanEntry& n : backend_.networks()) {
    page.Text(first ? "{\"ssid\":" : ",\n{\"ssid\":").Json(n.ssid.bytes());
    page.Text(",\"chan\":").Number(n.channel).Text(",\"rssi\":").Number(n.rssi_dbm);
    page.Text(",\"auth\":").Number(static_cast<int>(n.auth)).Text("}");
    first = false;
  }
  page.Text("]\n");
}

void Portal::StatusJson(Page& page) {
  const PortalStatus s = backend_.status();
  page.Begin(200, "application/json");
  if (s.state == PortalLinkState::kIdle) {
    page.Text("{}\n");
    return;
  }
  page.Text("{\"ssid\":").Json(s.ssid.bytes());
  if (s.state == PortalLinkState::kConnected) {
    page.Text(",\"ip\":\"").Ip(s.ip.address).Text("\",\"netmask\":\"").Ip(s.ip.netmask);
    page.Text("\",\"gw\":\"").Ip(s.ip.gateway).Text("\"");
  }
  if (s.state != PortalLinkState::kConnecting) {
    page.Text(",\"urc\":").Number(static_cast<int>(s.state));
  }
  if (s.state == PortalLinkState::kFailed || s.state == PortalLinkState::kLost) {
    page.Text(",\"reason\":\"").Text(FailureText(s.failure)).Text("\"");
  }
  page.Text("}\n");
}

// esp32-wifi-manager: POST with the credentials in headers (raw bytes, not %-encoded);
// DELETE disconnects and forgets them.
void Portal::ConnectJson(Page& page, const HttpRequest& request) {
  if (request.method == HttpMethod::kDelete) {
    backend_.Erase();
    page.Begin(200, "application/json");
    page.Text("{}\n");
    return;
  }
  port::Ssid ssid;
  const ByteSpan pass = Bytes(request.custom_pwd);
  Status saved = Status::InvalidArgument();
  if (!request.custom_ssid.empty() && ssid.Assign(Bytes(request.custom_ssid)) &&
      port::IsValidPassphrase(pass)) {
    saved = backend_.SaveAndConnect(ssid, pass);
  }
  page.Begin(saved.ok() ? 200 : 400, "application/json");
  page.Text(saved.ok() ? "{}\n" : "{\"error\":\"bad X-Custom-ssid or X-Custom-pwd\"}\n");
}

}  // namespace airlab::wifi
