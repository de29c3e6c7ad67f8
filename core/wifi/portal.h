#pragma once
// The captive portal's routes: an HttpRequest in, a whole HTTP/1.1 response (status line,
// headers, body) out into the caller's buffer. No sockets here: a host server
// (host/portal_server.h) or a board's HTTP loop carries the bytes.
//
// Routes:
// - tzapu/WiFiManager's form routes: / (menu), /wifi (scan list, quality = 2 * (RSSI + 100)
//   clamped to 0..100, a field for a hidden SSID), /wifisave (fields s, p, h and the custom
//   parameters; GET or POST), /param and /paramsave, /info, /erase (GET asks, POST erases),
//   /exit, /update (501: no firmware updates here).
// - esp32-wifi-manager's JSON routes: GET /ap.json, GET /status.json, POST /connect.json
//   (headers X-Custom-ssid, X-Custom-pwd), DELETE /connect.json.
// - Every OS connectivity probe (/generate_204, /hotspot-detect.html, /connecttest.txt...),
//   any unknown path, and any request whose Host is not the portal's: 302 to the portal's
//   address with a short body, which is what keeps a phone's "sign in" pop-up open.
//
// Pages work without JavaScript and fit a phone (viewport meta, one small inline style).
// Every SSID and parameter value is escaped (core/wifi/escape.h). An SSID that is not text
// is still selectable: each network's radio button carries its bytes in hex (field h), so
// the form never depends on the SSID surviving HTML and form encoding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/wifi/http_request.h"
#include "core/wifi/portal_backend.h"

namespace airlab::wifi {

struct PortalConfig {
  // Where the portal is reached: the Host it answers as itself and the target of every
  // redirect ("192.168.4.1", or "127.0.0.1:8080" for a portal tried on a PC).
  std::string_view origin = "192.168.4.1";
  std::string_view title = "Wi-Fi setup";
};

// A response buffer this size holds every page with a full scan list (32 networks with
// 32-byte SSIDs of escaped bytes) and four parameters.
inline constexpr size_t kPortalResponseCapacity = 24 * 1024;

class Portal {
 public:
  Portal(PortalBackend& backend, const PortalConfig& config);

  // Writes the response to `request`. kResourceExhausted when `out` is too small (the
  // response is then cut: answer RespondError(500) instead). The size is the response's.
  StatusWithSize Respond(const HttpRequest& request, MutableByteSpan out);

  // A short response with `http_status` (400, 413, 431, 501...) for a request the parser
  // refused.
  static StatusWithSize RespondError(uint16_t http_status, MutableByteSpan out);

 private:
  class Page;
  bool IsOwnHost(std::string_view host) const;
  void Redirect(Page& page);
  void MenuPage(Page& page);
  void WifiPage(Page& page, const HttpRequest& request);
  void WifiSave(Page& page, std::string_view form);
  void ParamPage(Page& page);
  void ParamSave(Page& page, std::string_view form);
  void InfoPage(Page& page);
  void ErasePage(Page& page, const HttpRequest& request);
  void ExitPage(Page& page);
  void ApJson(Page& page);
  void StatusJson(Page& page);
  void ConnectJson(Page& page, const HttpRequest& request);
  void AppendStatusLine(Page& page);
  Status SaveParameters(std::string_view form);

  PortalBackend& backend_;
  PortalConfig config_;
};

}  // namespace airlab::wifi
