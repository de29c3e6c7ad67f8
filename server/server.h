#pragma once
// airlab's ThingSpeak-compatible server: the real service's HTTP endpoints, keys, answers,
// errors and limits on a local SQLite store, MQTT ingestion through a broker, and a web
// dashboard with live charts at /. `airlab serve` runs one; `airlab demo` and tests embed one:
//
//   airlab::server::Server server({});          // free loopback port, temporary data folder
//   server.Start();
//   auto channel = server.database().CreateChannel({.name = "lab", .field_names = {"rssi"}});
//   // POST server.url() + "/update" with api_key=channel.write_key&field1=-61
//
// Endpoints (see README.md for the answers): GET|POST /update[.json],
// POST /channels/<id>/bulk_update.json|.csv, GET /channels/<id>/feeds.json|.csv,
// /channels/<id>/fields/<n>.json|.csv, /channels/<id>/fields/<n>/last[.json|.txt],
// /channels/<id>/feeds/last.json, /channels/<id>/status.json, /channels.json (dashboard list).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "server/channel_database.h"
#include "server/timestamp.h"

namespace airlab::server {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: the system picks a free port (see Server::port())
  // Where the database lives. Empty: a fresh temporary folder, deleted with the Server.
  std::filesystem::path data_dir;
  // Minimum seconds between accepted writes to a channel that has no limit of its own
  // (15 like a free ThingSpeak account; 0 for none).
  double rate_limit_s = 15;
  std::size_t max_body_bytes = 4 << 20;  // larger requests are answered 413
  std::string mqtt_url;                  // "mqtt://127.0.0.1:1883"; empty: no MQTT
  // Requests handled at once. A connection holds a thread only while one of its requests is
  // handled: idle and slow connections wait in the HTTP layer's event loop (http.h).
  int threads = 16;
  int max_connections_per_address = 64;         // more from one client address are answered 503
  int idle_timeout_s = 5;                       // a keep-alive connection with no request is closed
  std::function<TimeMs()> clock;                // empty: the wall clock (tests set a fake one)
  std::function<void(const std::string&)> log;  // one line per noteworthy event; may be empty
};

// The database file inside a data folder, shared by the server and `airlab channel`.
std::filesystem::path DatabasePath(const std::filesystem::path& data_dir);

// Where `airlab serve` and `airlab channel` keep channels unless told: $AIRLAB_DATA, else
// $XDG_DATA_HOME/airlab/cloud, else ~/.local/share/airlab/cloud.
std::filesystem::path DefaultDataDir();

class Server {
 public:
  // Opens the store. Throws std::runtime_error (a sentence naming the fix) when the data
  // folder or the MQTT URL is unusable.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves on background threads; returns once requests are being accepted.
  // Throws std::runtime_error when the address cannot be bound (port in use).
  void Start();
  // Stops serving and waits for the workers; idempotent.
  void Stop();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:8080"
  const std::filesystem::path& data_dir() const;
  ChannelDatabase& database();
  // True once the MQTT subscription is acknowledged by the broker.
  bool mqtt_subscribed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlab::server
