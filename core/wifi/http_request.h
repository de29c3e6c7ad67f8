#pragma once
// A bounded HTTP/1.1 request parser for the captive portal: the request line, the few
// headers the portal's routes read (Host, Content-Length, Content-Type and
// esp32-wifi-manager's X-Custom-ssid / X-Custom-pwd) and a body of at most a few kilobytes.
// Phones and browsers send small requests; anything larger or malformed gets an error that
// maps to 400, 413 or 431, so the server answers it and keeps serving.
//
// Views only: every string_view in an HttpRequest points into the bytes given to
// ParseHttpRequest and lives as long as they do.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::wifi {

enum class HttpMethod : uint8_t { kGet, kHead, kPost, kDelete, kOther };

struct HttpRequest {
  HttpMethod method = HttpMethod::kOther;
  std::string_view target;  // as sent: "/wifisave?s=x" (or an absolute URL)
  std::string_view path;    // "/wifisave"; of an absolute URL without a path, empty: "/"
  std::string_view query;   // "s=x", without the '?'
  std::string_view host;    // the Host header, empty when absent
  std::string_view content_type;
  std::string_view custom_ssid;  // X-Custom-ssid
  std::string_view custom_pwd;   // X-Custom-pwd
  std::string_view body;
  bool keep_alive = false;  // HTTP/1.1 without "Connection: close"
  size_t size = 0;          // bytes the request took, head and body
};

struct HttpLimits {
  size_t max_head = 4096;  // request line and headers, up to and including the blank line
  size_t max_body = 2048;
};

// What became of a parse. kIncomplete: the bytes so far are a valid prefix, read more.
enum class HttpParseOutcome : uint8_t {
  kComplete,
  kIncomplete,
  kBadRequest,            // 400: not HTTP/1.x, a broken line, a lying Content-Length
  kPayloadTooLarge,       // 413: Content-Length over max_body
  kHeaderFieldsTooLarge,  // 431: no blank line within max_head
  kNotImplemented,        // 501: Transfer-Encoding (chunked bodies are not taken)
};

// The HTTP status code a refused request is answered with (0 for kComplete/kIncomplete).
uint16_t HttpStatusFor(HttpParseOutcome outcome);

struct HttpParse {
  HttpParseOutcome outcome = HttpParseOutcome::kIncomplete;
  HttpRequest request;  // filled when kComplete
};

// Parses the request at the start of `bytes` (what a connection received so far).
HttpParse ParseHttpRequest(ByteSpan bytes, const HttpLimits& limits = {});

// application/x-www-form-urlencoded (a form body or a query string): the value of the
// first field named `name`, %-decoded and '+' read as a space, written into `out`.
// kNotFound: no such field; kInvalidArgument: a broken %-escape; kResourceExhausted: the
// value does not fit `out`.
StatusWithSize FormValue(std::string_view form, std::string_view name, MutableByteSpan out);

// %-decodes `text` ('+' stays '+': header values are not forms). Errors as FormValue.
StatusWithSize PercentDecode(std::string_view text, MutableByteSpan out);

}  // namespace airlab::wifi
