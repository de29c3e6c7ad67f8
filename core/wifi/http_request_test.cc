#include "core/wifi/http_request.h"

#include <array>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace airlab::wifi {
namespace {

HttpParse Parse(std::string_view text, const HttpLimits& limits = {}) {
  return ParseHttpRequest(AsBytes(text.data(), text.size()), limits);
}

std::string Form(std::string_view form, std::string_view name, Status* status = nullptr) {
  std::array<std::byte, 32> out{};
  const StatusWithSize got = FormValue(form, name, out);
  if (status != nullptr) *status = got.status();
  return std::string(reinterpret_cast<const char*>(out.data()), got.size());
}

TEST(HttpRequest, ParsesGetWithQueryAndHost) {
  const HttpParse p = Parse(
      "GET /wifisave?s=home&p=secret123 HTTP/1.1\r\nHost: 192.168.4.1\r\n"
      "User-Agent: x\r\n\r\nextra");
  ASSERT_EQ(p.outcome, HttpParseOutcome::kComplete);
  EXPECT_EQ(p.request.method, HttpMethod::kGet);
  EXPECT_EQ(p.request.path, "/wifisave");
  EXPECT_EQ(p.request.query, "s=home&p=secret123");
  EXPECT_EQ(p.request.host, "192.168.4.1");
  EXPECT_TRUE(p.request.keep_alive);
  EXPECT_EQ(p.request.size, 79u);  // the request without the bytes after it
}

TEST(HttpRequest, ReadsBodyAndCustomHeaders) {
  const std::string text =
      "POST /connect.json HTTP/1.1\r\nhost: a\r\nX-Custom-ssid: my net\r\nx-custom-PWD:  pw \r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n"
      "Connection: keep-alive, close\r\n\r\nhello";
  const HttpParse p = Parse(text);
  ASSERT_EQ(p.outcome, HttpParseOutcome::kComplete);
  EXPECT_EQ(p.request.method, HttpMethod::kPost);
  EXPECT_EQ(p.request.custom_ssid, "my net");
  EXPECT_EQ(p.request.custom_pwd, "pw");
  EXPECT_EQ(p.request.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(p.request.body, "hello");
  EXPECT_FALSE(p.request.keep_alive);
  EXPECT_EQ(p.request.size, text.size());
}

TEST(HttpRequest, EveryPrefixIsIncomplete) {
  const std::string text = "POST /wifisave HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_EQ(Parse(text.substr(0, n)).outcome, HttpParseOutcome::kIncomplete) << n;
  }
  EXPECT_EQ(Parse(text).outcome, HttpParseOutcome::kComplete);
}

TEST(HttpRequest, AbsoluteFormTakesTheHostFromTheUrl) {
  const HttpParse p = Parse("GET http://captive.apple.com/hotspot-detect.html HTTP/1.0\r\n\r\n");
  ASSERT_EQ(p.outcome, HttpParseOutcome::kComplete);
  EXPECT_EQ(p.request.host, "captive.apple.com");
  EXPECT_EQ(p.request.path, "/hotspot-detect.html");
  EXPECT_FALSE(p.request.keep_alive);
}

TEST(HttpRequest, RefusesMalformedRequests) {
  for (std::string_view bad : {
           "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
           "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET noslash HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1\r\n\r\n",  // HTTP/1.1 without Host
           "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
           "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
       }) {
    EXPECT_EQ(Parse(bad).outcome, HttpParseOutcome::kBadRequest) << bad;
  }
  EXPECT_EQ(HttpStatusFor(HttpParseOutcome::kBadRequest), 400);
}

TEST(HttpRequest, RefusesABrokenRequestLineBeforeTheHeadEnds) {
  EXPECT_EQ(Parse("\x16\x03\x01 TLS hello\r\n").outcome, HttpParseOutcome::kBadRequest);
  EXPECT_EQ(Parse(std::string_view("\x16\x03\x01\x02\x00", 5)).outcome,
            HttpParseOutcome::kBadRequest);
  EXPECT_EQ(Parse("GE").outcome, HttpParseOutcome::kIncomplete);
  EXPECT_EQ(Parse("GET\r").outcome, HttpParseOutcome::kIncomplete);
}

TEST(HttpRequest, OversizeMapsTo413And431) {
  const HttpLimits limits{.max_head = 96, .max_body = 16};
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n", limits).outcome,
            HttpParseOutcome::kPayloadTooLarge);
  EXPECT_EQ(
      Parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", limits)
          .outcome,
      HttpParseOutcome::kPayloadTooLarge);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + std::string(64, 'x'), limits).outcome,
            HttpParseOutcome::kHeaderFieldsTooLarge);
  EXPECT_EQ(HttpStatusFor(HttpParseOutcome::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(HttpParseOutcome::kHeaderFieldsTooLarge), 431);
}

TEST(HttpRequest, ChunkedBodiesAreNotTaken) {
  const HttpParse p = Parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(p.outcome, HttpParseOutcome::kNotImplemented);
  EXPECT_EQ(HttpStatusFor(p.outcome), 501);
}

TEST(FormValue, DecodesPercentAndPlus) {
  EXPECT_EQ(Form("s=caf%C3%A9+bar&p=x", "s"), "caf\xc3\xa9 bar");
  EXPECT_EQ(Form("s=a&p=%00%ff", "p"), std::string("\0\xff", 2));
  EXPECT_EQ(Form("ss=1&s=2", "s"), "2");
  EXPECT_EQ(Form("s", "s"), "");
}

TEST(FormValue, ReportsMissingBrokenAndOversize) {
  Status status;
  Form("a=1", "s", &status);
  EXPECT_EQ(status, Status::NotFound());
  Form("s=%zz", "s", &status);
  EXPECT_EQ(status, Status::InvalidArgument());
  Form("s=%4", "s", &status);
  EXPECT_EQ(status, Status::InvalidArgument());
  Form("s=" + std::string(33, 'x'), "s", &status);
  EXPECT_EQ(status, Status::ResourceExhausted());
}

TEST(PercentDecode, KeepsPlus) {
  std::array<std::byte, 8> out{};
  const StatusWithSize got = PercentDecode("a+b%20", out);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), got.size()), "a+b ");
}

}  // namespace
}  // namespace airlab::wifi
