// MQTT ingestion through a real mosquitto broker that the test starts on a free loopback port.

#include <gtest/gtest.h>
#include <httplib.h>
#include <mosquitto.h>
#include <nlohmann/json.hpp>

#include <mutex>

#include "server/server.h"
#include "server/test_support.h"

namespace airlab::server {
namespace {

using nlohmann::json;
using testing::WaitFor;

// A plain libmosquitto client playing the device and the dashboard of another program.
class TestClient {
 public:
  explicit TestClient(int port) {
    mosquitto_lib_init();
    client_ = mosquitto_new(nullptr, true, this);
    mosquitto_message_callback_set(client_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* me = static_cast<TestClient*>(self);
      std::lock_guard lock(me->mutex_);
      me->messages_.emplace_back(m->topic, std::string(static_cast<const char*>(m->payload),
                                                       static_cast<size_t>(m->payloadlen)));
    });
    mosquitto_subscribe_callback_set(client_, [](mosquitto*, void* self, int, int, const int*) {
      static_cast<TestClient*>(self)->subscribed_ = true;
    });
    connected_ = mosquitto_connect(client_, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS &&
                 mosquitto_loop_start(client_) == MOSQ_ERR_SUCCESS;
  }
  ~TestClient() {
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
    mosquitto_destroy(client_);
  }
  bool connected() const { return connected_; }
  bool Subscribe(const std::string& pattern) {
    subscribed_ = false;
    return mosquitto_subscribe(client_, nullptr, pattern.c_str(), 0) == MOSQ_ERR_SUCCESS &&
           WaitFor([this] { return subscribed_.load(); });
  }
  void Publish(const std::string& topic, const std::string& payload) {
    ASSERT_EQ(mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                payload.data(), 0, false),
              MOSQ_ERR_SUCCESS);
  }
  // The payload of the first message on topic whose payload contains needle.
  std::optional<std::string> Find(const std::string& topic, const std::string& needle) {
    std::lock_guard lock(mutex_);
    for (const auto& [t, payload] : messages_) {
      if (t == topic && payload.find(needle) != std::string::npos) return payload;
    }
    return std::nullopt;
  }

 private:
  mosquitto* client_;
  bool connected_ = false;
  std::atomic<bool> subscribed_{false};
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> messages_;
};

TEST(ServerMqtt, PublishedUpdates_StoredAndEchoedToSubscribers) {
  testing::MosquittoBroker broker;
  ASSERT_TRUE(broker.ok()) << "mosquitto did not start:\n" << broker.log();

  std::mutex log_mutex;
  std::vector<std::string> log;
  ServerOptions options;
  options.rate_limit_s = 0;
  options.mqtt_url = broker.url();
  options.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  Server server(options);
  server.Start();
  ASSERT_TRUE(WaitFor([&] { return server.mqtt_subscribed(); })) << broker.log();
  Channel ch = server.database().CreateChannel({.name = "mqtt", .field_names = {"t", "h"}});
  Channel other = server.database().CreateChannel({.name = "other"});
  const std::string id = std::to_string(ch.id);
  httplib::Client http(server.url());
  auto feed = [&] {
    auto r = http.Get("/channels/" + id + "/feeds.json?status=true&api_key=" + ch.read_keys[0]);
    return r ? json::parse(r->body) : json();
  };

  TestClient device(broker.port());
  ASSERT_TRUE(device.connected());
  ASSERT_TRUE(device.Subscribe("channels/" + id + "/subscribe/#"));

  device.Publish("channels/" + id + "/publish",
                 "api_key=" + ch.write_key + "&field1=21.5&field2=x%26y&status=from+mqtt");
  ASSERT_TRUE(WaitFor([&] { return feed()["feeds"].size() == 1; }));
  json first = feed()["feeds"][0];
  EXPECT_EQ(first["field1"], "21.5");
  EXPECT_EQ(first["field2"], "x&y");
  EXPECT_EQ(first["status"], "from mqtt");

  std::optional<std::string> echoed;
  ASSERT_TRUE(WaitFor([&] {
    return (echoed = device.Find("channels/" + id + "/subscribe", "\"entry_id\":1")).has_value();
  }));
  json e = json::parse(*echoed);
  EXPECT_EQ(e["channel_id"], ch.id);
  EXPECT_EQ(e["field1"], "21.5");
  EXPECT_TRUE(WaitFor([&] {
    return device.Find("channels/" + id + "/subscribe/fields/field1", "21.5").has_value();
  }));

  // The key as the topic's last level, for a whole update and for one field.
  device.Publish("channels/" + id + "/publish/" + ch.write_key, "field1=3");
  device.Publish("channels/" + id + "/publish/fields/field2/" + ch.write_key, "7");
  ASSERT_TRUE(WaitFor([&] { return feed()["feeds"].size() == 3; }));
  EXPECT_EQ(feed()["feeds"][1]["field1"], "3");
  EXPECT_EQ(feed()["feeds"][2]["field2"], "7");

  // Refused: a wrong key, no key, the key of another channel, nothing to store.
  device.Publish("channels/" + id + "/publish", "api_key=WRONGWRONGWRONG1&field1=666");
  device.Publish("channels/" + id + "/publish/fields/field1", "667");
  device.Publish("channels/" + std::to_string(other.id) + "/publish",
                 "api_key=" + ch.write_key + "&field1=668");
  device.Publish("channels/" + id + "/publish", "api_key=" + ch.write_key);
  device.Publish("channels/" + id + "/publish", "api_key=" + ch.write_key + "&field1=4");
  // One client's messages arrive in order, so entry 4 comes after the refusals were handled.
  ASSERT_TRUE(WaitFor([&] { return feed()["feeds"].size() == 4; }));
  EXPECT_EQ(feed()["feeds"][3]["field1"], "4");
  EXPECT_EQ(feed()["channel"]["last_entry_id"], 4);
  {
    std::lock_guard lock(log_mutex);
    EXPECT_EQ(log.size(), 4u);
    for (const std::string& line : log)
      EXPECT_NE(line.find("mqtt: refused"), std::string::npos) << line;
  }

  // Updates over HTTP are published too.
  EXPECT_EQ(http.Get("/update?api_key=" + ch.write_key + "&field2=http")->body, "5");
  EXPECT_TRUE(WaitFor(
      [&] { return device.Find("channels/" + id + "/subscribe", "\"entry_id\":5").has_value(); }));
}

TEST(ServerMqtt, BrokerDown_ServerStillServes) {
  int port = testing::FreeLoopbackPort();
  ServerOptions options;
  options.mqtt_url = "mqtt://127.0.0.1:" + std::to_string(port);
  Server server(options);
  server.Start();
  httplib::Client http(server.url());
  auto r = http.Get("/channels.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(server.mqtt_subscribed());
}

TEST(ServerMqtt, BadBrokerUrl_ThrowsNamingTheForm) {
  ServerOptions options;
  options.mqtt_url = "mqtt://host:port";
  try {
    Server server(options);
    FAIL() << "accepted a malformed MQTT URL";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("mqtt://host:port"), std::string::npos);
  }
}

}  // namespace
}  // namespace airlab::server
