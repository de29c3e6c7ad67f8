#pragma once
// linux_port::MqttUplink: the Uplink port's MQTT half on Linux, over libmosquitto. It connects in
// the background, reconnects by itself with growing pauses when the broker goes away, renews
// its subscriptions on every connection, and reports through the MqttListener from its
// network thread. While disconnected, QoS 1 messages wait in libmosquitto's queue for the
// next connection; QoS 0 ones are refused with kUnavailable.
//
//   linux_port::MqttUplink mqtt({.host = "mqtt3.thingspeak.com", .port = 1883,
//                           .client_id = ID, .username = USER, .password = PASSWORD});
//   mqtt.SetMqttListener(&listener);
//   mqtt.Start();
//   mqtt.Publish(topic, payload, port::MqttQos::kAtMostOnce, tag);

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/port/uplink.h"

struct mosquitto;
struct mosquitto_message;

namespace airlab::linux_port {

struct MqttUplinkOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id;  // empty: libmosquitto makes one up
  std::string username;   // empty: none
  std::string password;
  std::chrono::seconds keepalive{60};
  bool clean_session = true;  // ThingSpeak's broker wants a clean session
  std::chrono::seconds reconnect_min{1};
  std::chrono::seconds reconnect_max{30};
  // TLS when set: trust the certificates in this PEM file (ThingSpeak: port 8883).
  std::string ca_file;
  // Told, from the network thread, when the broker cannot be reached and when it is
  // reached again: once per outage, naming the broker and why, e.g. "cannot reach broker at
  // 127.0.0.1:1883 (Connection refused): is mosquitto running?". Empty: nobody is told.
  std::function<void(const std::string& line)> log;
};

class MqttUplink final : public port::Uplink {
 public:
  // Throws std::runtime_error when libmosquitto cannot make a client or refuses the TLS or
  // login settings.
  explicit MqttUplink(MqttUplinkOptions options);
  ~MqttUplink() override;  // Stop()s
  MqttUplink(const MqttUplink&) = delete;
  MqttUplink& operator=(const MqttUplink&) = delete;

  // Starts the network thread; connecting and reconnecting go on in the background. Set
  // the listener before.
  void Start();
  // Disconnects and joins the network thread. Idempotent. Not from a listener.
  void Stop();

  // True between the broker's CONNACK (and the SUBACKs of the renewed subscriptions) and
  // the connection's end.
  bool connected() const { return connected_.load(); }

 protected:
  Status DoPublish(std::string_view topic, ByteSpan payload, port::MqttQos qos,
                   uint32_t tag) override;
  Status DoSubscribe(std::string_view filter, port::MqttQos qos) override;
  Status DoUnsubscribe(std::string_view filter) override;

 private:
  static void OnConnect(mosquitto* client, void* self, int rc);
  static void OnDisconnect(mosquitto* client, void* self, int rc);
  static void OnPublish(mosquitto* client, void* self, int mid);
  static void OnSubscribe(mosquitto* client, void* self, int mid, int count, const int* qos);
  static void OnMessage(mosquitto* client, void* self, const mosquitto_message* message);
  void Published(int mid);
  void ReportConnected();
  // Tells options_.log when connecting goes from working to failing or back.
  void NoteReachable(bool reached, const std::string& why);
  // The network thread: connects, runs libmosquitto's loop, and after a failed attempt or
  // a lost connection waits (reconnect_min, doubling up to reconnect_max) and tries again.
  // libmosquitto's own loop_start thread cannot do the first part: when the first connect
  // is refused at once it waits forever for a connection nobody retries.
  void Run();
  // Sleeps `delay` unless Stop() comes first; false when stopping.
  bool Pause(std::chrono::seconds delay);

  MqttUplinkOptions options_;
  mosquitto* client_ = nullptr;
  std::thread thread_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopping_{false};
  bool unreachable_ = false;  // the network thread's: the last connect failed
  std::mutex pause_mutex_;
  std::condition_variable pause_;

  std::mutex mutex_;  // guards what follows; never held while calling libmosquitto
  std::map<std::string, port::MqttQos> subscriptions_;
  std::set<int> pending_subacks_;  // renewal SUBSCRIBEs not yet acknowledged
  std::map<int, uint32_t> tags_;   // message id -> the Publish's tag
  std::set<int> early_;            // message ids done before Publish noted them
};

}  // namespace airlab::linux_port
