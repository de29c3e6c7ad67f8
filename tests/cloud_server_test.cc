// cloud::ThingSpeak over linux_port::HttpUplink against airlab's ThingSpeak-compatible server,
// embedded on a free loopback port and spoken to over real HTTP; and MQTT from the client's
// builders through a mosquitto broker into the same server. The server's own store is the
// independent witness of what landed.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/cloud/requests.h"
#include "core/cloud/thingspeak.h"
#include "platform/linux/http_uplink.h"
#include "platform/linux/mqtt_uplink.h"
#include "server/server.h"
#include "server/test_support.h"

namespace airlab::cloud {
namespace {

using namespace std::chrono_literals;

class SteadyClock final : public port::Clock {
 public:
  port::TimeNs Now() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

std::string Str(JsonString s) {
  std::string out(s.size(), '\0');
  EXPECT_TRUE(s.CopyTo(AsWritableBytes(out.data(), out.size())).ok());
  return out;
}

// What a completion said, copied out of the uplink's thread.
struct Outcome {
  ErrorCode code = ErrorCode::kOk;
  int64_t entry_id = 0;
  size_t updates = 0;
  std::string value;
  std::vector<std::pair<int64_t, std::string>> entries;  // entry_id, field1
  std::string channel_name;
  std::string body;
};

class Waiter final : public ThingSpeakListener {
 public:
  void OnDone(const Completion& done) override {
    Outcome o;
    o.code = done.code;
    o.entry_id = done.entry_id;
    o.updates = done.updates;
    o.value = std::string(done.value);
    o.body = std::string(done.body);
    for (EntryView e : done.feed.entries()) o.entries.emplace_back(e.entry_id(), Str(e.field(1)));
    if (!done.entry.empty())
      o.entries.emplace_back(done.entry.entry_id(), Str(done.entry.field(1)));
    o.channel_name = Str(done.feed.channel().name());
    std::lock_guard lock(mutex_);
    outcome_ = o;
    cv_.notify_all();
  }
  Outcome Wait() {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(cv_.wait_for(lock, 15s, [&] { return outcome_.has_value(); })) << "no completion";
    Outcome o = outcome_.value_or(Outcome{ErrorCode::kTimeout});
    outcome_.reset();
    return o;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Outcome> outcome_;
};

class VectorSource final : public BulkSource {
 public:
  explicit VectorSource(const std::vector<BulkEntry>& updates, size_t from = 0)
      : updates_(updates), next_(from) {}
  bool Next(BulkEntry& update) override {
    if (next_ >= updates_.size()) return false;
    update = updates_[next_++];
    return true;
  }

 private:
  const std::vector<BulkEntry>& updates_;
  size_t next_;
};

class CloudServerTest : public ::testing::Test {
 protected:
  CloudServerTest() : server_({}) {
    server_.Start();
    uplink_ = std::make_unique<linux_port::HttpUplink>(
        linux_port::HttpUplinkOptions{.base_url = server_.url()});
    request_.resize(64 * 1024);
    answer_.resize(256 * 1024);
    ts_ = std::make_unique<ThingSpeak>(*uplink_, clock_, waiter_, request_, answer_);
  }
  ~CloudServerTest() override {
    uplink_->Stop();  // no completion may come after the client is gone
    server_.Stop();
  }

  server::Channel Channel(std::optional<double> rate_limit_s = std::nullopt,
                          bool public_flag = false) {
    return server_.database().CreateChannel({.name = "lab",
                                             .field_names = {"msg"},
                                             .public_flag = public_flag,
                                             .rate_limit_s = rate_limit_s});
  }
  uint32_t Id(const server::Channel& c) { return static_cast<uint32_t>(c.id); }

  server::Server server_;
  SteadyClock clock_;
  Waiter waiter_;
  std::unique_ptr<linux_port::HttpUplink> uplink_;
  std::vector<std::byte> request_;
  std::vector<std::byte> answer_;
  std::unique_ptr<ThingSpeak> ts_;
};

// The entry keeps a view of `value`: callers pass text that outlives it.
Entry Field1(std::string_view value) {
  Entry e;
  EXPECT_TRUE(e.SetField(1, value).ok());
  return e;
}

TEST_F(CloudServerTest, Update_Accepted_ThenRateLimited) {
  server::Channel channel = Channel();  // the server's default: 15 s, like a free account
  ASSERT_TRUE(ts_->Update(Id(channel), channel.write_key, Field1("0")).ok());
  Outcome first = waiter_.Wait();
  EXPECT_EQ(first.code, ErrorCode::kOk) << first.body;
  EXPECT_EQ(first.entry_id, 1);

  // The client's own limiter holds the second write back: nothing is sent, nothing lost.
  EXPECT_EQ(ts_->Update(Id(channel), channel.write_key, Field1("1")), Status::ResourceExhausted());
  EXPECT_GT(ts_->limiter().NextWriteAt(Id(channel)), clock_.Now() + 10 * port::kSecond);

  // Told the channel has no limit, it sends, and the server refuses with 0: -401.
  ASSERT_TRUE(ts_->limiter().SetInterval(Id(channel), 0).ok());
  ASSERT_TRUE(ts_->Update(Id(channel), channel.write_key, Field1("1")).ok());
  Outcome refused = waiter_.Wait();
  EXPECT_EQ(refused.code, ErrorCode::kNotInserted);
  EXPECT_EQ(ToInt(refused.code), -401);
  EXPECT_EQ(refused.body, "0");
  EXPECT_EQ(server_.database().Feed(channel.id, {}).size(), 1u);
}

TEST_F(CloudServerTest, Update_GetAndKeyHeader_AndBadKey) {
  server::Channel channel = Channel(0.0);
  ASSERT_TRUE(ts_->limiter().SetInterval(Id(channel), 0).ok());
  ThingSpeak header_client(*uplink_, clock_, waiter_, request_, answer_,
                           {.update_method = port::HttpMethod::kGet, .key_in_header = true});
  ASSERT_TRUE(header_client.limiter().SetInterval(Id(channel), 0).ok());
  Entry e = Field1("a b&c");
  ASSERT_TRUE(e.SetStatus("st\xc3\xa9").ok());
  ASSERT_TRUE(header_client.Update(Id(channel), channel.write_key, e).ok());
  Outcome ok = waiter_.Wait();
  EXPECT_EQ(ok.code, ErrorCode::kOk) << ok.body;
  EXPECT_EQ(ok.entry_id, 1);
  auto stored = server_.database().Feed(channel.id, {});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].fields[0], "a b&c");
  EXPECT_EQ(stored[0].status, "st\xc3\xa9");

  ASSERT_TRUE(ts_->Update(Id(channel), "NOTTHEKEY0000000", Field1("x")).ok());
  EXPECT_EQ(waiter_.Wait().code, ErrorCode::kNotInserted);  // ThingSpeak answers 0 here too
}

TEST_F(CloudServerTest, BulkUpdate_NEntriesLand_AndReadBack) {
  server::Channel channel = Channel(0.0);
  ASSERT_TRUE(ts_->limiter().SetInterval(Id(channel), 0).ok());
  constexpr size_t kN = 50;
  std::vector<std::string> values;
  for (size_t i = 0; i < kN; ++i) values.push_back("m" + std::to_string(i));
  std::vector<BulkEntry> updates(kN);
  for (size_t i = 0; i < kN; ++i) {
    ASSERT_TRUE(updates[i].entry.SetField(1, values[i]).ok());
    updates[i].delta_t_s = i == 0 ? 0 : 1;
  }
  VectorSource source(updates);
  auto taken = ts_->BulkUpdate(Id(channel), channel.write_key, source);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(*taken, kN);
  Outcome bulk = waiter_.Wait();
  EXPECT_EQ(bulk.code, ErrorCode::kOk) << bulk.body;
  EXPECT_EQ(bulk.updates, kN);

  // The server's store, read directly.
  auto stored = server_.database().Feed(channel.id, {.results = 1000});
  ASSERT_EQ(stored.size(), kN);
  for (size_t i = 0; i < kN; ++i) EXPECT_EQ(stored[i].fields[0], values[i]);

  // And over HTTP through the client.
  ASSERT_TRUE(ts_->ReadFeeds(Id(channel), channel.read_keys.at(0), {.results = 8000}).ok());
  Outcome feed = waiter_.Wait();
  EXPECT_EQ(feed.code, ErrorCode::kOk);
  EXPECT_EQ(feed.channel_name, "lab");
  ASSERT_EQ(feed.entries.size(), kN);
  for (size_t i = 0; i < kN; ++i) {
    EXPECT_EQ(feed.entries[i].first, static_cast<int64_t>(i + 1));
    EXPECT_EQ(feed.entries[i].second, values[i]);
  }

  ASSERT_TRUE(ts_->ReadLast(Id(channel), 1, channel.read_keys.at(0)).ok());
  Outcome last = waiter_.Wait();
  EXPECT_EQ(last.code, ErrorCode::kOk);
  ASSERT_EQ(last.entries.size(), 1u);
  EXPECT_EQ(last.entries[0], std::make_pair(static_cast<int64_t>(kN), values.back()));

  ASSERT_TRUE(ts_->Read({ReadKind::kLastFieldText, Id(channel), 1, channel.read_keys.at(0)}).ok());
  Outcome text = waiter_.Wait();
  EXPECT_EQ(text.code, ErrorCode::kOk);
  EXPECT_EQ(text.value, values.back());
}

TEST_F(CloudServerTest, BulkUpdate_960Cap_RestGoesNextTime_Csv) {
  server::Channel channel = Channel(0.0);
  ASSERT_TRUE(ts_->limiter().SetInterval(Id(channel), 0).ok());
  std::vector<BulkEntry> updates(1000);
  for (size_t i = 0; i < updates.size(); ++i) {
    ASSERT_TRUE(updates[i].entry.SetField(1, "7").ok());
    updates[i].delta_t_s = i == 0 ? 0 : 1;
  }
  VectorSource all(updates);
  auto first = ts_->BulkUpdate(Id(channel), channel.write_key, all, {.format = BulkFormat::kCsv});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, kMaxBulkUpdates);
  EXPECT_EQ(waiter_.Wait().code, ErrorCode::kOk);
  VectorSource rest(updates, *first);
  auto second = ts_->BulkUpdate(Id(channel), channel.write_key, rest, {.format = BulkFormat::kCsv});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 40u);
  EXPECT_EQ(waiter_.Wait().code, ErrorCode::kOk);
  EXPECT_EQ(server_.database().Feed(channel.id, {.results = 8000}).size(), 1000u);
}

TEST_F(CloudServerTest, BulkUpdate_RateLimitedByTheServer_429) {
  server::Channel channel = Channel(60.0);
  ASSERT_TRUE(ts_->limiter().SetInterval(Id(channel), 0).ok());
  std::vector<BulkEntry> updates(2);
  for (auto& u : updates) ASSERT_TRUE(u.entry.SetField(1, "1").ok());
  updates[1].delta_t_s = 1;
  VectorSource a(updates);
  ASSERT_TRUE(ts_->BulkUpdate(Id(channel), channel.write_key, a).ok());
  EXPECT_EQ(waiter_.Wait().code, ErrorCode::kOk);
  VectorSource b(updates);
  ASSERT_TRUE(ts_->BulkUpdate(Id(channel), channel.write_key, b).ok());
  Outcome limited = waiter_.Wait();
  EXPECT_EQ(limited.code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(ToStatus(limited.code), Status::ResourceExhausted());
}

TEST_F(CloudServerTest, Reads_NoAccessAndNoChannel) {
  server::Channel channel = Channel(0.0);
  ASSERT_TRUE(ts_->ReadFeeds(Id(channel), "WRONGKEY").ok());
  EXPECT_EQ(waiter_.Wait().code, ErrorCode::kAuthRequired);
  ASSERT_TRUE(ts_->ReadFeeds(Id(channel) + 1000, "").ok());
  EXPECT_EQ(waiter_.Wait().code, ErrorCode::kNotFound);
  ASSERT_TRUE(ts_->ReadLast(Id(channel), 0, channel.read_keys.at(0)).ok());
  Outcome none = waiter_.Wait();  // no entry yet
  EXPECT_EQ(none.code, ErrorCode::kOk);
  EXPECT_TRUE(none.entries.empty());
}

// The lab's "post each message" through MQTT: the client's topic and payload builders,
// MqttUplink, a broker, the server's MQTT ingestion, and the entry coming back on the
// channel's subscribe topic.
TEST(CloudServerMqtt, PublishThroughTheBroker_EntryComesBackOnSubscribe) {
  server::testing::MosquittoBroker broker;
  ASSERT_TRUE(broker.ok()) << broker.log();
  server::Server server({.rate_limit_s = 0, .mqtt_url = broker.url()});
  server.Start();
  ASSERT_TRUE(server::testing::WaitFor([&] { return server.mqtt_subscribed(); }));
  server::Channel channel = server.database().CreateChannel({.name = "mqtt", .field_names = {"v"}});

  struct Inbox final : port::MqttListener {
    void OnMqttConnection(bool) override {}
    void OnMqttPublished(uint32_t tag) override {
      std::lock_guard lock(mutex);
      published.push_back(tag);
    }
    void OnMqttMessage(std::string_view topic, ByteSpan payload) override {
      std::lock_guard lock(mutex);
      messages.emplace_back(
          std::string(topic),
          std::string(reinterpret_cast<const char*>(payload.data()), payload.size()));
    }
    std::mutex mutex;
    std::vector<uint32_t> published;
    std::vector<std::pair<std::string, std::string>> messages;
  } inbox;
  linux_port::MqttUplink mqtt({.port = broker.port()});
  mqtt.SetMqttListener(&inbox);
  std::array<std::byte, 128> subscribe_storage;
  auto subscribe = BuildSubscribeTopic(subscribe_storage, static_cast<uint32_t>(channel.id));
  ASSERT_TRUE(subscribe.ok());
  ASSERT_TRUE(mqtt.Subscribe(*subscribe, port::MqttQos::kAtMostOnce).ok());
  mqtt.Start();
  ASSERT_TRUE(server::testing::WaitFor([&] { return mqtt.connected(); }));

  std::array<std::byte, 128> publish_storage;
  auto topic = BuildPublishTopic(publish_storage, static_cast<uint32_t>(channel.id));
  ASSERT_TRUE(topic.ok());
  Entry e;
  ASSERT_TRUE(e.SetField(1, "3").ok());
  ASSERT_TRUE(e.SetStatus("from slave").ok());
  std::array<std::byte, 256> payload_storage;
  auto payload = BuildPublishPayload(payload_storage, e, channel.write_key);
  ASSERT_TRUE(payload.ok());
  ASSERT_TRUE(mqtt.Publish(*topic, *payload, port::MqttQos::kAtMostOnce, 42).ok());

  std::string message;
  ASSERT_TRUE(server::testing::WaitFor([&] {
    std::lock_guard lock(inbox.mutex);
    for (const auto& [t, p] : inbox.messages) {
      if (t == *subscribe) message = p;
    }
    return !message.empty();
  })) << "no entry on "
      << *subscribe << "; stored: " << server.database().Feed(channel.id, {}).size()
      << "; published: " << inbox.published.size() << "; messages: " << inbox.messages.size()
      << "; payload "
      << std::string(reinterpret_cast<const char*>(payload->data()), payload->size());
  auto parsed = ParseSubscribeTopic(*subscribe);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->channel_id, static_cast<uint32_t>(channel.id));
  auto entry = ParseEntry(message);
  ASSERT_TRUE(entry.ok()) << message;
  EXPECT_EQ(entry->channel_id(), channel.id);
  EXPECT_EQ(entry->entry_id(), 1);
  EXPECT_EQ(Str(entry->field(1)), "3");
  EXPECT_EQ(Str(entry->status()), "from slave");
  {
    std::lock_guard lock(inbox.mutex);
    EXPECT_EQ(inbox.published, (std::vector<uint32_t>{42}));
  }
  EXPECT_EQ(server.database().Feed(channel.id, {}).size(), 1u);
  mqtt.Stop();
  server.Stop();
}

}  // namespace
}  // namespace airlab::cloud
