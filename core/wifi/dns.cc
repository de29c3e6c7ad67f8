#include "core/wifi/dns.h"

#include <string_view>

namespace airlab::wifi {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr uint16_t kFlagResponse = 0x8000;
constexpr uint16_t kFlagAuthoritative = 0x0400;
constexpr uint16_t kFlagRecursionDesired = 0x0100;
constexpr uint16_t kOpcodeMask = 0x7800;
constexpr uint16_t kNamePointerToQuestion = 0xc000 | kHeaderSize;

// The end of the name starting at `offset` of a query: labels only, no pointer, or an error.
Result<size_t> QueryNameEnd(ByteSpan message, size_t offset) {
  size_t name_size = 0;
  while (true) {
    if (offset >= message.size()) return Status::OutOfRange();
    const uint8_t length = load_u8(message, offset);
    if (length & 0xc0) return Status::InvalidArgument();  // pointer (or the reserved 0x40/0x80)
    name_size += length + 1u;
    if (length > 63 || name_size > kDnsMaxName) return Status::InvalidArgument();
    ++offset;
    if (length == 0) return offset;
    if (!InBounds(message.size(), offset, length)) return Status::OutOfRange();
    offset += length;
  }
}

// The end of a name in an answer: labels, ending at a zero label or at a 2-byte pointer,
// which is not followed (the phone only needs the records' data).
Result<size_t> SkipName(ByteSpan message, size_t offset) {
  for (size_t labels = 0; labels <= kDnsMaxName; ++labels) {
    if (offset >= message.size()) return Status::OutOfRange();
    const uint8_t length = load_u8(message, offset);
    if ((length & 0xc0) == 0xc0) {
      if (!InBounds(message.size(), offset, 2)) return Status::OutOfRange();
      return offset + 2;
    }
    if (length & 0xc0) return Status::InvalidArgument();
    ++offset;
    if (length == 0) return offset;
    if (!InBounds(message.size(), offset, length)) return Status::OutOfRange();
    offset += length;
  }
  return Status::InvalidArgument();
}

void PutHeader(ByteBuilder& out, uint16_t id, uint16_t flags, uint16_t questions,
               uint16_t answers) {
  out.PutBe16(id).PutBe16(flags).PutBe16(questions).PutBe16(answers).PutBe16(0).PutBe16(0);
}

}  // namespace

Result<DnsQuestion> ParseDnsQuery(ByteSpan message) {
  if (message.size() < kHeaderSize) return Status::OutOfRange();
  const uint16_t flags = load_be16(message, 2);
  if ((flags & kFlagResponse) || (flags & kOpcodeMask) != 0) return Status::InvalidArgument();
  if (load_be16(message, 4) != 1 || load_be16(message, 6) != 0 || load_be16(message, 8) != 0 ||
      load_be16(message, 10) > 1) {
    return Status::InvalidArgument();
  }
  AIRLAB_TRY_ASSIGN(const size_t name_end, QueryNameEnd(message, kHeaderSize));
  if (!InBounds(message.size(), name_end, 4)) return Status::OutOfRange();
  DnsQuestion q;
  q.id = load_be16(message, 0);
  q.recursion_desired = (flags & kFlagRecursionDesired) != 0;
  q.type = load_be16(message, name_end);
  q.qclass = load_be16(message, name_end + 2);
  q.question = message.subspan(kHeaderSize, name_end + 4 - kHeaderSize);
  return q;
}

StatusWithSize AnswerDnsQuery(ByteSpan message, const DnsResponderConfig& config,
                              MutableByteSpan out) {
  if (message.size() < kHeaderSize) return StatusWithSize(0);
  const uint16_t flags = load_be16(message, 2);
  if (flags & kFlagResponse) return StatusWithSize(0);
  ByteBuilder b(out);
  const Result<DnsQuestion> q = ParseDnsQuery(message);
  if (!q.ok()) {
    const DnsRcode rcode = (flags & kOpcodeMask) != 0 ? DnsRcode::kNotImp : DnsRcode::kFormErr;
    PutHeader(
        b, load_be16(message, 0),
        static_cast<uint16_t>(kFlagResponse | (flags & (kOpcodeMask | kFlagRecursionDesired)) |
                              static_cast<uint16_t>(rcode)),
        0, 0);
    return StatusWithSize(b.status(), b.size());
  }
  const bool answer_a = q->type == kDnsTypeA && q->qclass == kDnsClassIn;
  const uint16_t answer_flags = static_cast<uint16_t>(
      kFlagResponse | kFlagAuthoritative | (q->recursion_desired ? kFlagRecursionDesired : 0));
  PutHeader(b, q->id, answer_flags, 1, answer_a ? 1 : 0);
  b.Append(q->question);
  if (answer_a) {
    b.PutBe16(kNamePointerToQuestion).PutBe16(kDnsTypeA).PutBe16(kDnsClassIn);
    b.PutBe32(config.ttl_s).PutBe16(4);
    for (uint8_t octet : config.address) b.PutU8(octet);
  }
  return StatusWithSize(b.status(), b.size());
}

StatusWithSize BuildDnsQuery(uint16_t id, std::string_view name, uint16_t type,
                             MutableByteSpan out) {
  ByteBuilder b(out);
  PutHeader(b, id, kFlagRecursionDesired, 1, 0);
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  size_t wire_size = 1;
  while (!name.empty()) {
    const size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    wire_size += label.size() + 1;
    if (label.empty() || label.size() > 63 || wire_size > kDnsMaxName) {
      return StatusWithSize(Status::InvalidArgument(), 0);
    }
    b.PutU8(static_cast<uint8_t>(label.size())).Append(AsBytes(label.data(), label.size()));
    name.remove_prefix(dot == std::string_view::npos ? name.size() : dot + 1);
  }
  b.PutU8(0).PutBe16(type).PutBe16(kDnsClassIn);
  return StatusWithSize(b.status(), b.status().ok() ? b.size() : 0);
}

Result<DnsAnswer> ParseDnsAnswer(ByteSpan message, uint16_t id,
                                 std::span<std::array<uint8_t, 4>> addresses) {
  if (message.size() < kHeaderSize) return Status::OutOfRange();
  const uint16_t flags = load_be16(message, 2);
  if (!(flags & kFlagResponse) || load_be16(message, 0) != id) return Status::InvalidArgument();
  DnsAnswer answer;
  answer.rcode = static_cast<DnsRcode>(flags & 0x000f);
  const uint16_t questions = load_be16(message, 4);
  const uint16_t records = load_be16(message, 6);
  size_t offset = kHeaderSize;
  for (uint16_t i = 0; i < questions; ++i) {
    AIRLAB_TRY_ASSIGN(offset, SkipName(message, offset));
    if (!InBounds(message.size(), offset, 4)) return Status::OutOfRange();
    offset += 4;
  }
  for (uint16_t i = 0; i < records; ++i) {
    AIRLAB_TRY_ASSIGN(offset, SkipName(message, offset));
    if (!InBounds(message.size(), offset, 10)) return Status::OutOfRange();
    const uint16_t type = load_be16(message, offset);
    const uint16_t rclass = load_be16(message, offset + 2);
    const uint16_t data_size = load_be16(message, offset + 8);
    offset += 10;
    if (!InBounds(message.size(), offset, data_size)) return Status::OutOfRange();
    if (type == kDnsTypeA && rclass == kDnsClassIn && data_size == 4 &&
        answer.address_count < addresses.size()) {
      for (size_t k = 0; k < 4; ++k) {
        addresses[answer.address_count][k] = load_u8(message, offset + k);
      }
      ++answer.address_count;
    }
    offset += data_size;
  }
  return answer;
}

}  // namespace airlab::wifi
