#include "platform/linux/mqtt_uplink.h"

#include <mosquitto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace airlab::linux_port {
namespace {

std::string Error(const std::string& what, int rc) {
  return what + " (" + mosquitto_strerror(rc) + ")";
}

Status FromMosquitto(int rc) {
  switch (rc) {
    case MOSQ_ERR_SUCCESS: return Status::Ok();
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_MALFORMED_UTF8:
    case MOSQ_ERR_PAYLOAD_SIZE: return Status::InvalidArgument();
    case MOSQ_ERR_NO_CONN:
    case MOSQ_ERR_CONN_LOST: return Status::Unavailable();
    case MOSQ_ERR_NOMEM:
    case MOSQ_ERR_OVERSIZE_PACKET: return Status::ResourceExhausted();
    default: return Status::Internal();
  }
}

}  // namespace

MqttUplink::MqttUplink(MqttUplinkOptions options) : options_(std::move(options)) {
  static std::once_flag init;
  std::call_once(init, [] { mosquitto_lib_init(); });
  client_ = mosquitto_new(options_.client_id.empty() ? nullptr : options_.client_id.c_str(),
                          options_.clean_session, this);
  if (client_ == nullptr) throw std::runtime_error("libmosquitto could not make a client");
  mosquitto_connect_callback_set(client_, &MqttUplink::OnConnect);
  mosquitto_disconnect_callback_set(client_, &MqttUplink::OnDisconnect);
  mosquitto_publish_callback_set(client_, &MqttUplink::OnPublish);
  mosquitto_subscribe_callback_set(client_, &MqttUplink::OnSubscribe);
  mosquitto_message_callback_set(client_, &MqttUplink::OnMessage);
  mosquitto_reconnect_delay_set(client_, static_cast<unsigned>(options_.reconnect_min.count()),
                                static_cast<unsigned>(options_.reconnect_max.count()),
                                /*exponential=*/true);
  int rc = MOSQ_ERR_SUCCESS;
  if (!options_.username.empty()) {
    rc = mosquitto_username_pw_set(client_, options_.username.c_str(),
                                   options_.password.empty() ? nullptr : options_.password.c_str());
  }
  if (rc == MOSQ_ERR_SUCCESS && !options_.ca_file.empty()) {
    rc = mosquitto_tls_set(client_, options_.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr);
  }
  // Publish, Subscribe and Stop come from other threads than the network thread's loop:
  // libmosquitto then locks its queues and wakes the loop itself.
  if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_threaded_set(client_, true);
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(client_);
    throw std::runtime_error(Error("libmosquitto refused the login or TLS settings", rc));
  }
}

MqttUplink::~MqttUplink() {
  Stop();
  mosquitto_destroy(client_);
}

void MqttUplink::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void MqttUplink::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(pause_mutex_);
    stopping_ = true;
  }
  pause_.notify_all();
  mosquitto_disconnect(client_);  // wakes the loop when connected
  thread_.join();
  if (connected_.exchange(false) && mqtt_listener() != nullptr) {
    mqtt_listener()->OnMqttConnection(false);
  }
}

bool MqttUplink::Pause(std::chrono::seconds delay) {
  std::unique_lock lock(pause_mutex_);
  return !pause_.wait_for(lock, delay, [this] { return stopping_.load(); });
}

void MqttUplink::Run() {
  std::chrono::seconds delay = options_.reconnect_min;
  auto back_off = [&] {
    bool go_on = Pause(delay);
    delay = std::min(delay * 2, std::max(options_.reconnect_max, options_.reconnect_min));
    return go_on;
  };
  bool have_socket = false;
  while (!stopping_) {
    if (!have_socket) {
      // Blocking TCP connect; the CONNECT goes out through the loop below.
      int rc = mosquitto_connect(client_, options_.host.c_str(), options_.port,
                                 static_cast<int>(options_.keepalive.count()));
      if (rc != MOSQ_ERR_SUCCESS) {
        NoteReachable(false, rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc));
        if (!back_off()) break;
        continue;
      }
      have_socket = true;
      NoteReachable(true, "");
    }
    // Up to a second per round, so Stop is seen soon; a Publish from another thread wakes it.
    int rc = mosquitto_loop(client_, 1000, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      have_socket = false;  // lost or refused (OnDisconnect has told the listener)
      if (stopping_ || !back_off()) break;
      continue;
    }
    if (connected_) delay = options_.reconnect_min;
  }
}

Status MqttUplink::DoPublish(std::string_view topic, ByteSpan payload, port::MqttQos qos,
                             uint32_t tag) {
  std::string name(topic);
  int mid = 0;
  int rc = mosquitto_publish(client_, &mid, name.c_str(), static_cast<int>(payload.size()),
                             payload.data(), static_cast<int>(qos), /*retain=*/false);
  // Without a connection libmosquitto still keeps a QoS 1 message (and sends it once
  // connected) but answers NO_CONN; a QoS 0 one is gone.
  bool kept = rc == MOSQ_ERR_NO_CONN && qos != port::MqttQos::kAtMostOnce;
  if (rc != MOSQ_ERR_SUCCESS && !kept) return FromMosquitto(rc);
  // The network thread may have finished the message already (OnPublish came first).
  bool done_already;
  {
    std::lock_guard lock(mutex_);
    done_already = early_.erase(mid) > 0;
    if (!done_already) tags_[mid] = tag;
  }
  if (done_already && mqtt_listener() != nullptr) mqtt_listener()->OnMqttPublished(tag);
  return Status::Ok();
}

Status MqttUplink::DoSubscribe(std::string_view filter, port::MqttQos qos) {
  std::string name(filter);
  {
    std::lock_guard lock(mutex_);
    subscriptions_[name] = qos;
  }
  // While disconnected the next connection subscribes.
  if (!connected()) return Status::Ok();
  int rc = mosquitto_subscribe(client_, nullptr, name.c_str(), static_cast<int>(qos));
  return rc == MOSQ_ERR_NO_CONN ? Status::Ok() : FromMosquitto(rc);
}

Status MqttUplink::DoUnsubscribe(std::string_view filter) {
  std::string name(filter);
  {
    std::lock_guard lock(mutex_);
    if (subscriptions_.erase(name) == 0) return Status::NotFound();
  }
  int rc = mosquitto_unsubscribe(client_, nullptr, name.c_str());
  return rc == MOSQ_ERR_NO_CONN ? Status::Ok() : FromMosquitto(rc);
}

void MqttUplink::OnConnect(mosquitto* client, void* self, int rc) {
  auto* me = static_cast<MqttUplink*>(self);
  if (rc != 0) return;  // refused (bad login, say): libmosquitto tries again later
  std::vector<std::pair<std::string, port::MqttQos>> renew;
  {
    std::lock_guard lock(me->mutex_);
    me->pending_subacks_.clear();
    renew.assign(me->subscriptions_.begin(), me->subscriptions_.end());
  }
  for (const auto& [filter, qos] : renew) {
    int mid = 0;
    if (mosquitto_subscribe(client, &mid, filter.c_str(), static_cast<int>(qos)) ==
        MOSQ_ERR_SUCCESS) {
      std::lock_guard lock(me->mutex_);
      me->pending_subacks_.insert(mid);
    }
  }
  bool none_pending;
  {
    std::lock_guard lock(me->mutex_);
    none_pending = me->pending_subacks_.empty();
  }
  if (none_pending) me->ReportConnected();
}

void MqttUplink::OnSubscribe(mosquitto*, void* self, int mid, int, const int*) {
  auto* me = static_cast<MqttUplink*>(self);
  bool last;
  {
    std::lock_guard lock(me->mutex_);
    last = me->pending_subacks_.erase(mid) > 0 && me->pending_subacks_.empty();
  }
  if (last) me->ReportConnected();
}

void MqttUplink::NoteReachable(bool reached, const std::string& why) {
  if (reached == !unreachable_) return;
  unreachable_ = !reached;
  if (!options_.log) return;
  const std::string broker = options_.host + ":" + std::to_string(options_.port);
  options_.log(reached
                   ? "reached broker at " + broker + " again"
                   : "cannot reach broker at " + broker + " (" + why + "): is mosquitto running?");
}

void MqttUplink::ReportConnected() {
  if (connected_.exchange(true)) return;
  if (mqtt_listener() != nullptr) mqtt_listener()->OnMqttConnection(true);
}

void MqttUplink::OnDisconnect(mosquitto*, void* self, int) {
  auto* me = static_cast<MqttUplink*>(self);
  if (!me->connected_.exchange(false)) return;
  if (me->mqtt_listener() != nullptr) me->mqtt_listener()->OnMqttConnection(false);
}

void MqttUplink::OnPublish(mosquitto*, void* self, int mid) {
  static_cast<MqttUplink*>(self)->Published(mid);
}

void MqttUplink::Published(int mid) {
  uint32_t tag = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = tags_.find(mid);
    if (it == tags_.end()) {
      early_.insert(mid);  // DoPublish has not noted the id yet; it reports
      return;
    }
    tag = it->second;
    tags_.erase(it);
  }
  if (mqtt_listener() != nullptr) mqtt_listener()->OnMqttPublished(tag);
}

void MqttUplink::OnMessage(mosquitto*, void* self, const mosquitto_message* message) {
  auto* me = static_cast<MqttUplink*>(self);
  if (me->mqtt_listener() == nullptr) return;
  me->mqtt_listener()->OnMqttMessage(message->topic,
                                     ByteSpan(static_cast<const std::byte*>(message->payload),
                                              static_cast<size_t>(message->payloadlen)));
}

}  // namespace airlab::linux_port
