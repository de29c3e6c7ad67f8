#pragma once
// Uplink port: the way out to a cloud service - HTTP exchanges (request, answer) and MQTT
// (publish, subscribe, messages). core/cloud builds the bytes and reads the answers; an
// Uplink only carries them. One implementation may carry both or one of the two: on Linux
// linux_port::HttpUplink (cpp-httplib) and linux_port::MqttUplink (libmosquitto); on ESP-IDF the
// vendor's esp_http_client and esp-mqtt. The calls a transport does not carry return
// kUnimplemented.
//
// Everything is asynchronous: on a device the network runs in its own task, on Linux in a
// worker thread, so a call only hands the work over and the outcome comes back through a
// listener, from the transport's context.
//
// Buffers: an HTTP request's bytes (target, headers, body) are the caller's and must stay
// valid and unchanged until its OnHttpDone; the answer's body is written into the caller's
// `answer` span. MQTT payloads and topics are copied before Publish returns.
//
// Calling context: the public methods may be called from any thread or task, listener
// calls included. Listener calls come from the transport's context and must return
// quickly; they may call the Uplink again.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::port {

enum class HttpMethod : uint8_t { kGet, kPost };

struct HttpHeader {
  std::string_view name;
  std::string_view value;
};

struct HttpAnswer;

class HttpListener {
 public:
  // The exchange that carried `answer.tag` has ended. `answer.body` lies inside the
  // request's `answer` span and the request's buffers are the caller's again.
  virtual void OnHttpDone(const HttpAnswer& answer) = 0;

 protected:
  ~HttpListener() = default;
};

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  // Origin form: the path and query, already percent-encoded ("/update",
  // "/channels/9/feeds.json?results=2"). The transport prefixes its base URL's path.
  std::string_view target;
  // Extra header fields; the transport adds Host, User-Agent, Content-Length and
  // Connection itself.
  std::span<const HttpHeader> headers;
  std::string_view content_type;  // for a body; empty without one
  ByteSpan body;
  MutableByteSpan answer;  // receives the answer's body
  HttpListener* listener = nullptr;
  uint32_t tag = 0;  // echoed in the HttpAnswer
};

struct HttpAnswer {
  uint32_t tag = 0;
  // kOk: an answer came, whatever its HTTP status. Otherwise there is none (http_status 0)
  // or it is incomplete:
  //   kUnavailable        no connection (refused, unreachable, name not found)
  //   kPermissionDenied   the TLS peer failed verification
  //   kDeadlineExceeded   connected, but no complete answer within the transport's timeout
  //   kAborted            the connection broke mid-exchange, or the transport stopped
  //   kDataLoss           the peer did not answer HTTP
  //   kResourceExhausted  the body did not fit `answer`; `body` holds its first bytes
  Status status;
  int http_status = 0;
  ByteSpan body;
};

enum class MqttQos : uint8_t { kAtMostOnce = 0, kAtLeastOnce = 1 };

class MqttListener {
 public:
  // The broker connection came up (subscriptions are renewed by then) or went down. The
  // transport reconnects by itself.
  virtual void OnMqttConnection(bool connected) = 0;
  // A Publish with this tag is done: QoS 0 written to the connection, QoS 1 acknowledged.
  virtual void OnMqttPublished(uint32_t tag) = 0;
  // A message on a subscribed topic. Both spans are valid during the call only.
  virtual void OnMqttMessage(std::string_view topic, ByteSpan payload) = 0;

 protected:
  ~MqttListener() = default;
};

class Uplink {
 public:
  virtual ~Uplink() = default;

  // Queues an HTTP exchange; one OnHttpDone on request.listener follows for every kOk.
  // kInvalidArgument: no listener, or a target that does not start with '/'.
  // kFailedPrecondition: the transport is stopped. kResourceExhausted: its queue is full.
  // kUnimplemented: this transport carries no HTTP.
  Status Send(const HttpRequest& request) {
    if (request.listener == nullptr || request.target.empty() || request.target[0] != '/') {
      return Status::InvalidArgument();
    }
    return DoSend(request);
  }

  // The listener gets connection changes, publish completions and messages. Set it before
  // the transport starts (it is read from the transport's context without a lock).
  void SetMqttListener(MqttListener* listener) { mqtt_listener_ = listener; }

  // Queues a message (topic and payload copied). kOk: OnMqttPublished(tag) follows once it
  // is out (QoS 0) or acknowledged (QoS 1). kInvalidArgument: an empty topic or one with
  // wildcards. kUnavailable: not connected and the transport does not queue meanwhile.
  // kResourceExhausted: its queue is full. kUnimplemented: no MQTT here.
  Status Publish(std::string_view topic, ByteSpan payload, MqttQos qos, uint32_t tag) {
    if (topic.empty() || topic.find_first_of("+#") != std::string_view::npos) {
      return Status::InvalidArgument();
    }
    return DoPublish(topic, payload, qos, tag);
  }

  // Subscribes to a topic filter (wildcards allowed), now and after every reconnect.
  // kInvalidArgument: an empty filter. kUnimplemented: no MQTT here.
  Status Subscribe(std::string_view filter, MqttQos qos) {
    if (filter.empty()) return Status::InvalidArgument();
    return DoSubscribe(filter, qos);
  }
  // Forgets a filter given to Subscribe. kNotFound if it was not subscribed.
  Status Unsubscribe(std::string_view filter) { return DoUnsubscribe(filter); }

 protected:
  // Called with arguments already checked. A transport without HTTP or without MQTT keeps
  // the defaults.
  virtual Status DoSend(const HttpRequest& /*request*/) { return Status::Unimplemented(); }
  virtual Status DoPublish(std::string_view /*topic*/, ByteSpan /*payload*/, MqttQos /*qos*/,
                           uint32_t /*tag*/) {
    return Status::Unimplemented();
  }
  virtual Status DoSubscribe(std::string_view /*filter*/, MqttQos /*qos*/) {
    return Status::Unimplemented();
  }
  virtual Status DoUnsubscribe(std::string_view /*filter*/) { return Status::Unimplemented(); }

  MqttListener* mqtt_listener() const { return mqtt_listener_; }

 private:
  MqttListener* mqtt_listener_ = nullptr;
};

}  // namespace airlab::port
