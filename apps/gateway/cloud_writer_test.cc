#include "apps/gateway/cloud_writer.h"

#include <gtest/gtest.h>

#include <string>

#include "apps/gateway/gateway_parts_testing.h"
#include "apps/gateway/record_codec.h"

namespace airlab::apps {
namespace {

using namespace testing;

constexpr int64_t kWallMs = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

struct WriterFixture : PartsFixture {
  WriterFixture() {
    wall.now = kWallMs * port::kMillisecond;
    config.name = "gw";
    config.write_interval = port::kSecond;
    config.retry_min = port::kSecond;
    config.retry_max = 4 * port::kSecond;
  }
  // Readings 1..n of node 1 (field 1), one a second.
  void Queue(int n) {
    nodes.Take(NodeMac(1), 0);
    std::array<std::byte, 64> buffer;
    for (int i = 0; i < n; ++i) {
      const std::string value = std::to_string(20 + i);
      ByteSpan record =
          WriteRecord(buffer, 1, NodeMac(1), kWallMs + i * 1000, ToBytes(value)).value();
      ASSERT_TRUE(queue.Commit({{&record, 1}, 0, {}}).ok());
    }
  }
  // The channel's feed as the server answers a read-back, with these statuses.
  static std::string Feed(const std::vector<std::string>& statuses) {
    std::string feeds;
    for (size_t i = 0; i < statuses.size(); ++i) {
      if (i > 0) feeds += ",";
      feeds += R"({"created_at":"2023-11-14T22:13:2)" + std::to_string(i) + R"(Z","entry_id":)" +
               std::to_string(i + 1) + R"(,"status":")" + statuses[i] + R"("})";
    }
    return R"({"channel":{"id":7,"field1":"slave","field2":"node2"},"feeds":[)" + feeds + "]}";
  }
  std::string Tag(uint64_t id) const {
    std::array<char, 96> out;
    return std::string(out.data(), writer.tag().Write(id, out));
  }
  void Step() {
    writer.TakeAnswer(clock.now);
    writer.Step(clock.now);
  }

  FakeClock wall;
  FakeUplink uplink;
  port::SplitMix64 rng{1};
  CloudWriter writer{uplink, wall, queue, rng, nodes, memory, config, stats, events};
};

TEST(CloudWriter, Start_ReadsTheChannelBackFirst_AndDropsWhatIsThere) {
  WriterFixture f;
  f.Queue(3);
  ASSERT_TRUE(f.writer.Start().ok());
  EXPECT_EQ(f.stats.queued, 3u);
  f.Step();
  ASSERT_EQ(f.uplink.requests.size(), 1u);
  EXPECT_EQ(f.uplink.requests[0].target.rfind("/channels/7/feeds.json", 0), 0u);
  f.uplink.Answer(200, WriterFixture::Feed({"someone else", f.Tag(2)}));
  f.Step();
  EXPECT_EQ(f.stats.reconciled, 2u);  // readings 1 and 2 arrived before
  EXPECT_EQ(f.queue.records.size(), 1u);
  ASSERT_NE(f.log.Last(GatewayEventKind::kReconciled), nullptr);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kReconciled)->id, 2u);
  // The channel's fields are learnt: 1 and 2.
  EXPECT_EQ(f.queue.marks.at(FieldsMarkKey(7)), 0x6u);
}

TEST(CloudWriter, Bulk_PostsTaggedEntries_AndRemovesThemWhenAccepted) {
  WriterFixture f;
  f.Queue(3);
  ASSERT_TRUE(f.writer.Start().ok());
  f.Step();
  f.uplink.Answer(200, WriterFixture::Feed({}));
  f.Step();  // posts
  ASSERT_EQ(f.uplink.requests.size(), 2u);
  EXPECT_TRUE(f.writer.bulk_in_flight());
  const std::string& body = f.uplink.requests[1].body;
  EXPECT_EQ(f.uplink.requests[1].target, "/channels/7/bulk_update.json");
  EXPECT_NE(body.find(f.Tag(3)), std::string::npos) << body;
  EXPECT_NE(body.find("2023-11-14T22:13:22Z"), std::string::npos) << body;
  EXPECT_EQ(f.queue.records.size(), 3u);  // still queued while on its way
  f.uplink.Answer(202, R"({"success":true})");
  f.Step();
  EXPECT_TRUE(f.queue.records.empty());
  EXPECT_EQ(f.stats.posted, 3u);
  EXPECT_EQ(f.stats.entries, 3u);
  ASSERT_NE(f.log.Last(GatewayEventKind::kPosted), nullptr);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kPosted)->first_id, 1u);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kPosted)->id, 3u);
  EXPECT_EQ(f.writer.NextDeadline(f.clock.now), port::kForever);  // nothing left to do
}

TEST(CloudWriter, RefusedKey_KeepsTheReadings_SaysItOnce_BacksOff) {
  WriterFixture f;
  f.Queue(1);
  ASSERT_TRUE(f.writer.Start().ok());
  f.Step();
  f.uplink.Answer(
      401,
      R"({"status":"401","error":{"error_code":"error_auth_required"}})");  // read-back refused
  f.Step();
  EXPECT_EQ(f.uplink.requests.size(), 1u);  // backing off
  f.clock.now += port::kSecond;
  f.Step();
  ASSERT_EQ(f.uplink.requests.size(), 2u);
  f.uplink.Answer(401, R"({"status":"401","error":{"error_code":"error_auth_required"}})");
  f.Step();
  EXPECT_EQ(f.log.Count(GatewayEventKind::kCloudRefused), 1u);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kCloudRefused)->code, cloud::ErrorCode::kAuthRequired);
  EXPECT_EQ(f.log.Last(GatewayEventKind::kCloudRefused)->id, 7u);
  // Back-off doubles (1 s after the read-back, 2 s now), the readings stay.
  EXPECT_EQ(f.writer.NextDeadline(f.clock.now), f.clock.now + 2 * port::kSecond);
  f.clock.now += 2 * port::kSecond;
  f.wall.now += 2 * port::kSecond;
  f.Step();
  ASSERT_EQ(f.uplink.requests.size(), 3u);
  f.uplink.Answer(401, R"({"status":"401","error":{"error_code":"error_auth_required"}})");
  f.Step();
  EXPECT_EQ(f.log.Count(GatewayEventKind::kCloudRefused), 1u);  // not every time
  EXPECT_EQ(f.log.Count(GatewayEventKind::kUplinkError), 3u);
  EXPECT_EQ(f.queue.records.size(), 1u);
}

TEST(CloudWriter, Timeout_ReadsBackBeforePostingAgain) {
  WriterFixture f;
  f.Queue(2);
  ASSERT_TRUE(f.writer.Start().ok());
  f.Step();
  f.uplink.Answer(200, WriterFixture::Feed({}));
  f.Step();
  f.uplink.Answer(0, "", Status::DeadlineExceeded());  // the bulk update: did it arrive?
  f.Step();
  f.clock.now += port::kSecond;
  f.wall.now += port::kSecond;
  f.Step();
  ASSERT_EQ(f.uplink.requests.size(), 3u);
  EXPECT_EQ(f.uplink.requests[2].target.rfind("/channels/7/feeds.json", 0), 0u);
  f.uplink.Answer(200, WriterFixture::Feed({f.Tag(2)}));  // it did
  f.Step();
  EXPECT_TRUE(f.queue.records.empty());
  EXPECT_EQ(f.stats.posted, 0u);
  EXPECT_EQ(f.stats.reconciled, 2u);
}

TEST(CloudWriter, RateLimitRefusal_WaitsAndKeepsTheReadings) {
  WriterFixture f;
  f.Queue(1);
  ASSERT_TRUE(f.writer.Start().ok());
  f.Step();
  f.uplink.Answer(200, WriterFixture::Feed({}));
  f.Step();
  f.uplink.Answer(429, R"({"status":"429","error":{"error_code":"error_too_many_requests"}})");
  f.Step();
  EXPECT_EQ(f.stats.write_refused, 1u);
  EXPECT_EQ(f.log.Count(GatewayEventKind::kWriteRefused), 1u);
  EXPECT_EQ(f.queue.records.size(), 1u);
  EXPECT_EQ(f.uplink.requests.size(), 2u);  // not at once
}

TEST(CloudWriter, Start_NewQueue_DrawsAnIncarnation_KeptForTheNextStart) {
  WriterFixture f;
  ASSERT_TRUE(f.writer.Start().ok());
  ASSERT_EQ(f.queue.marks.count(kIncarnationMark), 1u);
  const std::string tag = f.Tag(1);
  port::SplitMix64 other_rng{2};
  CloudWriter again{f.uplink, f.wall,   f.queue, other_rng, f.nodes,
                    f.memory, f.config, f.stats, f.events};
  ASSERT_TRUE(again.Start().ok());
  std::array<char, 96> out;
  EXPECT_EQ(std::string(out.data(), again.tag().Write(1, out)), tag);
  f.queue.fail = true;
  EXPECT_EQ(again.Start(), Status::Unavailable());
}

}  // namespace
}  // namespace airlab::apps
