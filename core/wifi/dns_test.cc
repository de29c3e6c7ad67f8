#include "core/wifi/dns.h"

#include <array>
#include <vector>

#include "gtest/gtest.h"

namespace airlab::wifi {
namespace {

std::vector<std::byte> Query(std::string_view name, uint16_t type, uint16_t id = 0x1234) {
  std::vector<std::byte> out(kDnsMaxMessage);
  const StatusWithSize built = BuildDnsQuery(id, name, type, out);
  EXPECT_TRUE(built.ok());
  out.resize(built.size());
  return out;
}

std::vector<std::byte> Answer(ByteSpan query) {
  std::vector<std::byte> out(kDnsMaxMessage);
  const StatusWithSize got = AnswerDnsQuery(query, {}, out);
  EXPECT_TRUE(got.ok());
  out.resize(got.size());
  return out;
}

// A query laid out as dig sends one (captive.apple.com A, RD and AD set, EDNS's OPT record
// with a 1232-byte UDP size); the real dig is the oracle in tests/portal_server_test.
constexpr uint8_t kDigQuery[] = {
    0xbe, 0xef, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07, 'c', 'a',  'p',
    't',  'i',  'v',  'e',  0x05, 'a',  'p',  'p',  'l',  'e',  0x03, 'c',  'o',  'm', 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

TEST(Dns, AnswersAQueryWithThePortalAddress) {
  const std::vector<std::byte> answer = Answer(AsBytes(kDigQuery, sizeof kDigQuery));
  // Header: same id, QR|AA|RD, NOERROR, 1 question, 1 answer.
  ASSERT_GE(answer.size(), 12u);
  EXPECT_EQ(load_be16(answer, 0), 0xbeef);
  EXPECT_EQ(load_be16(answer, 2), 0x8500);
  EXPECT_EQ(load_be16(answer, 4), 1);
  EXPECT_EQ(load_be16(answer, 6), 1);
  std::array<std::array<uint8_t, 4>, 2> addresses{};
  const Result<DnsAnswer> parsed = ParseDnsAnswer(answer, 0xbeef, addresses);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->rcode, DnsRcode::kNoError);
  ASSERT_EQ(parsed->address_count, 1u);
  EXPECT_EQ(addresses[0], (std::array<uint8_t, 4>{192, 168, 4, 1}));
  // The record: a pointer to the question, A IN, TTL 10, 4 bytes.
  const size_t record = 12 + 19 + 4;
  EXPECT_EQ(load_be16(answer, record), 0xc00c);
  EXPECT_EQ(load_be32(answer, record + 6), 10u);
  EXPECT_EQ(answer.size(), record + 16);
}

TEST(Dns, OtherTypesGetAnEmptyNoError) {
  const std::vector<std::byte> answer = Answer(Query("example.com", kDnsTypeAaaa));
  std::array<std::array<uint8_t, 4>, 1> addresses{};
  const Result<DnsAnswer> parsed = ParseDnsAnswer(answer, 0x1234, addresses);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->rcode, DnsRcode::kNoError);
  EXPECT_EQ(parsed->address_count, 0u);
  EXPECT_EQ(load_be16(answer, 6), 0);
}

TEST(Dns, MalformedQueriesGetFormErrWithTheirId) {
  std::vector<std::byte> q = Query("a.b", kDnsTypeA, 0x4242);
  q[12] = std::byte{0xc0};  // a compression pointer in the question
  std::vector<std::byte> answer = Answer(q);
  ASSERT_EQ(answer.size(), 12u);
  EXPECT_EQ(load_be16(answer, 0), 0x4242);
  EXPECT_EQ(load_be16(answer, 2) & 0xf, 1);  // FORMERR
  EXPECT_EQ(load_be16(answer, 4), 0);

  std::vector<std::byte> lying = Query("a.b", kDnsTypeA);
  lying[12] = std::byte{50};  // a label longer than what follows
  EXPECT_EQ(ParseDnsQuery(lying).status(), Status::OutOfRange());
  EXPECT_EQ(load_be16(Answer(lying), 2) & 0xf, 1);

  std::vector<std::byte> two = Query("a.b", kDnsTypeA);
  two[5] = std::byte{2};  // two questions
  EXPECT_EQ(ParseDnsQuery(two).status(), Status::InvalidArgument());

  std::vector<std::byte> notify = Query("a.b", kDnsTypeA);
  notify[2] = std::byte{0x20};                       // opcode 4 (NOTIFY)
  EXPECT_EQ(load_be16(Answer(notify), 2) & 0xf, 4);  // NOTIMP
}

TEST(Dns, ResponsesAndRuntsGetNoAnswer) {
  std::vector<std::byte> response = Query("a.b", kDnsTypeA);
  response[2] = std::byte{0x80};
  EXPECT_TRUE(Answer(response).empty());
  EXPECT_TRUE(Answer(ByteSpan(response).first(11)).empty());
}

TEST(Dns, RefusesOverlongNames) {
  std::array<std::byte, kDnsMaxMessage> out{};
  EXPECT_EQ(BuildDnsQuery(1, std::string(64, 'a'), kDnsTypeA, out).status(),
            Status::InvalidArgument());
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  EXPECT_EQ(BuildDnsQuery(1, long_name, kDnsTypeA, out).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildDnsQuery(1, "a..b", kDnsTypeA, out).status(), Status::InvalidArgument());
}

TEST(Dns, AnswerToAnotherIdIsRefused) {
  const std::vector<std::byte> answer = Answer(Query("x", kDnsTypeA, 7));
  std::array<std::array<uint8_t, 4>, 1> addresses{};
  EXPECT_EQ(ParseDnsAnswer(answer, 8, addresses).status(), Status::InvalidArgument());
  EXPECT_EQ(ParseDnsAnswer(ByteSpan(answer).first(answer.size() - 2), 7, addresses).status(),
            Status::OutOfRange());
}

}  // namespace
}  // namespace airlab::wifi
