#include "server/pending_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/temp_dir.h"

namespace airlab::server {
namespace {

class PendingLogTest : public ::testing::Test {
 protected:
  static FeedEntry Sample(std::int64_t id) {
    FeedEntry e;
    e.entry_id = id;
    e.created_at = -1700000000000 + id;  // negative and beyond 32 bits
    e.fields[0] = "21.5";
    e.fields[3] = "";
    e.fields[7] = std::string("a\0b\xff", 4);
    e.latitude = "52.5";
    e.status = std::string(300, 's');
    return e;
  }
  static void ExpectSame(const FeedEntry& a, const FeedEntry& b) {
    EXPECT_EQ(a.entry_id, b.entry_id);
    EXPECT_EQ(a.created_at, b.created_at);
    EXPECT_EQ(a.fields, b.fields);
    EXPECT_EQ(a.latitude, b.latitude);
    EXPECT_EQ(a.longitude, b.longitude);
    EXPECT_EQ(a.elevation, b.elevation);
    EXPECT_EQ(a.status, b.status);
  }
  std::filesystem::path Slot(int n) const {
    return dir_.path() / ("cloud.db.pending-" + std::to_string(n));
  }

  testing_tools::TempDir dir_;
};

TEST_F(PendingLogTest, Append_ReadAll_RoundTripsEveryText) {
  std::optional<PendingLog> log = PendingLog::Claim(Slot(0));
  ASSERT_TRUE(log);
  log->Append(7, {Sample(1), Sample(2)});
  log->Append(-3, {Sample(3)});
  std::vector<PendingEntry> read = log->ReadAll();
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].channel_id, 7);
  EXPECT_EQ(read[2].channel_id, -3);
  for (int i = 0; i < 3; ++i) ExpectSame(read[i].entry, Sample(i + 1));
}

TEST_F(PendingLogTest, Claim_HeldByAnother_IsNulloptUntilReleased) {
  std::optional<PendingLog> first = PendingLog::Claim(Slot(0));
  ASSERT_TRUE(first);
  EXPECT_FALSE(PendingLog::Claim(Slot(0)));
  PendingLog next = PendingLog::ClaimFree(dir_.path() / "cloud.db");
  EXPECT_EQ(next.path(), Slot(1));
  EXPECT_EQ(PendingLog::Slots(dir_.path() / "cloud.db").size(), 2u);
  first.reset();
  EXPECT_TRUE(PendingLog::Claim(Slot(0)));
}

TEST_F(PendingLogTest, ReadAll_CutShortOrCorrupt_EndsAtTheDamage) {
  {
    std::optional<PendingLog> log = PendingLog::Claim(Slot(0));
    log->Append(1, {Sample(1)});
    log->Append(1, {Sample(2)});
  }
  const auto size = std::filesystem::file_size(Slot(0));
  std::filesystem::resize_file(Slot(0), size - 5);  // a write cut short by the kill
  std::vector<PendingEntry> read = PendingLog::Claim(Slot(0))->ReadAll();
  ASSERT_EQ(read.size(), 1u);
  ExpectSame(read[0].entry, Sample(1));

  {
    std::fstream file(Slot(0), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(20);  // inside the first record's payload
    file.put('\x5a');
  }
  EXPECT_TRUE(PendingLog::Claim(Slot(0))->ReadAll().empty());
}

TEST_F(PendingLogTest, Clear_EmptiesAndLaterAppendsReadBack) {
  std::optional<PendingLog> log = PendingLog::Claim(Slot(0));
  log->Append(1, {Sample(1)});
  log->Clear();
  EXPECT_EQ(std::filesystem::file_size(Slot(0)), 0u);
  log->Append(1, {Sample(2)});
  std::vector<PendingEntry> read = log->ReadAll();
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].entry.entry_id, 2);
}

}  // namespace
}  // namespace airlab::server
