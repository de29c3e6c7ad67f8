#pragma once
// The captive portal's DNS (RFC 1035 over UDP): every A query is answered with the portal's
// address, so whatever name a phone looks up leads to 192.168.4.1. And the small client
// side a simulated phone needs: build a query, read the A records of an answer.
//
// Bounded: a message is at most 512 bytes (plain DNS over UDP); names at most 255 bytes in
// labels of at most 63. A query's question never holds a compression pointer (nothing
// precedes it to point at), so one is refused; an answer's names are skipped, a pointer
// ending the name, without being followed.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/base/status.h"

namespace airlab::wifi {

inline constexpr size_t kDnsMaxMessage = 512;
inline constexpr size_t kDnsMaxName = 255;
inline constexpr uint16_t kDnsTypeA = 1;
inline constexpr uint16_t kDnsTypeAaaa = 28;
inline constexpr uint16_t kDnsClassIn = 1;

enum class DnsRcode : uint8_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNxDomain = 3,
  kNotImp = 4
};

// A parsed query: its one question. `question` is the wire form of name, type and class,
// a view into the query's bytes (the answer repeats it).
struct DnsQuestion {
  uint16_t id = 0;
  bool recursion_desired = false;
  uint16_t type = 0;
  uint16_t qclass = 0;
  ByteSpan question;
};

// Parses a query. kOutOfRange: shorter than its header or its question; kInvalidArgument:
// a response (QR set), an opcode other than QUERY, not exactly one question, answer or
// authority records in a query, a label over 63 bytes, a name over 255, a compression
// pointer. At most one additional record is allowed (EDNS's OPT, which dig sends); it is
// not read.
Result<DnsQuestion> ParseDnsQuery(ByteSpan message);

struct DnsResponderConfig {
  std::array<uint8_t, 4> address{192, 168, 4, 1};
  uint32_t ttl_s = 10;  // short, so a phone asks again once it has left the hotspot
};

// The responder's answer to `message` (any bytes from UDP port 53) written into `out`:
// - A IN query: NOERROR, one A record with config.address;
// - any other type (AAAA, HTTPS...): NOERROR with no record. Not NXDOMAIN, which says the
//   name has no record of any type (RFC 8020) and would make a resolver drop the A answer;
// - a query that does not parse but has a 12-byte header: FORMERR (NOTIMP for an opcode
//   other than QUERY) with the query's id;
// - fewer than 12 bytes, or a response (QR set): no answer, size 0 (answering responses
//   would let two responders bounce packets forever).
// kResourceExhausted when `out` is too small (kDnsMaxMessage always suffices).
StatusWithSize AnswerDnsQuery(ByteSpan message, const DnsResponderConfig& config,
                              MutableByteSpan out);

// A query for `name` ("captive.apple.com"), recursion desired. kInvalidArgument for an
// empty label, a label over 63 bytes or a name over 255 bytes in wire form.
StatusWithSize BuildDnsQuery(uint16_t id, std::string_view name, uint16_t type,
                             MutableByteSpan out);

// The answer to a query with `id`: its rcode and up to addresses.size() A records.
struct DnsAnswer {
  DnsRcode rcode = DnsRcode::kNoError;
  size_t address_count = 0;
};
// kInvalidArgument: not a response, or another id; kOutOfRange: truncated records.
Result<DnsAnswer> ParseDnsAnswer(ByteSpan message, uint16_t id,
                                 std::span<std::array<uint8_t, 4>> addresses);

}  // namespace airlab::wifi
