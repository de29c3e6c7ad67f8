// Bulk update bodies. Shapes: MathWorks, "Bulk-Write JSON Data" (body format
// {"write_api_key": ..., "updates": [{"created_at"|"delta_t": .., "field1": .., ...}]},
// delta_t non-zero except for the first update, at most 960 updates) and "Bulk-Write CSV
// Data" (write_api_key=..&time_format=absolute|relative&updates=T,F1,..,F8,LAT,LONG,ELEV,
// STATUS|...). The JSON example of MathWorks' bulk-update tutorial
// ("[{\"delta_t\":0,\"field1\":-70},{\"delta_t\":3,\"field1\":-66}]") is the relative case
// below, with the values as strings. nlohmann-json and Python's urllib read the bodies back.

#include "core/cloud/bulk.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/base/bytes_testing.h"
#include "core/cloud/cloud_testing.h"
#include "core/cloud/requests.h"

namespace airlab::cloud {
namespace {

using nlohmann::json;
using testing::PythonParseForm;
using testing::ToString;

BulkEntry Update(uint32_t delta_t, std::string_view field1) {
  BulkEntry u;
  EXPECT_TRUE(u.entry.SetField(1, field1).ok());
  u.delta_t_s = delta_t;
  return u;
}

class VectorSource final : public BulkSource {
 public:
  explicit VectorSource(std::vector<BulkEntry> updates) : updates_(std::move(updates)) {}
  bool Next(BulkEntry& update) override {
    if (next_ == updates_.size()) return false;
    update = updates_[next_++];
    return true;
  }
  size_t consumed() const { return next_; }

 private:
  std::vector<BulkEntry> updates_;
  size_t next_ = 0;
};

TEST(BulkWriter, Json_RelativeTimes) {
  std::vector<std::byte> storage(512);
  auto writer = BulkWriter::Start(storage, "XXXXXXXXXXXXXXXX", {});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Add(Update(0, "-70")).ok());
  ASSERT_TRUE(writer->Add(Update(3, "-66")).ok());
  auto body = writer->Finish();
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(ToString(*body),
            R"({"write_api_key":"XXXXXXXXXXXXXXXX","updates":[{"delta_t":0,"field1":"-70"},)"
            R"({"delta_t":3,"field1":"-66"}]})");
  EXPECT_EQ(json::parse(ToString(*body)), json::parse(R"({"write_api_key": "XXXXXXXXXXXXXXXX",
                            "updates": [{"delta_t": 0, "field1": "-70"},
                                        {"delta_t": 3, "field1": "-66"}]})"));
}

TEST(BulkWriter, Json_AbsoluteTimesAndEveryColumn) {
  std::vector<std::byte> storage(1024);
  auto writer = BulkWriter::Start(storage, "WRITE_API_KEY", {.time = BulkTime::kCreatedAt});
  ASSERT_TRUE(writer.ok());
  BulkEntry a;
  ASSERT_TRUE(a.entry.SetCreatedAt("2018-01-30 10:26:2 -0500").ok());
  ASSERT_TRUE(a.entry.SetField(1, "1.0").ok());
  ASSERT_TRUE(a.entry.SetField(2, "2.0").ok());
  BulkEntry b;
  ASSERT_TRUE(b.entry.SetCreatedAt("2018-02-02 11:27:27 -0500").ok());
  ASSERT_TRUE(b.entry.SetField(1, "1.1").ok());
  ASSERT_TRUE(b.entry.SetField(2, "2.2").ok());
  ASSERT_TRUE(b.entry.SetLatitude("40.5").ok());
  ASSERT_TRUE(b.entry.SetLongitude("-80.22").ok());
  ASSERT_TRUE(b.entry.SetElevation("6").ok());
  ASSERT_TRUE(b.entry.SetStatus("well \"done\"\n\xc3\xa9\x01").ok());
  ASSERT_TRUE(writer->Add(a).ok());
  ASSERT_TRUE(writer->Add(b).ok());
  auto body = writer->Finish();
  ASSERT_TRUE(body.ok());
  json expected = {
      {"write_api_key", "WRITE_API_KEY"},
      {"updates",
       {{{"created_at", "2018-01-30 10:26:2 -0500"}, {"field1", "1.0"}, {"field2", "2.0"}},
        {{"created_at", "2018-02-02 11:27:27 -0500"},
         {"field1", "1.1"},
         {"field2", "2.2"},
         {"latitude", "40.5"},
         {"longitude", "-80.22"},
         {"elevation", "6"},
         {"status", "well \"done\"\n\xc3\xa9\x01"}}}},
  };
  EXPECT_EQ(json::parse(ToString(*body)), expected) << ToString(*body);
}

TEST(BulkWriter, Csv_PythonReadsTheForm) {
  std::vector<std::byte> storage(512);
  auto rel = BulkWriter::Start(storage, "K", {.format = BulkFormat::kCsv});
  ASSERT_TRUE(rel.ok());
  ASSERT_TRUE(rel->Add(Update(0, "-70")).ok());
  ASSERT_TRUE(rel->Add(Update(3, "-66")).ok());
  std::string body = ToString(rel->Finish().value());
  EXPECT_EQ(body, "write_api_key=K&time_format=relative&updates=0,-70%7C3,-66");
  EXPECT_EQ(PythonParseForm(body), json::parse(R"([["write_api_key","K"],
      ["time_format","relative"],["updates","0,-70|3,-66"]])"));

  auto abs =
      BulkWriter::Start(storage, "K", {.format = BulkFormat::kCsv, .time = BulkTime::kCreatedAt});
  ASSERT_TRUE(abs.ok());
  BulkEntry a;
  ASSERT_TRUE(a.entry.SetCreatedAt("2018-06-14T12:12:22-0500").ok());
  static const std::string kDigits[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
  for (int f = 1; f <= 8; ++f) ASSERT_TRUE(a.entry.SetField(f, kDigits[f - 1]).ok());
  ASSERT_TRUE(a.entry.SetLatitude("41.2").ok());
  ASSERT_TRUE(a.entry.SetLongitude("39.2").ok());
  ASSERT_TRUE(a.entry.SetElevation("22").ok());
  ASSERT_TRUE(a.entry.SetStatus("ok & fine").ok());
  BulkEntry b;
  ASSERT_TRUE(b.entry.SetCreatedAt("1529000000").ok());
  ASSERT_TRUE(b.entry.SetField(3, "9").ok());  // empty columns before it, none after
  ASSERT_TRUE(abs->Add(a).ok());
  ASSERT_TRUE(abs->Add(b).ok());
  body = ToString(abs->Finish().value());
  EXPECT_EQ(PythonParseForm(body), json::parse(R"([["write_api_key","K"],["time_format","absolute"],
      ["updates","2018-06-14T12:12:22-0500,1,2,3,4,5,6,7,8,41.2,39.2,22,ok & fine|1529000000,,,9"]])"));
}

TEST(BulkWriter, Refusals_LeaveTheBodyAsItWas) {
  std::vector<std::byte> storage(512);
  auto writer = BulkWriter::Start(storage, "K", {.format = BulkFormat::kCsv});
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(writer->Finish().status(), Status::FailedPrecondition());  // nothing in it
  ASSERT_TRUE(writer->Add(Update(5, "1")).ok());
  size_t size = writer->size();
  std::vector<std::byte> before(storage.begin(), storage.begin() + size);
  EXPECT_EQ(writer->Add(Update(0, "2")), Status::InvalidArgument());    // delta_t 0, not first
  EXPECT_EQ(writer->Add(Update(1, "a,b")), Status::InvalidArgument());  // CSV cannot say it
  EXPECT_EQ(writer->Add(Update(1, "a|b")), Status::InvalidArgument());
  EXPECT_EQ(writer->Add(BulkEntry{}), Status::FailedPrecondition());  // no data [-210]
  EXPECT_EQ(writer->size(), size);
  EXPECT_EQ(writer->count(), 1u);
  AIRLAB_EXPECT_BYTES_EQ(ByteSpan(storage).first(size), before);

  auto absolute = BulkWriter::Start(storage, "K", {.time = BulkTime::kCreatedAt});
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->Add(Update(1, "1")), Status::InvalidArgument());  // no created_at

  EXPECT_EQ(BulkWriter::Start(storage, "", {}).status(), Status::InvalidArgument());
  EXPECT_EQ(BulkWriter::Start(storage, "K", {.max_updates = 0}).status(),
            Status::InvalidArgument());
  EXPECT_EQ(BulkWriter::Start(storage, "K", {.max_updates = 961}).status(),
            Status::InvalidArgument());
  EXPECT_EQ(BulkWriter::Start(storage, "K", {.max_bytes = 20}).status(),
            Status::ResourceExhausted());
}

// Every budget from "head only" up: the writer takes exactly the updates whose complete
// body fits, and what it returns is always a complete JSON document with that many updates.
TEST(BulkWriter, ByteBudget_StopsCleanlyAtEverySize) {
  std::vector<std::string> values;  // the entries hold views of these
  for (int i = 0; i < 12; ++i) values.push_back(std::to_string(i * 37));
  std::vector<BulkEntry> updates;
  for (int i = 0; i < 12; ++i) updates.push_back(Update(i == 0 ? 0 : 1, values[i]));
  // The body sizes with 1, 2, ... updates, measured with an unlimited writer.
  std::vector<std::byte> big(4096);
  auto unlimited = BulkWriter::Start(big, "KEY", {});
  ASSERT_TRUE(unlimited.ok());
  std::vector<size_t> full_size;  // full_size[n]: the finished body with n updates
  full_size.push_back(unlimited->size() + 2);
  for (const BulkEntry& u : updates) {
    ASSERT_TRUE(unlimited->Add(u).ok());
    full_size.push_back(unlimited->size() + 2);
  }
  for (size_t budget = full_size[0]; budget <= full_size.back() + 3; ++budget) {
    std::vector<std::byte> storage(4096);
    auto writer = BulkWriter::Start(storage, "KEY", {.max_bytes = budget});
    ASSERT_TRUE(writer.ok()) << budget;
    VectorSource source(updates);
    auto added = AddFrom(*writer, source);
    size_t expected = 0;
    while (expected < updates.size() && full_size[expected + 1] <= budget) ++expected;
    if (expected == 0) {
      EXPECT_EQ(added.status(), Status::ResourceExhausted()) << budget;
      continue;
    }
    ASSERT_TRUE(added.ok()) << budget;
    EXPECT_EQ(*added, expected) << budget;
    auto body = writer->Finish();
    ASSERT_TRUE(body.ok());
    EXPECT_LE(body->size(), budget);
    json parsed = json::parse(ToString(*body));
    EXPECT_EQ(parsed["updates"].size(), expected) << budget;
    EXPECT_EQ(parsed["updates"].back()["field1"], std::to_string((expected - 1) * 37));
  }
}

TEST(BulkWriter, Cap_960Updates) {
  std::vector<std::byte> storage(64 * 1024);
  auto writer = BulkWriter::Start(storage, "K", {});
  ASSERT_TRUE(writer.ok());
  for (size_t i = 0; i < kMaxBulkUpdates; ++i) {
    ASSERT_TRUE(writer->Add(Update(i == 0 ? 0 : 1, "5")).ok()) << i;
  }
  EXPECT_EQ(writer->Add(Update(1, "5")), Status::ResourceExhausted());
  EXPECT_EQ(writer->count(), 960u);
  EXPECT_EQ(json::parse(ToString(writer->Finish().value()))["updates"].size(), 960u);

  auto three = BulkWriter::Start(storage, "K", {.max_updates = 3});
  ASSERT_TRUE(three.ok());
  VectorSource source({Update(0, "1"), Update(1, "2"), Update(1, "3"), Update(1, "4")});
  EXPECT_EQ(AddFrom(*three, source).value(), 3u);
}

TEST(AddFrom, ARefusedUpdateEndsTheBatch_AndIsReportedWhenFirst) {
  std::vector<std::byte> storage(512);
  auto writer = BulkWriter::Start(storage, "K", {});
  VectorSource source({Update(0, "1"), Update(1, "2"), BulkEntry{}, Update(1, "4")});
  EXPECT_EQ(AddFrom(*writer, source).value(), 2u);
  auto next = BulkWriter::Start(storage, "K", {});
  VectorSource rest({BulkEntry{}, Update(1, "4")});
  EXPECT_EQ(AddFrom(*next, rest).status(), Status::FailedPrecondition());
}

TEST(BuildBulkUpdate, TargetsAndContentTypes) {
  std::vector<std::byte> storage(512);
  VectorSource json_source({Update(0, "1"), Update(2, "2")});
  auto bulk = BuildBulkUpdate(storage, 999990, "K", json_source);
  ASSERT_TRUE(bulk.ok());
  EXPECT_EQ(bulk->request.method, port::HttpMethod::kPost);
  EXPECT_EQ(bulk->request.target, "/channels/999990/bulk_update.json");
  EXPECT_EQ(bulk->request.content_type, "application/json");
  EXPECT_EQ(bulk->updates, 2u);
  EXPECT_EQ(json::parse(ToString(bulk->request.body))["updates"].size(), 2u);

  VectorSource csv_source({Update(0, "1")});
  auto csv = BuildBulkUpdate(storage, 999990, "K", csv_source, {.format = BulkFormat::kCsv});
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->request.target, "/channels/999990/bulk_update.csv");
  EXPECT_EQ(csv->request.content_type, "application/x-www-form-urlencoded");

  VectorSource empty({});
  EXPECT_EQ(BuildBulkUpdate(storage, 9, "K", empty).status(), Status::FailedPrecondition());
  VectorSource one({Update(0, "1")});
  EXPECT_EQ(BuildBulkUpdate(storage, 0, "K", one).status(), Status::InvalidArgument());
}

}  // namespace
}  // namespace airlab::cloud
