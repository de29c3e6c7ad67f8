// MqttUplink through real mosquitto brokers that the tests start on free loopback ports
// (mosquitto -c with "listener PORT 127.0.0.1" and "allow_anonymous true") and stop.

#include "platform/linux/mqtt_uplink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/loopback.h"
#include "tests/temp_dir.h"

namespace airlab::linux_port {
namespace {

using namespace std::chrono_literals;
using testing_tools::FreeLoopbackPort;
using testing_tools::MosquittoBroker;

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 15s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// Records what an MqttUplink reports, from libmosquitto's thread.
class Events final : public port::MqttListener {
 public:
  void OnMqttConnection(bool connected) override {
    std::lock_guard lock(mutex_);
    (connected ? ups_ : downs_)++;
  }
  void OnMqttPublished(uint32_t tag) override {
    std::lock_guard lock(mutex_);
    published_.push_back(tag);
  }
  void OnMqttMessage(std::string_view topic, ByteSpan payload) override {
    std::lock_guard lock(mutex_);
    messages_.emplace_back(
        std::string(topic),
        std::string(reinterpret_cast<const char*>(payload.data()), payload.size()));
  }
  int ups() {
    std::lock_guard lock(mutex_);
    return ups_;
  }
  int downs() {
    std::lock_guard lock(mutex_);
    return downs_;
  }
  std::vector<uint32_t> published() {
    std::lock_guard lock(mutex_);
    return published_;
  }
  std::vector<std::pair<std::string, std::string>> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  std::mutex mutex_;
  int ups_ = 0;
  int downs_ = 0;
  std::vector<uint32_t> published_;
  std::vector<std::pair<std::string, std::string>> messages_;
};

ByteSpan Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

TEST(MqttUplink, PublishReachesASubscriber_QoS0AndQoS1) {
  int port = FreeLoopbackPort();
  MosquittoBroker broker(port);
  ASSERT_TRUE(broker.ok());
  Events sub_events;
  MqttUplink subscriber({.port = port, .client_id = "airlab-sub"});
  subscriber.SetMqttListener(&sub_events);
  ASSERT_TRUE(subscriber.Subscribe("channels/1417/subscribe/#", port::MqttQos::kAtLeastOnce).ok());
  subscriber.Start();
  Events pub_events;
  MqttUplink publisher({.port = port, .client_id = "airlab-pub"});
  publisher.SetMqttListener(&pub_events);
  publisher.Start();
  // Connected means the subscription is acknowledged too.
  ASSERT_TRUE(WaitUntil([&] { return subscriber.connected() && publisher.connected(); }));
  EXPECT_EQ(sub_events.ups(), 1);

  ASSERT_TRUE(publisher
                  .Publish("channels/1417/subscribe/fields/field1", Bytes("45"),
                           port::MqttQos::kAtMostOnce, 10)
                  .ok());
  ASSERT_TRUE(publisher
                  .Publish("channels/1417/subscribe", Bytes("{\"entry_id\":3}"),
                           port::MqttQos::kAtLeastOnce, 11)
                  .ok());
  ASSERT_TRUE(
      publisher.Publish("channels/9/subscribe", Bytes("not for us"), port::MqttQos::kAtMostOnce, 12)
          .ok());
  ASSERT_TRUE(WaitUntil([&] { return sub_events.messages().size() >= 2; }));
  ASSERT_TRUE(WaitUntil([&] { return pub_events.published().size() == 3; }));
  auto messages = sub_events.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], std::make_pair(std::string("channels/1417/subscribe/fields/field1"),
                                        std::string("45")));
  EXPECT_EQ(messages[1], std::make_pair(std::string("channels/1417/subscribe"),
                                        std::string("{\"entry_id\":3}")));
  auto tags = pub_events.published();
  std::sort(tags.begin(), tags.end());
  EXPECT_EQ(tags, (std::vector<uint32_t>{10, 11, 12}));

  EXPECT_TRUE(subscriber.Unsubscribe("channels/1417/subscribe/#").ok());
  EXPECT_EQ(subscriber.Unsubscribe("channels/1417/subscribe/#"), Status::NotFound());
  EXPECT_EQ(publisher.Publish("channels/+/x", Bytes("1"), port::MqttQos::kAtMostOnce, 1),
            Status::InvalidArgument());
  EXPECT_EQ(publisher.Send(port::HttpRequest{}), Status::InvalidArgument());
}

TEST(MqttUplink, Reconnects_AndRenewsItsSubscriptions) {
  int port = FreeLoopbackPort();
  Events events;
  MqttUplink uplink({.port = port, .reconnect_min = 1s, .reconnect_max = 1s});
  uplink.SetMqttListener(&events);
  ASSERT_TRUE(uplink.Subscribe("lab/#", port::MqttQos::kAtMostOnce).ok());
  uplink.Start();  // nothing listens yet
  EXPECT_FALSE(uplink.connected());
  EXPECT_EQ(uplink.Publish("lab/x", Bytes("early"), port::MqttQos::kAtMostOnce, 1),
            Status::Unavailable());
  // QoS 1 waits for the connection (and goes after the renewed subscription).
  EXPECT_TRUE(uplink.Publish("lab/q", Bytes("queued"), port::MqttQos::kAtLeastOnce, 3).ok());

  auto round = [&](const char* payload) {
    MosquittoBroker broker(port);
    ASSERT_TRUE(broker.ok());
    ASSERT_TRUE(WaitUntil([&] { return uplink.connected(); })) << "no reconnect";
    MqttUplink other({.port = port});
    Events other_events;
    other.SetMqttListener(&other_events);
    other.Start();
    ASSERT_TRUE(WaitUntil([&] { return other.connected(); }));
    ASSERT_TRUE(other.Publish("lab/x", Bytes(payload), port::MqttQos::kAtLeastOnce, 2).ok());
    ASSERT_TRUE(WaitUntil([&] {
      for (const auto& m : events.messages()) {
        if (m.second == payload) return true;
      }
      return false;
    })) << "the subscription was not renewed";
    other.Stop();
  };
  round("first broker");
  {
    auto messages = events.messages();
    EXPECT_NE(std::find(messages.begin(), messages.end(),
                        std::make_pair(std::string("lab/q"), std::string("queued"))),
              messages.end());
    auto published = events.published();
    EXPECT_EQ(std::count(published.begin(), published.end(), 3u), 1);
  }
  // The broker went away with the scope: the uplink notices and comes back to a new one.
  ASSERT_TRUE(WaitUntil([&] { return !uplink.connected(); }));
  EXPECT_EQ(events.downs(), 1);
  round("second broker");
  EXPECT_EQ(events.ups(), 2);
}

// A broker that is not there is named once, however often the uplink tries, and its coming
// back is told.
TEST(MqttUplink, BrokerDown_LogNamesItOncePerOutage) {
  const int port = FreeLoopbackPort();
  std::mutex mutex;
  std::vector<std::string> lines;
  auto logged = [&] {
    std::lock_guard lock(mutex);
    return lines;
  };
  MqttUplink uplink(
      {.port = port, .reconnect_min = 1s, .reconnect_max = 1s, .log = [&](const std::string& line) {
         std::lock_guard lock(mutex);
         lines.push_back(line);
       }});
  uplink.Start();
  ASSERT_TRUE(WaitUntil([&] { return !logged().empty(); }));
  std::this_thread::sleep_for(2500ms);  // two more attempts
  const std::string broker = "127.0.0.1:" + std::to_string(port);
  ASSERT_EQ(logged().size(), 1u);
  EXPECT_EQ(logged()[0],
            "cannot reach broker at " + broker + " (Connection refused): is mosquitto running?");
  MosquittoBroker up(port);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE(WaitUntil([&] { return uplink.connected(); }));
  ASSERT_EQ(logged().size(), 2u);
  EXPECT_EQ(logged()[1], "reached broker at " + broker + " again");
  uplink.Stop();
}

TEST(MqttUplink, UsernameAndPassword) {
  int port = FreeLoopbackPort();
  testing_tools::TempDir dir;
  std::string passwords = dir.File("passwords");
  ASSERT_EQ(std::system(("mosquitto_passwd -c -b " + passwords + " device secret").c_str()), 0);
  // Started as root, mosquitto reads the file as the mosquitto user.
  std::filesystem::permissions(
      dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                      std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                      std::filesystem::perms::others_exec);
  std::filesystem::permissions(passwords, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  MosquittoBroker broker(port, "allow_anonymous false\npassword_file " + passwords + "\n");
  ASSERT_TRUE(broker.ok());
  MqttUplink good({.port = port, .username = "device", .password = "secret"});
  MqttUplink bad({.port = port, .username = "device", .password = "wrong"});
  good.Start();
  bad.Start();
  EXPECT_TRUE(WaitUntil([&] { return good.connected(); }));
  EXPECT_FALSE(bad.connected());  // refused by the time the good one is in
  good.Stop();
  bad.Stop();
}

}  // namespace
}  // namespace airlab::linux_port
