// Golden requests from ThingSpeak's documentation. Sources:
//   [write]  MathWorks, "Write Data": POST https://api.thingspeak.com/update with
//            api_key=XXXXXXXXXXXXXXXX, field1=73
//   [answer] MathWorks Answers 781083 (Christopher Stapels, MathWorks):
//            https://api.thingspeak.com/update?api_key=key&field1=30&field2=50
//   [feed]   iobridge/thingspeak app/views/docs/channels/_feed.html.erb: GET
//            /channels/9/feeds.json?results=2, /channels/9/feeds/last.json, live example
//            /channels/9/feeds.json?start=2011-11-11%2010:10:10&end=2011-11-11%2011:11:11
//   [field]  .../_field.html.erb: /channels/9/fields/1.json?results=2, /channels/9/fields/1/last.json
//   [status] .../_status.html.erb: /channels/1417/status.json
//   [last]   MathWorks, "Read Last Field Entry":
//            /channels/9/fields/2/last.csv?api_key=E52AWRAV1RSXQQJW&status=true
//   [mqtt]   MathWorks, "Publish to a Channel Feed": field1=100&field2=50&lat=30.61&long=40.35;
//            "Publish to a Channel Field Feed": topic channels/33301/publish/fields/field1,
//            payload 45; "Subscribe to a Channel Feed / Field Feed": channels/<id>/subscribe,
//            channels/<id>/subscribe/fields/field<n>, channels/<id>/subscribe/fields/+

#include "core/cloud/requests.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "core/cloud/cloud_testing.h"

namespace airlab::cloud {
namespace {

using testing::PythonParseForm;
using testing::ToString;

std::array<std::byte, 1024> storage;

Entry Fields(std::initializer_list<std::pair<int, std::string_view>> values) {
  Entry e;
  for (auto [field, value] : values) EXPECT_TRUE(e.SetField(field, value).ok());
  return e;
}

TEST(BuildUpdate, DocumentedPost) {
  auto request = BuildUpdate(storage, "XXXXXXXXXXXXXXXX", Fields({{1, "73"}}));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, port::HttpMethod::kPost);
  EXPECT_EQ(request->target, "/update");
  EXPECT_EQ(request->content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(ToString(request->body), "api_key=XXXXXXXXXXXXXXXX&field1=73");
}

TEST(BuildUpdate, DocumentedGet) {
  auto request = BuildUpdate(storage, "key", Fields({{1, "30"}, {2, "50"}}),
                             {.method = port::HttpMethod::kGet});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, port::HttpMethod::kGet);
  EXPECT_EQ(request->target, "/update?api_key=key&field1=30&field2=50");
  EXPECT_TRUE(request->body.empty());
  EXPECT_TRUE(request->content_type.empty());
}

TEST(BuildUpdate, EveryColumnEncoded_PythonReadsItBack) {
  Entry e;
  ASSERT_TRUE(e.SetField(1, "a b&c=d+e/f|g").ok());
  ASSERT_TRUE(e.SetField(8, "\xc3\xa9t\xc3\xa9 100%").ok());
  ASSERT_TRUE(e.SetLatitude("52.52").ok());
  ASSERT_TRUE(e.SetLongitude("-13.40").ok());
  ASSERT_TRUE(e.SetElevation("35").ok());
  ASSERT_TRUE(e.SetStatus("door \"open\"\n#1").ok());
  ASSERT_TRUE(e.SetCreatedAt("2014-12-31 23:59:59").ok());
  auto request = BuildUpdate(storage, "K 1", e);
  ASSERT_TRUE(request.ok());
  std::string body = ToString(request->body);
  // Only unreserved characters, ':' and ',' stay plain.
  EXPECT_EQ(body.find_first_of(" \"\n#+/|\xc3"), std::string::npos) << body;
  nlohmann::json expected = nlohmann::json::array({
      {"api_key", "K 1"},
      {"field1", "a b&c=d+e/f|g"},
      {"field8", "\xc3\xa9t\xc3\xa9 100%"},
      {"lat", "52.52"},
      {"long", "-13.40"},
      {"elevation", "35"},
      {"status", "door \"open\"\n#1"},
      {"created_at", "2014-12-31 23:59:59"},
  });
  EXPECT_EQ(PythonParseForm(body), expected) << body;
}

TEST(BuildUpdate, Refusals) {
  EXPECT_EQ(BuildUpdate(storage, "", Fields({{1, "1"}})).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildUpdate(storage, "K", Entry()).status(), Status::FailedPrecondition());
  Entry created_only;
  ASSERT_TRUE(created_only.SetCreatedAt("2014-12-31 23:59:59").ok());
  EXPECT_EQ(BuildUpdate(storage, "K", created_only).status(), Status::FailedPrecondition());
  std::array<std::byte, 20> small;
  EXPECT_EQ(BuildUpdate(small, "XXXXXXXXXXXXXXXX", Fields({{1, "73"}})).status(),
            Status::ResourceExhausted());
  // Without the key in the form (it goes in the X-THINGSPEAKAPIKEY header).
  auto keyless = BuildUpdate(storage, "K", Fields({{1, "73"}}), {.key_in_header = true});
  ASSERT_TRUE(keyless.ok());
  EXPECT_EQ(ToString(keyless->body), "field1=73");
}

TEST(Entry, SetterLimits_LikeThingSpeakArduino) {
  Entry e;
  EXPECT_EQ(e.SetField(0, "1"), Status::InvalidArgument());  // -201
  EXPECT_EQ(e.SetField(9, "1"), Status::InvalidArgument());
  std::string ok(255, 'x');
  EXPECT_TRUE(e.SetField(1, ok).ok());
  EXPECT_EQ(e.SetField(2, ok + "x"), Status::OutOfRange());  // -101
  EXPECT_TRUE(e.field(2).empty());
  std::string euros;
  for (int i = 0; i < 255; ++i) euros += "\xe2\x82\xac";  // 255 characters, 765 bytes
  EXPECT_TRUE(e.SetStatus(euros).ok());
  EXPECT_EQ(e.SetStatus(euros + "\xe2\x82\xac"), Status::OutOfRange());
  EXPECT_EQ(e.SetStatus("\xff"), Status::InvalidArgument());
  EXPECT_TRUE(e.has_data());
  e.Clear();
  EXPECT_FALSE(e.has_data());
}

std::string Target(const ReadRequest& read) {
  auto request = BuildRead(storage, read);
  EXPECT_TRUE(request.ok()) << request.status().str();
  if (!request.ok()) return {};
  EXPECT_EQ(request->method, port::HttpMethod::kGet);
  EXPECT_TRUE(request->body.empty());
  return std::string(request->target);
}

TEST(BuildRead, DocumentedTargets) {
  EXPECT_EQ(Target({ReadKind::kFeed, 9, 0, "", {.results = 2}}),
            "/channels/9/feeds.json?results=2");
  EXPECT_EQ(Target({ReadKind::kField, 9, 1, "", {.results = 2}}),
            "/channels/9/fields/1.json?results=2");
  EXPECT_EQ(Target({ReadKind::kLastField, 9, 1, ""}), "/channels/9/fields/1/last.json");
  EXPECT_EQ(Target({ReadKind::kLastFieldText, 9, 1, ""}), "/channels/9/fields/1/last.txt");
  EXPECT_EQ(Target({ReadKind::kLastEntry, 9, 0, ""}), "/channels/9/feeds/last.json");
  EXPECT_EQ(Target({ReadKind::kStatus, 1417, 0, ""}), "/channels/1417/status.json");
  EXPECT_EQ(Target({ReadKind::kFeed,
                    9,
                    0,
                    "",
                    {.start = "2011-11-11 10:10:10", .end = "2011-11-11 11:11:11"}}),
            "/channels/9/feeds.json?start=2011-11-11%2010:10:10&end=2011-11-11%2011:11:11");
  EXPECT_EQ(Target({ReadKind::kLastField, 9, 2, "E52AWRAV1RSXQQJW", {.status = true}}),
            "/channels/9/fields/2/last.json?api_key=E52AWRAV1RSXQQJW&status=true");
}

TEST(BuildRead, EveryOption_PythonReadsItBack) {
  std::string target = Target({ReadKind::kFeed,
                               12397,
                               0,
                               "R&K",
                               {.results = 8000,
                                .days = 2,
                                .minutes = 90,
                                .start = "2024-05-01 00:00:00",
                                .end = "2024-05-02 00:00:00",
                                .timezone = "America/New_York",
                                .status = true,
                                .location = true}});
  ASSERT_EQ(target.substr(0, target.find('?')), "/channels/12397/feeds.json");
  nlohmann::json expected = nlohmann::json::array({
      {"api_key", "R&K"},
      {"results", "8000"},
      {"days", "2"},
      {"minutes", "90"},
      {"start", "2024-05-01 00:00:00"},
      {"end", "2024-05-02 00:00:00"},
      {"timezone", "America/New_York"},
      {"status", "true"},
      {"location", "true"},
  });
  EXPECT_EQ(PythonParseForm(target.substr(target.find('?') + 1)), expected) << target;
  EXPECT_EQ(Target({ReadKind::kFeed, 9, 0, "K", {.key_in_header = true}}),
            "/channels/9/feeds.json");
}

TEST(BuildRead, Refusals) {
  EXPECT_EQ(BuildRead(storage, {ReadKind::kFeed, 0}).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildRead(storage, {ReadKind::kField, 9, 0}).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildRead(storage, {ReadKind::kLastField, 9, 9}).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildRead(storage, {ReadKind::kFeed, 9, 0, "", {.results = 8001}}).status(),
            Status::OutOfRange());
  std::array<std::byte, 16> small;
  EXPECT_EQ(BuildRead(small, {ReadKind::kFeed, 9}).status(), Status::ResourceExhausted());
}

TEST(Mqtt, DocumentedTopicsAndPayloads) {
  std::array<std::byte, 128> topic;
  EXPECT_EQ(BuildPublishTopic(topic, 33301).value(), "channels/33301/publish");
  EXPECT_EQ(BuildPublishTopic(topic, 33301, 1).value(), "channels/33301/publish/fields/field1");
  EXPECT_EQ(BuildPublishTopic(topic, 33301, 1, "KEY").value(),
            "channels/33301/publish/fields/field1/KEY");
  EXPECT_EQ(BuildSubscribeTopic(topic, 33301).value(), "channels/33301/subscribe");
  EXPECT_EQ(BuildSubscribeTopic(topic, 33301, 1).value(), "channels/33301/subscribe/fields/field1");
  EXPECT_EQ(BuildSubscribeTopic(topic, 33301, kAnyField).value(),
            "channels/33301/subscribe/fields/+");
  EXPECT_EQ(BuildPublishTopic(topic, 0).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildPublishTopic(topic, 1, 9).status(), Status::InvalidArgument());
  EXPECT_EQ(BuildSubscribeTopic(topic, 1, -2).status(), Status::InvalidArgument());

  Entry e = Fields({{1, "100"}, {2, "50"}});
  ASSERT_TRUE(e.SetLatitude("30.61").ok());
  ASSERT_TRUE(e.SetLongitude("40.35").ok());
  std::array<std::byte, 128> payload;
  EXPECT_EQ(ToString(BuildPublishPayload(payload, e).value()),
            "field1=100&field2=50&lat=30.61&long=40.35");
  Entry status = Fields({{1, "0"}});
  ASSERT_TRUE(status.SetStatus("MQTTPUBLISH").ok());
  EXPECT_EQ(ToString(BuildPublishPayload(payload, status, "WK").value()),
            "api_key=WK&field1=0&status=MQTTPUBLISH");
  EXPECT_EQ(BuildPublishPayload(payload, Entry()).status(), Status::FailedPrecondition());
}

TEST(Mqtt, ParseSubscribeTopic) {
  auto feed = ParseSubscribeTopic("channels/33301/subscribe");
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->channel_id, 33301u);
  EXPECT_EQ(feed->field, 0);
  auto field = ParseSubscribeTopic("channels/7/subscribe/fields/field8");
  ASSERT_TRUE(field.ok());
  EXPECT_EQ(field->channel_id, 7u);
  EXPECT_EQ(field->field, 8);
  for (std::string_view bad :
       {"channels//subscribe", "channels/0/subscribe", "channels/-1/subscribe",
        "channels/x/subscribe", "channels/7/publish", "channels/7/subscribe/fields/field9",
        "channels/7/subscribe/fields/field10", "channels/7/subscribe/", "channel/7/subscribe",
        "channels/4294967296/subscribe"}) {
    EXPECT_EQ(ParseSubscribeTopic(bad).status(), Status::InvalidArgument()) << bad;
  }
}

}  // namespace
}  // namespace airlab::cloud
