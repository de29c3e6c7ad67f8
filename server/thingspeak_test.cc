#include "server/thingspeak.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace airlab::server {
namespace {

using nlohmann::json;

constexpr TimeMs kNow = 1714564800000;  // 2024-05-01T12:00:00Z

TEST(ThingSpeak, ErrorJson_HasTheDocumentedShape) {
  json e = json::parse(ErrorJson(401));
  EXPECT_EQ(e["status"], "401");
  EXPECT_EQ(e["error"]["error_code"], "error_auth_required");
  EXPECT_EQ(e["error"]["message"], "Authorization Required");
  EXPECT_TRUE(e["error"]["details"].is_string());
  EXPECT_EQ(json::parse(ErrorJson(429))["error"]["error_code"], "error_too_many_requests");
  EXPECT_EQ(json::parse(ErrorJson(404))["error"]["error_code"], "error_resource_not_found");
  EXPECT_EQ(ErrorFor(999).http_status, 500);
}

TEST(ThingSpeak, ParseUpdate_ReadsEveryColumn) {
  ParsedUpdate u = ParseUpdate({{"field1", "21.5"},
                                {"field8", "on"},
                                {"lat", "52.5"},
                                {"long", "-13.4"},
                                {"elevation", "35"},
                                {"status", "ok"},
                                {"api_key", "K"}},
                               kNow);
  ASSERT_EQ(u.problem, UpdateProblem::kNone);
  EXPECT_EQ(u.entry.entry.fields[0], "21.5");
  EXPECT_EQ(u.entry.entry.fields[7], "on");
  EXPECT_FALSE(u.entry.entry.fields[1]);
  EXPECT_EQ(u.entry.entry.latitude, "52.5");
  EXPECT_EQ(u.entry.entry.longitude, "-13.4");
  EXPECT_EQ(u.entry.entry.elevation, "35");
  EXPECT_EQ(u.entry.entry.status, "ok");
  EXPECT_EQ(u.entry.entry.created_at, kNow);
  EXPECT_FALSE(u.entry.time_given);
}

TEST(ThingSpeak, ParseUpdate_255CharactersFit_256DoNot) {
  EXPECT_EQ(ParseUpdate({{"field1", std::string(255, 'x')}}, kNow).problem, UpdateProblem::kNone);
  EXPECT_EQ(ParseUpdate({{"field1", std::string(256, 'x')}}, kNow).problem,
            UpdateProblem::kTooLong);
  std::string euros;
  for (int i = 0; i < 255; ++i) euros += "€";  // 765 bytes, 255 characters
  EXPECT_EQ(ParseUpdate({{"field2", euros}}, kNow).problem, UpdateProblem::kNone);
}

TEST(ThingSpeak, ParseUpdate_Refusals) {
  EXPECT_EQ(ParseUpdate({{"api_key", "K"}}, kNow).problem, UpdateProblem::kNoData);
  EXPECT_EQ(ParseUpdate({{"field1", ""}}, kNow).problem, UpdateProblem::kNoData);
  EXPECT_EQ(ParseUpdate({{"field9", "1"}}, kNow).problem, UpdateProblem::kNoData);
  EXPECT_EQ(ParseUpdate({{"lat", "91"}}, kNow).problem, UpdateProblem::kBadLocation);
  EXPECT_EQ(ParseUpdate({{"long", "east"}}, kNow).problem, UpdateProblem::kBadLocation);
  EXPECT_EQ(ParseUpdate({{"field1", "1"}, {"created_at", "soon"}}, kNow).problem,
            UpdateProblem::kBadTime);
  EXPECT_EQ(ParseUpdate({{"field1", "\xff"}}, kNow).problem, UpdateProblem::kInvalidBytes);
  ParsedUpdate timed = ParseUpdate({{"field1", "1"}, {"created_at", "2014-12-31 23:59:59"}}, kNow);
  EXPECT_EQ(timed.entry.entry.created_at, 1420070399000);
  EXPECT_TRUE(timed.entry.time_given);
}

TEST(ThingSpeak, ParseBulkJson_DeltaTCountsBackFromNow) {
  BulkUpdate b = ParseBulkJson(
      R"({"write_api_key":"K","updates":[{"delta_t":4,"field1":1},{"delta_t":2,"field1":2.5},)"
      R"({"delta_t":3,"field1":"x","status":"late"}]})",
      kNow);
  ASSERT_EQ(b.error_status, 0);
  EXPECT_EQ(b.write_key, "K");
  ASSERT_EQ(b.entries.size(), 3u);
  EXPECT_EQ(b.entries[2].entry.created_at, kNow);
  EXPECT_EQ(b.entries[1].entry.created_at, kNow - 3000);
  EXPECT_EQ(b.entries[0].entry.created_at, kNow - 5000);
  EXPECT_EQ(b.entries[1].entry.fields[0], "2.5");
  EXPECT_EQ(b.entries[2].entry.status, "late");
}

TEST(ThingSpeak, ParseBulkJson_CreatedAtIsKept) {
  BulkUpdate b = ParseBulkJson(
      R"({"write_api_key":"K","updates":[{"created_at":"2018-01-30 10:26:02 -0500","field1":1},)"
      R"({"created_at":1517325962,"field2":2}]})",
      kNow);
  ASSERT_EQ(b.error_status, 0);
  EXPECT_EQ(b.entries[0].entry.created_at, 1517325962000);
  EXPECT_EQ(b.entries[1].entry.created_at, 1517325962000);
  EXPECT_TRUE(b.entries[0].time_given);
}

TEST(ThingSpeak, ParseBulkJson_Refusals) {
  EXPECT_EQ(ParseBulkJson("not json", kNow).error_status, 400);
  EXPECT_EQ(ParseBulkJson(R"({"updates":[]})", kNow).error_status, 400);
  EXPECT_EQ(ParseBulkJson(R"({"updates":[{"field1":1}]})", kNow).error_status, 400);  // no time
  EXPECT_EQ(
      ParseBulkJson(R"({"updates":[{"delta_t":1,"field1":1},{"delta_t":0,"field1":2}]})", kNow)
          .error_status,
      400);
  EXPECT_EQ(
      ParseBulkJson(R"({"updates":[{"delta_t":1,"field1":{"nested":1}}]})", kNow).error_status,
      400);
  json too_many = {{"write_api_key", "K"}, {"updates", json::array()}};
  for (int i = 0; i < 961; ++i) too_many["updates"].push_back({{"delta_t", 1}, {"field1", i}});
  EXPECT_EQ(ParseBulkJson(too_many.dump(), kNow).error_status, 413);
  too_many["updates"].erase(too_many["updates"].begin());
  EXPECT_EQ(ParseBulkJson(too_many.dump(), kNow).error_status, 0);
  EXPECT_EQ(ParseBulkJson(
                R"({"updates":[{"delta_t":1,"field1":")" + std::string(256, 'a') + "\"}]}", kNow)
                .error_status,
            400);
}

TEST(ThingSpeak, ParseBulkCsv_AbsoluteAndRelative) {
  BulkUpdate abs = ParseBulkCsv({{"write_api_key", "K"},
                                 {"time_format", "absolute"},
                                 {"updates",
                                  "2018-06-14T12:12:22-0500,1,2,3,4,5,6,7,8,41.2,39.2,22,ok, fine|"
                                  "1529000000,9,,,,,,,,,,,|"}},
                                kNow);
  ASSERT_EQ(abs.error_status, 0);
  ASSERT_EQ(abs.entries.size(), 2u);
  EXPECT_EQ(abs.entries[0].entry.created_at, 1528996342000);
  EXPECT_EQ(abs.entries[0].entry.fields[7], "8");
  EXPECT_EQ(abs.entries[0].entry.latitude, "41.2");
  EXPECT_EQ(abs.entries[0].entry.elevation, "22");
  EXPECT_EQ(abs.entries[0].entry.status, "ok, fine");
  EXPECT_EQ(abs.entries[1].entry.fields[0], "9");
  EXPECT_FALSE(abs.entries[1].entry.fields[1]);

  BulkUpdate rel = ParseBulkCsv(
      {{"write_api_key", "K"}, {"time_format", "relative"}, {"updates", "0,1|10,2|5,3"}}, kNow);
  ASSERT_EQ(rel.error_status, 0);
  EXPECT_EQ(rel.entries[2].entry.created_at, kNow);
  EXPECT_EQ(rel.entries[1].entry.created_at, kNow - 5000);
  EXPECT_EQ(rel.entries[0].entry.created_at, kNow - 15000);

  EXPECT_EQ(ParseBulkCsv({{"time_format", "weekly"}, {"updates", "0,1"}}, kNow).error_status, 400);
  EXPECT_EQ(
      ParseBulkCsv({{"time_format", "absolute"}, {"updates", "yesterday,1"}}, kNow).error_status,
      400);
}

TEST(ThingSpeak, ParseReadOptions_ResultsAndWindows) {
  auto defaults = ParseReadOptions({}, kNow);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->query.results, kDefaultResults);
  EXPECT_EQ(ParseReadOptions({{"results", "20000"}}, kNow)->query.results, 8000);
  EXPECT_EQ(ParseReadOptions({{"results", "99999999999999999999"}}, kNow)->query.results, 8000);
  auto days = ParseReadOptions({{"days", "2"}}, kNow);
  EXPECT_EQ(days->query.start, kNow - 2 * 86400000);
  EXPECT_EQ(days->query.results, 8000);
  auto range = ParseReadOptions({{"start", "2024-05-01 00:00:00"},
                                 {"end", "2024-05-01 01:00:00"},
                                 {"status", "true"},
                                 {"location", "TRUE"}},
                                kNow);
  EXPECT_EQ(range->query.start, 1714521600000);
  EXPECT_EQ(range->query.end, 1714525200000);
  EXPECT_TRUE(range->status);
  EXPECT_TRUE(range->location);
  for (Params bad : {Params{{"results", "ten"}}, Params{{"results", "-1"}}, Params{{"days", "-1"}},
                     Params{{"start", "monday"}}, Params{{"minutes", "1e400"}}}) {
    EXPECT_FALSE(ParseReadOptions(bad, kNow)) << bad.begin()->first << "=" << bad.begin()->second;
  }
}

Channel TwoFieldChannel() {
  Channel c;
  c.id = 9;
  c.name = "my \"house\"";
  c.field_names[0] = "Light";
  c.field_names[2] = "Temp";
  c.created_at = 1292289606000;
  c.updated_at = kNow;
  c.last_entry_id = 2;
  return c;
}

TEST(ThingSpeak, FeedJson_ChannelAndNamedFieldsOnly) {
  Channel c = TwoFieldChannel();
  FeedEntry e;
  e.entry_id = 2;
  e.created_at = kNow;
  e.fields[0] = "208";
  e.fields[1] = "hidden";  // field2 is not a named field of this channel
  e.status = "<b>hi</b>";
  json feed = json::parse(FeedJson(c, {e}, {.status = true}));
  EXPECT_EQ(feed["channel"]["id"], 9);
  EXPECT_EQ(feed["channel"]["name"], "my \"house\"");
  EXPECT_EQ(feed["channel"]["field1"], "Light");
  EXPECT_EQ(feed["channel"]["field3"], "Temp");
  EXPECT_FALSE(feed["channel"].contains("field2"));
  EXPECT_EQ(feed["channel"]["created_at"], "2010-12-14T01:20:06Z");
  EXPECT_EQ(feed["channel"]["last_entry_id"], 2);
  ASSERT_EQ(feed["feeds"].size(), 1u);
  const json& entry = feed["feeds"][0];
  EXPECT_EQ(entry["created_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(entry["entry_id"], 2);
  EXPECT_EQ(entry["field1"], "208");
  EXPECT_TRUE(entry["field3"].is_null());
  EXPECT_FALSE(entry.contains("field2"));
  EXPECT_EQ(entry["status"], "<b>hi</b>");
  EXPECT_FALSE(entry.contains("latitude"));
  // Compact like the real service: thingspeak-arduino finds values by searching "key":"
  EXPECT_NE(FeedJson(c, {e}, {}).find("\"field1\":\"208\""), std::string::npos);
}

TEST(ThingSpeak, FeedCsv_HeaderAndQuotedValues) {
  Channel c = TwoFieldChannel();
  FeedEntry e;
  e.entry_id = 1;
  e.created_at = kNow;
  e.fields[0] = "a,b";
  EXPECT_EQ(FeedCsv(c, {e}, {.location = true}),
            "created_at,entry_id,field1,field3,latitude,longitude,elevation\n"
            "2024-05-01T12:00:00Z,1,\"a,b\",,,,\n");
  EXPECT_EQ(FeedCsv(c, {e}, {.only_field = 3}),
            "created_at,entry_id,field3\n"
            "2024-05-01T12:00:00Z,1,\n");
}

TEST(ThingSpeak, FullEntryJson_EveryColumnWithChannelId) {
  FeedEntry e;
  e.entry_id = 7;
  e.created_at = kNow;
  e.fields[4] = "5";
  json j = json::parse(FullEntryJson(3, e));
  EXPECT_EQ(j["channel_id"], 3);
  EXPECT_EQ(j["entry_id"], 7);
  EXPECT_EQ(j["field5"], "5");
  for (const char* key : {"field1", "field8", "latitude", "longitude", "elevation", "status"}) {
    ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j[key].is_null()) << key;
  }
}

}  // namespace
}  // namespace airlab::server
