#pragma once
// MQTT ingestion for the server: a libmosquitto client that subscribes to ThingSpeak's publish
// topics on a broker and hands each message over, and publishes new entries back.
//
// Topics it takes (the channel id in the topic, QoS 0):
//   channels/<id>/publish                       payload field1=..&field2=..&status=..&api_key=K
//   channels/<id>/publish/<K>                   the same, the write key in the topic
//   channels/<id>/publish/fields/field<n>       payload: the value (needs the key in the topic)
//   channels/<id>/publish/fields/field<n>/<K>
// The broker authenticates clients, not this subscriber, so the write key must travel in the
// message: as api_key in the payload, or as the last topic level (the form of ThingSpeak's
// first MQTT API). The server publishes new entries to channels/<id>/subscribe (JSON) and
// channels/<id>/subscribe/fields/field<n> (the value).

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct mosquitto;
struct mosquitto_message;

namespace airlab::server {

struct PublishTopic {
  std::int64_t channel_id = 0;
  std::optional<int> field;  // 1..8 for a fields/field<n> topic
  std::string write_key;     // from the topic, empty when it has none
};

// nullopt for topics outside the forms above (and for field numbers outside 1..8).
std::optional<PublishTopic> ParsePublishTopic(std::string_view topic);

// The broker's address from "mqtt://host:port", "tcp://host:port" or "host:port" (port 1883
// when absent). nullopt when malformed.
struct BrokerAddress {
  std::string host;
  int port = 1883;
};
std::optional<BrokerAddress> ParseBrokerUrl(std::string_view url);

class MqttBridge {
 public:
  using OnPublish = std::function<void(const PublishTopic& topic, std::string payload)>;
  // A line for the server's log: the broker cannot be reached (once, when Start finds it
  // so), or was lost, or is connected after either.
  using Log = std::function<void(const std::string& line)>;

  // on_publish and log run on libmosquitto's network thread (log also in Start), one call at a
  // time, and must not throw (they are called from C).
  MqttBridge(BrokerAddress broker, OnPublish on_publish, Log log = nullptr);
  ~MqttBridge();
  MqttBridge(const MqttBridge&) = delete;
  MqttBridge& operator=(const MqttBridge&) = delete;

  // Starts the network thread and connects in the background; a broker that is down or goes
  // away is retried every few seconds. Throws std::runtime_error when libmosquitto cannot
  // start at all.
  void Start();
  void Stop();

  // Queues a QoS 0 message; dropped while disconnected (as QoS 0 allows). Any thread.
  void Publish(const std::string& topic, std::string_view payload);

  // True once the broker has acknowledged the subscription (and until the connection drops).
  bool subscribed() const { return subscribed_; }

 private:
  static void OnConnect(mosquitto* client, void* self, int rc);
  static void OnDisconnect(mosquitto* client, void* self, int rc);
  static void OnSubscribe(mosquitto* client, void* self, int mid, int count, const int* qos);
  static void OnMessage(mosquitto* client, void* self, const mosquitto_message* message);

  BrokerAddress broker_;
  OnPublish on_publish_;
  Log log_;
  std::atomic<bool> unreachable_{false};  // said so in the log; say when it is reached
  mosquitto* client_ = nullptr;
  bool started_ = false;
  std::atomic<bool> subscribed_{false};
};

}  // namespace airlab::server
