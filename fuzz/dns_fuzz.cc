// The captive portal's DNS under libFuzzer: the input is one UDP datagram to port 53 (and,
// read as an answer, one from a resolver). The responder answers within kDnsMaxMessage,
// with the query's id, never answers a response, and what it answers parses back as an
// answer; a query that parses has its question inside the input.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/wifi/dns.h"
#include "fuzz/fuzz_support.h"

using airlab::ByteSpan;
using airlab::Result;
using airlab::StatusWithSize;
using airlab::fuzz::Check;
using namespace airlab::wifi;

volatile uint32_t sink = 0;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input = airlab::AsBytes(data, size);
  const Result<DnsQuestion> query = ParseDnsQuery(input);
  if (query.ok()) {
    Check(airlab::fuzz::Inside(query->question, input));
    sink = sink + airlab::fuzz::Touch(query->question) + query->type + query->qclass;
  }
  std::array<std::byte, kDnsMaxMessage> out{};
  const StatusWithSize answer = AnswerDnsQuery(input, DnsResponderConfig{}, out);
  if (query.ok() && query->question.size() + 12 + 16 <= out.size()) Check(answer.ok());
  if (answer.ok() && answer.size() > 0) {
    Check(size >= 12 && (data[2] & 0x80) == 0);  // never answers a response or a runt
    const uint16_t id = static_cast<uint16_t>(data[0] << 8 | data[1]);
    std::array<std::array<uint8_t, 4>, 2> addresses{};
    const Result<DnsAnswer> back =
        ParseDnsAnswer(ByteSpan(out).first(answer.size()), id, addresses);
    Check(back.ok());
    if (query.ok() && query->type == kDnsTypeA && query->qclass == kDnsClassIn) {
      Check(back->address_count == 1 && addresses[0] == DnsResponderConfig{}.address);
    }
  }
  std::array<std::array<uint8_t, 4>, 4> addresses{};
  const uint16_t id = size >= 2 ? static_cast<uint16_t>(data[0] << 8 | data[1]) : 0;
  if (const Result<DnsAnswer> read = ParseDnsAnswer(input, id, addresses); read.ok()) {
    Check(read->address_count <= addresses.size());
  }
  return 0;
}
