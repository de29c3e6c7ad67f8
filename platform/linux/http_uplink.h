#pragma once
// linux_port::HttpUplink: the Uplink port's HTTP half on Linux, over cpp-httplib. Requests queue
// and run one after the other on a worker thread, on one kept-alive connection to the base
// URL (http:// or https:// through OpenSSL, the server's certificate and name verified);
// each ends in the request's listener, called from that thread.
//
//   linux_port::HttpUplink uplink({.base_url = "https://api.thingspeak.com"});
//   cloud::ThingSpeak ts(uplink, clock, listener, request_buffer, answer_buffer);

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/port/uplink.h"

namespace httplib {
class Client;
}

namespace airlab::linux_port {

struct HttpUplinkOptions {
  // Scheme, host, optional port and path prefix: "http://127.0.0.1:8080",
  // "https://api.thingspeak.com", "http://gateway.lan/thingspeak".
  std::string base_url;
  std::chrono::milliseconds connect_timeout{5000};
  // The longest wait for each read of the answer (thingspeak-arduino waits 5 s).
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  size_t max_queued = 16;  // requests waiting beside the one under way
  bool keep_alive = true;
  // HTTPS: trust the certificates in this PEM file instead of the system's store.
  std::string ca_file;
  bool verify_tls = true;  // false only for tests against self-made certificates
  std::string user_agent = "airlab";
  // Told, from the worker thread, when the base URL stops answering and when it answers
  // again: once per outage, each line naming the URL and why, e.g. "cannot reach
  // http://127.0.0.1:8080 (connection refused)". Empty: nobody is told (the answers' Status
  // still says it).
  std::function<void(const std::string& line)> log;
};

class HttpUplink final : public port::Uplink {
 public:
  // Starts the worker. Throws std::invalid_argument (a sentence naming the fix) for a base
  // URL that is not http:// or https://host[:port][/path].
  explicit HttpUplink(HttpUplinkOptions options);
  // Stop()s.
  ~HttpUplink() override;
  HttpUplink(const HttpUplink&) = delete;
  HttpUplink& operator=(const HttpUplink&) = delete;

  // Cuts the exchange under way short, ends every queued one with kAborted and joins the
  // worker; Send answers kFailedPrecondition afterwards. Idempotent. Not from a listener.
  void Stop();

 protected:
  Status DoSend(const port::HttpRequest& request) override;

 private:
  void Run();
  port::HttpAnswer Exchange(const port::HttpRequest& request);
  // Tells options_.log when the exchanges go from working to failing or back.
  void NoteReachable(bool reached, const std::string& why);

  HttpUplinkOptions options_;
  std::string path_prefix_;  // the base URL's path, without a trailing '/'
  std::unique_ptr<httplib::Client> client_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<port::HttpRequest> queue_;
  bool stopping_ = false;
  bool unreachable_ = false;  // the worker's: the last exchange failed on the way
  std::thread worker_;
};

}  // namespace airlab::linux_port
