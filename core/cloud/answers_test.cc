// Golden answers from ThingSpeak's documentation. Sources:
//   [feed]   iobridge/thingspeak app/views/docs/channels/_feed.html.erb ("Get a Channel
//            Feed", "Get Last Entry in a Channel Feed"), the API docs thingspeak.com served
//            and MathWorks' Read Data / Read Last Entry pages keep
//   [field]  .../_field.html.erb ("Get a Channel Field Feed", "Get Last Entry in a Field Feed")
//   [update] .../_update_feed.html.erb ("Update Channel Feed": "18", "0", update.json)
//   [status] .../_status.html.erb ("Get Status Updates")
//   [errors] MathWorks, ThingSpeak "Error Codes" page (the JSON error object)
//   [bulk]   MathWorks, "Bulk-Write JSON Data" (202, {"success":true})

#include "core/cloud/answers.h"

#include <gtest/gtest.h>

#include <string>

namespace airlab::cloud {
namespace {

std::string Text(JsonString s) {
  std::string out(s.size(), '\0');
  EXPECT_TRUE(s.CopyTo(AsWritableBytes(out.data(), out.size())).ok());
  return out;
}

// [feed], GET /channels/9/feeds.json?results=2, as the page prints it.
constexpr std::string_view kFeedDoc = R"({
  "channel":
  {
    "id": 9,
    "name": "my_house",
    "description": "Netduino Plus connected to sensors around the house",
    "latitude": "40.44",
    "longitude": "-79.996",
    "field1": "Light",
    "field2": "Outside Temperature",
    "created_at": "2010-12-13T20:20:06-05:00",
    "updated_at": "2014-02-26T12:43:04-05:00",
    "last_entry_id": 6060625
  },
  "feeds":
  [
    {
      "created_at": "2014-02-26T12:42:49-05:00",
      "entry_id": 6060624,
      "field1": "188",
      "field2": "25.902335456475583"
    },
    {
      "created_at": "2014-02-26T12:43:04-05:00",
      "entry_id": 6060625,
      "field1": "164",
      "field2": "25.222929936305732"
    }
  ]
}
)";

TEST(ParseFeed, DocumentedFeed) {
  auto feed = ParseFeed(kFeedDoc);
  ASSERT_TRUE(feed.ok()) << feed.status().str();
  ChannelView channel = feed->channel();
  EXPECT_EQ(channel.id(), 9);
  EXPECT_TRUE(channel.name().Equals("my_house"));
  EXPECT_EQ(Text(channel.description()), "Netduino Plus connected to sensors around the house");
  EXPECT_TRUE(channel.latitude().Equals("40.44"));
  EXPECT_TRUE(channel.longitude().Equals("-79.996"));
  EXPECT_TRUE(channel.field_name(1).Equals("Light"));
  EXPECT_TRUE(channel.field_name(2).Equals("Outside Temperature"));
  EXPECT_FALSE(channel.field_name(3).present());
  EXPECT_TRUE(channel.created_at().Equals("2010-12-13T20:20:06-05:00"));
  EXPECT_TRUE(channel.updated_at().Equals("2014-02-26T12:43:04-05:00"));
  EXPECT_EQ(channel.last_entry_id(), 6060625);

  ASSERT_EQ(feed->size(), 2u);
  std::vector<int64_t> ids;
  std::vector<std::string> light;
  std::vector<std::string> temperature;
  for (EntryView e : feed->entries()) {
    ids.push_back(e.entry_id());
    light.push_back(Text(e.field(1)));
    temperature.push_back(Text(e.field(2)));
    EXPECT_FALSE(e.field(3).present());
    EXPECT_FALSE(e.status().present());
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{6060624, 6060625}));
  EXPECT_EQ(light, (std::vector<std::string>{"188", "164"}));
  EXPECT_EQ(temperature, (std::vector<std::string>{"25.902335456475583", "25.222929936305732"}));
}

TEST(ParseFeed, EmptyChannel_NullLastEntryIdReadsAsNone) {
  // What ThingSpeak (and airlab's server) answer for a channel with no entries yet.
  auto feed = ParseFeed(R"({"channel":{"id":1,"name":"lab","last_entry_id":null},"feeds":[]})");
  ASSERT_TRUE(feed.ok()) << feed.status().str();
  EXPECT_EQ(feed->size(), 0u);
  EXPECT_EQ(feed->channel().id(), 1);
  EXPECT_EQ(feed->channel().last_entry_id(), 0);
  EXPECT_FALSE(ParseFeed(R"({"channel":{"id":1,"last_entry_id":"x"},"feeds":[]})").ok());
}

TEST(ParseFeed, DocumentedFieldFeed) {
  // [field], GET /channels/9/fields/1.json?results=2: the same channel, field1 only.
  constexpr std::string_view kDoc = R"({"channel":{"id":9,"name":"my_house",
    "description":"Netduino Plus connected to sensors around the house","latitude":"40.44",
    "longitude":"-79.996","field1":"Light","field2":"Outside Temperature",
    "created_at":"2010-12-13T20:20:06-05:00","updated_at":"2014-02-26T12:43:04-05:00",
    "last_entry_id":6060625},"feeds":[{"created_at":"2014-02-26T12:42:49-05:00",
    "entry_id":6060624,"field1":"188"},{"created_at":"2014-02-26T12:43:04-05:00",
    "entry_id":6060625,"field1":"164"}]})";
  auto feed = ParseFeed(kDoc);
  ASSERT_TRUE(feed.ok());
  auto it = feed->entries().begin();
  EXPECT_TRUE((*it).field(1).Equals("188"));
  EXPECT_FALSE((*it).field(2).present());
  ++it;
  EXPECT_TRUE((*it).field(1).Equals("164"));
  ++it;
  EXPECT_TRUE(it == feed->entries().end());
}

TEST(ParseFeed, DocumentedStatusUpdates) {
  // [status], GET /channels/1417/status.json (note the page's odd "entry_id" :11889).
  constexpr std::string_view kDoc = R"({
  "channel":
  {
    "name": "CheerLights",
    "latitude": "40.5",
    "longitude": "-80.22"
  },
  "feeds":
  [
    {
      "created_at": "2014-02-26T02:28:01Z",
      "entry_id": 11888,
      "status": "@cheerlights green"
    },
    {
      "created_at": "2014-02-26T22:05:31Z",
      "entry_id" :11889,
      "status": "@cheerlights blue"
    }
  ]
})";
  auto feed = ParseFeed(kDoc);
  ASSERT_TRUE(feed.ok());
  EXPECT_TRUE(feed->channel().name().Equals("CheerLights"));
  EXPECT_EQ(feed->channel().id(), 0);  // a status answer's channel has no id
  std::vector<std::string> statuses;
  for (EntryView e : feed->entries()) statuses.push_back(Text(e.status()));
  EXPECT_EQ(statuses, (std::vector<std::string>{"@cheerlights green", "@cheerlights blue"}));
}

TEST(ParseFeed, NoAccessAndMalformed) {
  EXPECT_EQ(ParseFeed("-1").status(), Status::PermissionDenied());
  EXPECT_EQ(ParseFeed("-1\n").status(), Status::PermissionDenied());
  EXPECT_EQ(ParseFeed("").status(), Status::DataLoss());
  EXPECT_EQ(ParseFeed("[]").status(), Status::DataLoss());
  EXPECT_EQ(ParseFeed(R"({"channel":{}})").status(), Status::DataLoss());  // no feeds
  EXPECT_EQ(ParseFeed(R"({"feeds":{}})").status(), Status::DataLoss());
  EXPECT_EQ(ParseFeed(R"({"feeds":[1]})").status(), Status::DataLoss());
  EXPECT_EQ(ParseFeed(R"({"feeds":[{"entry_id":"7"}]})").status(), Status::DataLoss());
  EXPECT_EQ(ParseFeed(R"({"channel":[],"feeds":[]})").status(), Status::DataLoss());
  EXPECT_EQ(ParseFeed(R"({"channel":{"id":1.5},"feeds":[]})").status(), Status::DataLoss());
  auto empty = ParseFeed(R"({"channel":{"id":3},"feeds":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_TRUE(empty->entries().begin() == empty->entries().end());
}

TEST(ParseEntry, DocumentedLastEntries) {
  // [feed] GET /channels/9/feeds/last.json
  auto last = ParseEntry(R"({
  "created_at": "2014-02-26T21:27:21Z",
  "entry_id": 6061519,
  "field1": "176",
  "field2": "28.195329087048833"
})");
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last->empty());
  EXPECT_EQ(last->entry_id(), 6061519);
  EXPECT_TRUE(last->created_at().Equals("2014-02-26T21:27:21Z"));
  EXPECT_TRUE(last->field(2).Equals("28.195329087048833"));
  // [field] GET /channels/9/fields/1/last.json
  auto field =
      ParseEntry(R"({"created_at":"2014-02-26T21:27:21Z","entry_id":6061519,"field1":"176"})");
  ASSERT_TRUE(field.ok());
  EXPECT_TRUE(field->field(1).Equals("176"));
  EXPECT_FALSE(field->field(2).present());
  EXPECT_FALSE(field->field(0).present());
  EXPECT_FALSE(field->field(9).present());
}

TEST(ParseEntry, MinusOneIsNoEntryYet) {
  auto none = ParseEntry("-1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(none->entry_id(), 0);
  EXPECT_FALSE(none->field(1).present());
  EXPECT_EQ(ParseEntry("[1]").status(), Status::DataLoss());
  EXPECT_EQ(ParseEntry("{").status(), Status::DataLoss());
}

TEST(ParseEntry, SubscriptionMessageWithEscapes) {
  // An MQTT channels/<id>/subscribe message carries the whole entry and its channel_id.
  auto e = ParseEntry(
      R"({"channel_id":1417,"created_at":"2024-05-01T12:00:00Z","entry_id":3,)"
      R"("field1":"21.5","field2":null,"latitude":"52.5","longitude":"13.4","elevation":null,)"
      R"("status":"door \"A\"\nopen \u00e9"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->channel_id(), 1417);
  EXPECT_EQ(e->entry_id(), 3);
  EXPECT_FALSE(e->field(2).present());  // null
  EXPECT_TRUE(e->latitude().Equals("52.5"));
  EXPECT_FALSE(e->elevation().present());
  EXPECT_EQ(Text(e->status()), "door \"A\"\nopen \xc3\xa9");
}

TEST(ParseUpdateAnswer, DocumentedAnswers) {
  // [update]: "The response will be the entry ID of the update, for example: 18 ... If the
  // response is 0 then the update failed."
  EXPECT_EQ(ParseUpdateAnswer("18").value(), 18);
  EXPECT_EQ(ParseUpdateAnswer("18\r\n").value(), 18);
  EXPECT_EQ(ParseUpdateAnswer("0").status(), Status::ResourceExhausted());
  EXPECT_EQ(ToInt(FromStatus(ParseUpdateAnswer("0").status())), -401);
  // [update], update.json
  EXPECT_EQ(ParseUpdateAnswer(R"({
  "channel_id": 3,
  "field1": "73",
  "field2": null,
  "field3": null,
  "field4": null,
  "field5": null,
  "field6": null,
  "field7": null,
  "field8": null,
  "created_at": "2014-02-25T14:13:01-05:00",
  "entry_id": 320,
  "status": null,
  "latitude": null,
  "longitude": null,
  "elevation": null,
  "location":null
})")
                .value(),
            320);
  for (std::string_view bad : {"", "abc", "-5", "1.5", "{}", R"({"entry_id":"3"})", "<html>"}) {
    EXPECT_EQ(ParseUpdateAnswer(bad).status(), Status::DataLoss()) << bad;
  }
}

TEST(ParseBulkAnswer, Success) {
  EXPECT_TRUE(ParseBulkAnswer(R"({"success":true})").ok());
  EXPECT_TRUE(ParseBulkAnswer("{ \"success\": true }\n").ok());
  EXPECT_EQ(ParseBulkAnswer(R"({"success":false})"), Status::DataLoss());
  EXPECT_EQ(ParseBulkAnswer("0"), Status::DataLoss());
  EXPECT_EQ(ParseBulkAnswer(""), Status::DataLoss());
}

TEST(AnswerCode, DocumentedErrorObject) {
  // [errors]: "The response is a JSON error object, for example:"
  constexpr std::string_view kError = R"({
  "status": "401",
  "error":
  {
    "error_code": "error_auth_required",
    "message": "Authorization Required",
    "details": "Please make sure that your API key is correct."
  }
})";
  EXPECT_EQ(AnswerCode(401, kError), ErrorCode::kAuthRequired);
  // The error's name wins over a status line a proxy rewrote.
  EXPECT_EQ(AnswerCode(500, kError), ErrorCode::kAuthRequired);
  EXPECT_EQ(AnswerCode(200, kError), ErrorCode::kOk);
  EXPECT_EQ(AnswerCode(202, R"({"success":true})"), ErrorCode::kOk);
  EXPECT_EQ(AnswerCode(404, "Not Found"), ErrorCode::kNotFound);
  EXPECT_EQ(AnswerCode(429, R"({"status":"429","error":{"error_code":"error_too_many_requests"}})"),
            ErrorCode::kTooManyRequests);
  EXPECT_EQ(AnswerCode(503, R"({"error":{"error_code":"no_such_name"}})"),
            static_cast<ErrorCode>(503));
  // Text answers name the error alone.
  EXPECT_EQ(AnswerCode(400, "error_invalid_byte_sequence\n"), ErrorCode::kInvalidBytes);
}

}  // namespace
}  // namespace airlab::cloud
