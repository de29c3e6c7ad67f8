#include "server/mqtt_bridge.h"

#include <mosquitto.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace airlab::server {
namespace {

constexpr const char* kSubscription = "channels/+/publish/#";  // '#' also matches .../publish

std::vector<std::string_view> SplitTopic(std::string_view topic) {
  std::vector<std::string_view> levels;
  while (true) {
    size_t slash = topic.find('/');
    levels.push_back(topic.substr(0, slash));
    if (slash == std::string_view::npos) return levels;
    topic.remove_prefix(slash + 1);
  }
}

template <typename T>
std::optional<T> ParseDecimal(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<PublishTopic> ParsePublishTopic(std::string_view topic) {
  std::vector<std::string_view> levels = SplitTopic(topic);
  if (levels.size() < 3 || levels[0] != "channels" || levels[2] != "publish") return std::nullopt;
  PublishTopic parsed;
  std::optional<std::int64_t> id = ParseDecimal<std::int64_t>(levels[1]);
  if (!id || *id <= 0) return std::nullopt;
  parsed.channel_id = *id;
  size_t next = 3;
  if (levels.size() >= 5 && levels[3] == "fields") {
    std::string_view field = levels[4];
    if (field.substr(0, 5) != "field") return std::nullopt;
    std::optional<int> n = ParseDecimal<int>(field.substr(5));
    if (!n || *n < 1 || *n > 8) return std::nullopt;
    parsed.field = *n;
    next = 5;
  }
  if (levels.size() == next + 1 && !levels[next].empty()) {
    parsed.write_key = levels[next];
  } else if (levels.size() != next) {
    return std::nullopt;
  }
  return parsed;
}

std::optional<BrokerAddress> ParseBrokerUrl(std::string_view url) {
  for (std::string_view scheme : {"mqtt://", "tcp://"}) {
    if (url.substr(0, scheme.size()) == scheme) url.remove_prefix(scheme.size());
  }
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  BrokerAddress address;
  size_t colon = url.rfind(':');
  if (colon != std::string_view::npos) {
    std::optional<int> port = ParseDecimal<int>(url.substr(colon + 1));
    if (!port || *port < 1 || *port > 65535) return std::nullopt;
    address.port = *port;
    url = url.substr(0, colon);
  }
  if (url.empty() || url.find_first_of("/@ ") != std::string_view::npos) return std::nullopt;
  address.host = url;
  return address;
}

MqttBridge::MqttBridge(BrokerAddress broker, OnPublish on_publish, Log log)
    : broker_(std::move(broker)), on_publish_(std::move(on_publish)), log_(std::move(log)) {
  static std::once_flag init;
  std::call_once(init, [] { mosquitto_lib_init(); });
}

MqttBridge::~MqttBridge() { Stop(); }

void MqttBridge::Start() {
  if (started_) return;
  client_ = mosquitto_new(nullptr, /*clean_session=*/true, this);
  if (!client_) throw std::runtime_error("libmosquitto could not make a client");
  mosquitto_connect_callback_set(client_, &MqttBridge::OnConnect);
  mosquitto_disconnect_callback_set(client_, &MqttBridge::OnDisconnect);
  mosquitto_subscribe_callback_set(client_, &MqttBridge::OnSubscribe);
  mosquitto_message_callback_set(client_, &MqttBridge::OnMessage);
  mosquitto_reconnect_delay_set(client_, 1, 5, /*exponential=*/true);
  // connect_async only fails for bad arguments; an unreachable broker is retried by the loop.
  int rc = mosquitto_connect_async(client_, broker_.host.c_str(), broker_.port, 30);
  // A broker that refuses at once (nothing listens there) is the usual mistake: say so now,
  // since libmosquitto's retries that follow are silent.
  if (rc == MOSQ_ERR_ERRNO && log_) {
    unreachable_ = true;
    log_("cannot reach broker at " + broker_.host + ":" + std::to_string(broker_.port) + " (" +
         std::strerror(errno) + "): is mosquitto running?");
  }
  if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO) {
    std::string why = mosquitto_strerror(rc);
    mosquitto_destroy(client_);
    client_ = nullptr;
    throw std::runtime_error("cannot reach the MQTT broker " + broker_.host + ":" +
                             std::to_string(broker_.port) + " (" + why + ")");
  }
  if (mosquitto_loop_start(client_) != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(client_);
    client_ = nullptr;
    throw std::runtime_error("libmosquitto was built without threads");
  }
  started_ = true;
}

void MqttBridge::Stop() {
  if (!started_) return;
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, /*force=*/false);
  mosquitto_destroy(client_);
  client_ = nullptr;
  started_ = false;
  subscribed_ = false;
}

void MqttBridge::Publish(const std::string& topic, std::string_view payload) {
  if (!started_) return;
  mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                    payload.data(), /*qos=*/0, /*retain=*/false);
}

void MqttBridge::OnConnect(mosquitto* client, void* self, int rc) {
  if (rc != 0) return;
  auto* bridge = static_cast<MqttBridge*>(self);
  if (bridge->unreachable_.exchange(false) && bridge->log_) {
    bridge->log_("reached broker at " + bridge->broker_.host + ":" +
                 std::to_string(bridge->broker_.port));
  }
  mosquitto_subscribe(client, nullptr, kSubscription, 0);
}

void MqttBridge::OnDisconnect(mosquitto* /*client*/, void* self, int rc) {
  auto* bridge = static_cast<MqttBridge*>(self);
  bridge->subscribed_ = false;
  // rc 0: we asked (Stop); anything else lost the broker, which libmosquitto retries.
  if (rc != 0 && !bridge->unreachable_.exchange(true) && bridge->log_) {
    bridge->log_("lost broker at " + bridge->broker_.host + ":" +
                 std::to_string(bridge->broker_.port) + " (" + mosquitto_strerror(rc) +
                 "); reconnecting");
  }
}

void MqttBridge::OnSubscribe(mosquitto* /*client*/, void* self, int /*mid*/, int count,
                             const int* qos) {
  // A broker refusing the subscription answers 0x80 in place of a QoS.
  static_cast<MqttBridge*>(self)->subscribed_ = count == 1 && qos[0] <= 2;
}

void MqttBridge::OnMessage(mosquitto* /*client*/, void* self, const mosquitto_message* message) {
  auto* bridge = static_cast<MqttBridge*>(self);
  std::optional<PublishTopic> topic = ParsePublishTopic(message->topic);
  if (!topic) return;
  std::string payload(static_cast<const char*>(message->payload),
                      static_cast<size_t>(message->payloadlen));
  bridge->on_publish_(*topic, std::move(payload));
}

}  // namespace airlab::server
