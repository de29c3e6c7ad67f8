#include "server/channel_database.h"

#include "server/pending_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "tests/temp_dir.h"

namespace airlab::server {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<ChannelDatabase>(dir_.path() / "db" / "cloud.db");
  }
  void TearDown() override { store_.reset(); }

  static std::vector<NewEntry> One(std::string field1, TimeMs at = 1000, bool given = false) {
    NewEntry e;
    e.entry.created_at = at;
    e.entry.fields[0] = std::move(field1);
    e.time_given = given;
    std::vector<NewEntry> v;
    v.push_back(std::move(e));
    return v;
  }

  testing_tools::TempDir dir_;
  std::unique_ptr<ChannelDatabase> store_;
};

TEST_F(StoreTest, CreateChannel_KeysLookLikeThingSpeaksAndDiffer) {
  const std::regex key_form("^[A-Z0-9]{16}$");
  std::set<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    Channel c = store_->CreateChannel({.name = "c" + std::to_string(i)});
    EXPECT_EQ(c.id, i + 1);
    EXPECT_TRUE(std::regex_match(c.write_key, key_form)) << c.write_key;
    ASSERT_EQ(c.read_keys.size(), 1u);
    EXPECT_TRUE(std::regex_match(c.read_keys[0], key_form));
    keys.insert(c.write_key);
    keys.insert(c.read_keys[0]);
  }
  EXPECT_EQ(keys.size(), 40u);
}

TEST_F(StoreTest, CreateChannel_KeepsSpec) {
  Channel c = store_->CreateChannel({.name = "weather",
                                     .description = "roof",
                                     .field_names = {"temp", "", "rssi"},
                                     .public_flag = true,
                                     .rate_limit_s = 1.5});
  std::optional<Channel> found = store_->FindChannel(c.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "weather");
  EXPECT_EQ(found->description, "roof");
  EXPECT_EQ(found->field_names[0], "temp");
  EXPECT_FALSE(found->field_names[1]);
  EXPECT_EQ(found->field_names[2], "rssi");
  EXPECT_TRUE(found->public_flag);
  EXPECT_EQ(found->rate_limit_s, 1.5);
  EXPECT_EQ(found->last_entry_id, 0);
  EXPECT_FALSE(store_->FindChannel(99));
  EXPECT_THROW(store_->CreateChannel({.name = ""}), std::invalid_argument);
  EXPECT_THROW(
      store_->CreateChannel({.name = "x", .field_names = std::vector<std::string>(9, "f")}),
      std::invalid_argument);
}

TEST_F(StoreTest, CreateChannel_ChosenIdAndKeys_KeptAndClashesRefused) {
  Channel c = store_->CreateChannel(
      {.name = "lab", .id = 179, .write_key = "E13BHXREJ6K0V1DQ", .read_keys = {"R1R1", "R2R2"}});
  EXPECT_EQ(c.id, 179);
  EXPECT_EQ(c.write_key, "E13BHXREJ6K0V1DQ");
  EXPECT_EQ(c.read_keys, (std::vector<std::string>{"R1R1", "R2R2"}));
  EXPECT_EQ(store_->CreateChannel({.name = "next"}).id, 180);
  EXPECT_THROW(store_->CreateChannel({.name = "x", .id = 179}), ChannelConflict);
  EXPECT_THROW(store_->CreateChannel({.name = "x", .write_key = "R2R2"}), ChannelConflict);
  EXPECT_THROW(store_->CreateChannel({.name = "x", .read_keys = {"E13BHXREJ6K0V1DQ"}}),
               ChannelConflict);
  EXPECT_THROW(store_->CreateChannel({.name = "x", .id = 0}), std::invalid_argument);
  EXPECT_THROW(store_->CreateChannel({.name = "x", .write_key = "a-b-c-d"}), std::invalid_argument);
  // A refusal leaves the database writable: its transaction ended.
  ChannelDatabase other(dir_.path() / "db" / "cloud.db");
  EXPECT_EQ(other.CreateChannel({.name = "from another connection", .id = 7}).id, 7);
  EXPECT_EQ(store_->ListChannels().size(), 3u);
}

TEST_F(StoreTest, Append_EntryIdsCountPerChannelFromOne) {
  Channel a = store_->CreateChannel({.name = "a"});
  Channel b = store_->CreateChannel({.name = "b"});
  for (int i = 1; i <= 3; ++i) {
    AppendResult r = store_->Append(a.write_key, std::nullopt, One("x"), 1000 * i, 0);
    ASSERT_EQ(r.status, AppendStatus::kOk);
    EXPECT_EQ(r.channel_id, a.id);
    EXPECT_EQ(r.entries[0].entry_id, i);
  }
  AppendResult r = store_->Append(b.write_key, b.id, One("y"), 5000, 0);
  ASSERT_EQ(r.status, AppendStatus::kOk);
  EXPECT_EQ(r.entries[0].entry_id, 1);
  EXPECT_EQ(store_->FindChannel(a.id)->last_entry_id, 3);
}

TEST_F(StoreTest, Append_WrongKeyOrChannel_IsBadKey) {
  Channel a = store_->CreateChannel({.name = "a"});
  Channel b = store_->CreateChannel({.name = "b"});
  EXPECT_EQ(store_->Append("NOTAKEY", std::nullopt, One("x"), 0, 0).status, AppendStatus::kBadKey);
  EXPECT_EQ(store_->Append(a.read_keys[0], std::nullopt, One("x"), 0, 0).status,
            AppendStatus::kBadKey);
  EXPECT_EQ(store_->Append(a.write_key, b.id, One("x"), 0, 0).status, AppendStatus::kBadKey);
  EXPECT_TRUE(store_->Feed(a.id, {}).empty());
}

TEST_F(StoreTest, Append_RateLimit_ChannelOwnLimitBeatsDefault) {
  Channel limited = store_->CreateChannel({.name = "free"});
  Channel own = store_->CreateChannel({.name = "paid", .rate_limit_s = 1});
  EXPECT_EQ(store_->Append(limited.write_key, {}, One("1"), 0, 15000).status, AppendStatus::kOk);
  EXPECT_EQ(store_->Append(limited.write_key, {}, One("2"), 14999, 15000).status,
            AppendStatus::kRateLimited);
  EXPECT_EQ(store_->Append(limited.write_key, {}, One("3"), 15000, 15000).status,
            AppendStatus::kOk);
  EXPECT_EQ(store_->Append(own.write_key, {}, One("1"), 0, 15000).status, AppendStatus::kOk);
  EXPECT_EQ(store_->Append(own.write_key, {}, One("2"), 999, 15000).status,
            AppendStatus::kRateLimited);
  EXPECT_EQ(store_->Append(own.write_key, {}, One("3"), 1000, 15000).status, AppendStatus::kOk);
  // Refused writes store nothing and do not restart the clock.
  std::vector<FeedEntry> feed = store_->Feed(limited.id, {});
  ASSERT_EQ(feed.size(), 2u);
  EXPECT_EQ(feed[1].fields[0], "3");
  EXPECT_EQ(feed[1].entry_id, 2);
}

TEST_F(StoreTest, Append_GivenTimeTaken_IsConflictAndStoresNothing) {
  Channel c = store_->CreateChannel({.name = "c"});
  ASSERT_EQ(store_->Append(c.write_key, {}, One("a", 5000, true), 0, 0).status, AppendStatus::kOk);
  EXPECT_EQ(store_->Append(c.write_key, {}, One("b", 5000, true), 1, 0).status,
            AppendStatus::kConflict);
  std::vector<NewEntry> twice = One("c", 6000, true);
  twice.push_back(One("d", 6000, true)[0]);
  EXPECT_EQ(store_->Append(c.write_key, {}, std::move(twice), 2, 0).status,
            AppendStatus::kConflict);
  EXPECT_EQ(store_->Feed(c.id, {}).size(), 1u);
}

TEST_F(StoreTest, Feed_NewestResultsOldestFirstWithinWindow) {
  Channel c = store_->CreateChannel({.name = "c"});
  std::vector<NewEntry> batch;
  for (int i = 0; i < 10; ++i) {
    NewEntry e;
    e.entry.created_at = 1000 * (10 - i);  // stored newest first: the feed orders by time
    e.entry.fields[0] = std::to_string(10 - i);
    if (i % 2) e.entry.status = "s" + std::to_string(i);
    batch.push_back(e);
  }
  ASSERT_EQ(store_->Append(c.write_key, {}, std::move(batch), 0, 0).status, AppendStatus::kOk);
  std::vector<FeedEntry> last3 = store_->Feed(c.id, {.results = 3});
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].fields[0], "8");
  EXPECT_EQ(last3[2].fields[0], "10");
  EXPECT_EQ(last3[2].entry_id, 1);
  std::vector<FeedEntry> window = store_->Feed(c.id, {.results = 100, .start = 3000, .end = 5000});
  ASSERT_EQ(window.size(), 3u);
  EXPECT_EQ(window[0].created_at, 3000);
  EXPECT_EQ(store_->Feed(c.id, {.results = 100, .only_with_status = true}).size(), 5u);
  EXPECT_TRUE(store_->Feed(c.id, {.results = 0}).empty());
}

TEST_F(StoreTest, Append_SqlAndMarkup_StoredAsGiven) {
  Channel c = store_->CreateChannel({.name = "c"});
  const std::string nasty = "1'); DROP TABLE entries; -- <script>alert(1)</script> \"%s\\";
  ASSERT_EQ(store_->Append(c.write_key, {}, One(nasty), 0, 0).status, AppendStatus::kOk);
  std::vector<FeedEntry> feed = store_->Feed(c.id, {});
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(feed[0].fields[0], nasty);
}

TEST_F(StoreTest, SecondStoreOnSameFile_SeesChannelsAndWrites) {
  ChannelDatabase other(dir_.path() / "db" / "cloud.db");
  Channel c = other.CreateChannel({.name = "from another process"});
  EXPECT_EQ(store_->FindChannel(c.id)->name, "from another process");
  ASSERT_EQ(store_->Append(c.write_key, {}, One("1"), 0, 0).status, AppendStatus::kOk);
  ASSERT_EQ(other.Append(c.write_key, {}, One("2"), 0, 0).status, AppendStatus::kOk);
  other.Flush();
  EXPECT_EQ(store_->FindChannel(c.id)->last_entry_id, 2);
  EXPECT_EQ(store_->ListChannels().size(), 1u);
}

// An answered Append is seen at once by reads through its ChannelDatabase; another connection sees it
// after Flush, or once the committer committed it by itself (within kCommitDelay).
TEST_F(StoreTest, Append_Returned_VisibleHereAtOnceElsewhereAfterCommit) {
  ChannelDatabase other(dir_.path() / "db" / "cloud.db");
  Channel c = store_->CreateChannel({.name = "c"});
  ASSERT_EQ(store_->Append(c.write_key, {}, One("1"), 0, 0).status, AppendStatus::kOk);
  EXPECT_EQ(store_->Feed(c.id, {}).size(), 1u);
  EXPECT_EQ(other.Feed(c.id, {}).size(), 1u);  // the read above committed it
  ASSERT_EQ(store_->Append(c.write_key, {}, One("2"), 1, 0).status, AppendStatus::kOk);
  store_->Flush();
  EXPECT_EQ(other.Feed(c.id, {}).size(), 2u);
  ASSERT_EQ(store_->Append(c.write_key, {}, One("3"), 2, 0).status, AppendStatus::kOk);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (other.Feed(c.id, {}).size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(ChannelDatabase::kCommitDelay);
  }
  EXPECT_EQ(other.Feed(c.id, {}).size(), 3u) << "the committer did not commit on its own";
}

// Concurrent writers each find their own answered entry through the ChannelDatabase at once.
TEST_F(StoreTest, Append_ConcurrentWriters_EachVisibleWhenItReturns) {
  Channel c = store_->CreateChannel({.name = "c"});
  std::vector<std::thread> threads;
  std::atomic<int> missing{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 60; ++i) {
        AppendResult r = store_->Append(c.write_key, {}, One("x"), 0, 0);
        ASSERT_EQ(r.status, AppendStatus::kOk);
        std::vector<FeedEntry> newest = store_->Feed(c.id, {.results = 8000});
        bool found = std::any_of(newest.begin(), newest.end(), [&](const FeedEntry& e) {
          return e.entry_id == r.entries[0].entry_id;
        });
        if (!found) ++missing;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(missing, 0);
  store_->Flush();
  ChannelDatabase other(dir_.path() / "db" / "cloud.db");
  EXPECT_EQ(other.Feed(c.id, {.results = 8000}).size(), 360u);
}

// Every answered write survives the process being killed (SIGKILL: no destructor, no flush),
// whether the committer had committed it yet or not: the next ChannelDatabase takes the rest from the
// killed one's log.
TEST_F(StoreTest, Append_ProcessKilledAfterReturn_EntriesKept) {
  Channel c = store_->CreateChannel({.name = "c"});
  store_.reset();
  constexpr int kWrites = 300;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ChannelDatabase store(dir_.path() / "db" / "cloud.db");
    bool ok = true;
    for (int i = 0; i < kWrites; ++i) {
      ok = ok &&
           store.Append(c.write_key, {}, One(i + 1 == kWrites ? "kept" : "x", i), 0, 0).status ==
               AppendStatus::kOk;
    }
    raise(ok ? SIGKILL : SIGTERM);
    _exit(1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL) << "the child's Append failed";
  ChannelDatabase reopened(dir_.path() / "db" / "cloud.db");
  std::vector<FeedEntry> feed = reopened.Feed(c.id, {.results = 8000});
  ASSERT_EQ(feed.size(), static_cast<size_t>(kWrites));
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(feed[i].entry_id, i + 1);
  EXPECT_EQ(feed.back().fields[0], "kept");
  EXPECT_EQ(reopened.FindChannel(c.id)->last_entry_id, kWrites);
}

// A log still held by a living ChannelDatabase is left alone; once free, the next ChannelDatabase puts its entries
// in, keeping an entry whose id was taken meanwhile under the next free id.
TEST_F(StoreTest, Open_PendingLogs_OrphansPutInHeldOnesLeft) {
  Channel c = store_->CreateChannel({.name = "c"});
  ASSERT_EQ(store_->Append(c.write_key, {}, One("committed", 500), 0, 0).status, AppendStatus::kOk);
  store_.reset();
  const std::filesystem::path db = dir_.path() / "db" / "cloud.db";
  FeedEntry answered;  // answered as id 1 by a writer that died, but id 1 went to "committed"
  answered.entry_id = 1;
  answered.created_at = 700;
  answered.fields[0] = "answered";
  FeedEntry pending;
  pending.entry_id = 2;
  pending.created_at = 800;
  pending.fields[0] = "pending";
  pending.status = "";
  {
    std::optional<PendingLog> held = PendingLog::Claim(db.string() + ".pending-7");
    ASSERT_TRUE(held);
    held->Append(c.id, {answered, pending});
    ChannelDatabase while_held(db);
    EXPECT_EQ(while_held.Feed(c.id, {}).size(), 1u);
  }
  ChannelDatabase after(db);
  std::vector<FeedEntry> feed = after.Feed(c.id, {});
  ASSERT_EQ(feed.size(), 3u);
  EXPECT_EQ(feed[0].fields[0], "committed");
  EXPECT_EQ(feed[0].entry_id, 1);
  EXPECT_EQ(feed[1].fields[0], "answered");
  EXPECT_EQ(feed[1].entry_id, 3);
  EXPECT_EQ(feed[2].fields[0], "pending");
  EXPECT_EQ(feed[2].entry_id, 2);
  EXPECT_EQ(feed[2].status, "");
  ChannelDatabase again(db);  // the log was emptied: nothing goes in twice
  EXPECT_EQ(again.Feed(c.id, {}).size(), 3u);
}

TEST_F(StoreTest, Append_ConcurrentWriters_GetDistinctContiguousIds) {
  Channel a = store_->CreateChannel({.name = "a"});
  Channel b = store_->CreateChannel({.name = "b"});
  constexpr int kThreads = 8, kEach = 150;
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Channel& c = t % 2 ? a : b;
      for (int i = 0; i < kEach; ++i) {
        if (store_->Append(c.write_key, {}, One(std::to_string(t)), 0, 0).status !=
            AppendStatus::kOk) {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(refused, 0);
  for (const Channel& c : {a, b}) {
    std::vector<FeedEntry> feed = store_->Feed(c.id, {.results = 8000});
    ASSERT_EQ(feed.size(), size_t{kThreads / 2 * kEach});
    std::set<std::int64_t> ids;
    for (const FeedEntry& e : feed) ids.insert(e.entry_id);
    EXPECT_EQ(ids.size(), feed.size());
    EXPECT_EQ(*ids.begin(), 1);
    EXPECT_EQ(*ids.rbegin(), kThreads / 2 * kEach);
  }
}

TEST_F(StoreTest, Append_ConcurrentWritersAtOneInstant_RateLimitLetsOneThrough) {
  Channel c = store_->CreateChannel({.name = "c"});
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      if (store_->Append(c.write_key, {}, One("x"), 5000, 15000).status == AppendStatus::kOk)
        ++accepted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted, 1);
}

TEST(ChannelDatabase, Open_UnwritableFolder_ThrowsNamingThePath) {
  try {
    ChannelDatabase store("/proc/airlab-no/cloud.db");
    FAIL() << "opened a store under /proc";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/airlab-no"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airlab::server
