#include "core/wifi/http_request.h"

#include "core/base/ascii.h"

namespace airlab::wifi {
namespace {

constexpr std::string_view kHeadEnd = "\r\n\r\n";

// RFC 9110 tchar: what a method or a header name is made of.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// A request target: visible ASCII only (no spaces, no control bytes, no raw UTF-8).
bool IsTarget(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (b <= 0x20 || b >= 0x7f) return false;
  }
  return s[0] == '/' || s.substr(0, 7) == "http://";
}

// A field value: visible bytes, spaces and tabs (obs-text 0x80.. allowed), no other controls.
bool IsFieldValue(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if ((b < 0x20 && b != '\t') || b == 0x7f) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HttpMethod MethodFrom(std::string_view m) {
  if (m == "GET") return HttpMethod::kGet;
  if (m == "HEAD") return HttpMethod::kHead;
  if (m == "POST") return HttpMethod::kPost;
  if (m == "DELETE") return HttpMethod::kDelete;
  return HttpMethod::kOther;
}

// Decimal digits only, no sign, no overflow past `limit` (a larger value reports limit + 1).
bool ParseLength(std::string_view s, size_t limit, size_t& out) {
  if (s.empty()) return false;
  size_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (value <= limit) value = value * 10 + static_cast<size_t>(c - '0');
  }
  out = value > limit ? limit + 1 : value;
  return true;
}

bool ContainsTokenIgnoreCase(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (EqualsIgnoreCase(TrimSpaces(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

StatusWithSize Decode(std::string_view text, bool plus_is_space, MutableByteSpan out) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t b = static_cast<uint8_t>(text[i]);
    if (text[i] == '%') {
      if (text.size() - i < 3) return StatusWithSize(Status::InvalidArgument(), n);
      const int hi = HexDigitValue(text[i + 1]);
      const int lo = HexDigitValue(text[i + 2]);
      if (hi < 0 || lo < 0) return StatusWithSize(Status::InvalidArgument(), n);
      b = static_cast<uint8_t>(hi * 16 + lo);
      i += 2;
    } else if (plus_is_space && text[i] == '+') {
      b = ' ';
    }
    if (n == out.size()) return StatusWithSize(Status::ResourceExhausted(), n);
    out[n++] = std::byte{b};
  }
  return StatusWithSize(n);
}

// The request line: METHOD SP target SP HTTP/1.x.
bool ParseRequestLine(std::string_view line, HttpRequest& request) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method) || !IsTarget(target)) return false;
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  request.method = MethodFrom(method);
  request.target = target;
  request.keep_alive = version == "HTTP/1.1";
  return true;
}

// Fills `request` from the head (request line and header lines, without the blank line).
HttpParseOutcome ParseHead(std::string_view head, const HttpLimits& limits, HttpRequest& request,
                           size_t& content_length) {
  size_t line_end = head.find("\r\n");
  if (!ParseRequestLine(head.substr(0, line_end), request)) return HttpParseOutcome::kBadRequest;
  const bool http11 = request.keep_alive;
  bool have_host = false;
  bool have_length = false;
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view field = head.substr(start, line_end - start);
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos) return HttpParseOutcome::kBadRequest;
    const std::string_view name = field.substr(0, colon);  // no space before ':' (RFC 9112)
    const std::string_view value = TrimSpaces(field.substr(colon + 1));
    if (!IsToken(name) || !IsFieldValue(value)) return HttpParseOutcome::kBadRequest;
    if (EqualsIgnoreCase(name, "host")) {
      if (have_host) return HttpParseOutcome::kBadRequest;
      have_host = true;
      request.host = value;
    } else if (EqualsIgnoreCase(name, "content-length")) {
      size_t length = 0;
      if (!ParseLength(value, limits.max_body, length)) return HttpParseOutcome::kBadRequest;
      if (have_length && length != content_length) return HttpParseOutcome::kBadRequest;
      have_length = true;
      content_length = length;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      return HttpParseOutcome::kNotImplemented;
    } else if (EqualsIgnoreCase(name, "content-type")) {
      request.content_type = value;
    } else if (EqualsIgnoreCase(name, "x-custom-ssid")) {
      request.custom_ssid = value;
    } else if (EqualsIgnoreCase(name, "x-custom-pwd")) {
      request.custom_pwd = value;
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (ContainsTokenIgnoreCase(value, "close")) request.keep_alive = false;
    }
  }
  if (http11 && !have_host) return HttpParseOutcome::kBadRequest;
  if (content_length > limits.max_body) return HttpParseOutcome::kPayloadTooLarge;

  std::string_view path = request.target;
  if (path.substr(0, 7) == "http://") {  // absolute form: the URL's authority is the host
    path.remove_prefix(7);
    const size_t slash = path.find('/');
    request.host = path.substr(0, slash);
    path = path.substr(slash == std::string_view::npos ? path.size() : slash);
  }
  const size_t question = path.find('?');
  request.path = path.substr(0, question);
  request.query =
      question == std::string_view::npos ? std::string_view() : path.substr(question + 1);
  return HttpParseOutcome::kComplete;
}

}  // namespace

uint16_t HttpStatusFor(HttpParseOutcome outcome) {
  switch (outcome) {
    case HttpParseOutcome::kBadRequest: return 400;
    case HttpParseOutcome::kPayloadTooLarge: return 413;
    case HttpParseOutcome::kHeaderFieldsTooLarge: return 431;
    case HttpParseOutcome::kNotImplemented: return 501;
    case HttpParseOutcome::kComplete:
    case HttpParseOutcome::kIncomplete: break;
  }
  return 0;
}

HttpParse ParseHttpRequest(ByteSpan bytes, const HttpLimits& limits) {
  HttpParse result;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const size_t head_end = text.find(kHeadEnd);
  if (head_end == std::string_view::npos || head_end + kHeadEnd.size() > limits.max_head) {
    // A broken request line is refused at once, not after max_head bytes of it (or an idle
    // timeout): a complete line that does not parse, or a method with a byte no method has
    // (a TLS hello sent to port 80, binary junk).
    const size_t line_end = text.find("\r\n");
    const std::string_view method = text.substr(0, text.find_first_of(" \r"));
    HttpRequest ignored;
    if ((line_end != std::string_view::npos &&
         !ParseRequestLine(text.substr(0, line_end), ignored)) ||
        (!method.empty() && !IsToken(method))) {
      result.outcome = HttpParseOutcome::kBadRequest;
    } else if (head_end != std::string_view::npos || text.size() >= limits.max_head) {
      result.outcome = HttpParseOutcome::kHeaderFieldsTooLarge;
    } else {
      result.outcome = HttpParseOutcome::kIncomplete;
    }
    return result;
  }
  size_t content_length = 0;
  result.outcome = ParseHead(text.substr(0, head_end), limits, result.request, content_length);
  if (result.outcome != HttpParseOutcome::kComplete) return result;
  const size_t body_start = head_end + kHeadEnd.size();
  if (text.size() - body_start < content_length) {
    result.outcome = HttpParseOutcome::kIncomplete;
    return result;
  }
  result.request.body = text.substr(body_start, content_length);
  result.request.size = body_start + content_length;
  return result;
}

StatusWithSize PercentDecode(std::string_view text, MutableByteSpan out) {
  return Decode(text, false, out);
}

StatusWithSize FormValue(std::string_view form, std::string_view name, MutableByteSpan out) {
  while (!form.empty()) {
    const size_t amp = form.find('&');
    const std::string_view pair = form.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true,
                    out);
    }
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return StatusWithSize(Status::NotFound(), 0);
}

}  // namespace airlab::wifi
