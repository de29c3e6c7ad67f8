#include "server/server.h"

#include <stdlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "server/http.h"
#include "server/mqtt_bridge.h"
#include "server/text.h"
#include "server/thingspeak.h"
#include "server/web_assets.h"

namespace airlab::server {
namespace {

using http::Request;
using http::Response;

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr const char* kTextType = "text/plain; charset=utf-8";
constexpr const char* kCsvType = "text/csv; charset=utf-8";

// Pages may load only their own scripts and styles: the dashboard never runs injected markup.
constexpr const char* kPagePolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'";

enum class Format { kText, kJson, kCsv };

const char* ContentType(Format format) {
  switch (format) {
    case Format::kJson: return kJsonType;
    case Format::kCsv: return kCsvType;
    case Format::kText: break;
  }
  return kTextType;
}

Format FormatOf(std::string_view extension, Format bare) {
  if (extension == ".json") return Format::kJson;
  if (extension == ".csv") return Format::kCsv;
  if (extension == ".txt") return Format::kText;
  return bare;
}

void Send(Response& res, int status, std::string body, Format format) {
  res.status = status;
  res.body = std::move(body);
  res.content_type = ContentType(format);
}

// ThingSpeak's error answer: the JSON error object, or its error code as text.
void SendError(Response& res, int status, Format format) {
  Send(res, status, format == Format::kJson ? ErrorJson(status) : ErrorFor(status).code, format);
}

// Channel ids are positive decimal numbers; anything else names no channel.
std::optional<std::int64_t> ParseId(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

// "3" or "field3" (both forms reach ThingSpeak), 1..8.
std::optional<int> ParseFieldNumber(std::string_view text) {
  if (text.substr(0, 5) == "field") text.remove_prefix(5);
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < 1 ||
      n > kFieldCount) {
    return std::nullopt;
  }
  return n;
}

Params QueryParams(const Request& req) {
  Params params;
  for (const auto& [key, value] : req.params) params.emplace(key, value);
  return params;
}

// The query string plus the body: a form (the HTTP layer has already parsed a form-urlencoded
// one into req.params; a body sent without a Content-Type is read as a form too, as devices do)
// or a JSON object. Body values win over the query's. nullopt for a malformed JSON body.
std::optional<Params> RequestParams(const Request& req) {
  Params params = QueryParams(req);
  if (req.body.empty()) return params;
  std::string_view type = req.Header("Content-Type");
  if (type.rfind("application/json", 0) == 0) {
    std::optional<Params> body = ParseJsonParams(req.body);
    if (!body) return std::nullopt;
    for (auto& [key, value] : *body) params.insert_or_assign(key, std::move(value));
  } else if (type.empty() || type.rfind("text/plain", 0) == 0) {
    for (auto& [key, value] : ParseForm(req.body)) params.insert_or_assign(key, std::move(value));
  }
  return params;
}

// The API key from the named parameter or ThingSpeak's headers.
std::string ApiKey(const Request& req, const Params& params, std::string_view name = "api_key") {
  if (auto it = params.find(name); it != params.end()) return it->second;
  for (const char* header : {"THINGSPEAKAPIKEY", "X-THINGSPEAKAPIKEY"}) {
    if (req.HasHeader(header)) return std::string(req.Header(header));
  }
  return {};
}

// What a route's path pattern took from a request's path.
struct PathMatch {
  std::array<std::string_view, 2> segments;  // what each "{}" matched, in order
  std::string_view extension;                // the last segment's, from its first '.': ".json"
};

// Matches path against pattern, one '/'-separated segment at a time: a literal segment must be
// equal, "{}" takes any non-empty segment without '.' (channel ids and field numbers are checked
// by the handlers, so "/channels/abc/feeds.json" gets ThingSpeak's 404 answer, not a routing
// miss). The extension must be one of `extensions` ("" for none). Plain comparisons: this runs
// for every request, where a std::regex match cost more than the rest of the routing.
std::optional<PathMatch> MatchPath(std::string_view path, std::string_view pattern,
                                   const std::vector<std::string_view>& extensions) {
  PathMatch match;
  if (size_t dot = path.find('.', path.rfind('/') + 1); dot != std::string_view::npos) {
    match.extension = path.substr(dot);
    path = path.substr(0, dot);
  }
  if (std::find(extensions.begin(), extensions.end(), match.extension) == extensions.end()) {
    return std::nullopt;
  }
  // Splits "/first/rest" into "first" and "/rest".
  auto next_segment = [](std::string_view& text) {
    text.remove_prefix(1);
    size_t end = std::min(text.find('/'), text.size());
    std::string_view segment = text.substr(0, end);
    text.remove_prefix(end);
    return segment;
  };
  size_t taken = 0;
  while (!pattern.empty()) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string_view want = next_segment(pattern);
    std::string_view got = next_segment(path);
    if (want != "{}") {
      if (want != got) return std::nullopt;
    } else if (got.empty() || got.find('.') != std::string_view::npos ||
               taken == match.segments.size()) {
      return std::nullopt;
    } else {
      match.segments[taken++] = got;
    }
  }
  if (!path.empty()) return std::nullopt;
  return match;
}

std::filesystem::path MakeTemporaryDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "airlab-server-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    throw std::runtime_error("cannot make a temporary folder in " +
                             std::filesystem::temp_directory_path().string() +
                             "; set TMPDIR to a writable folder");
  }
  return pattern;
}

// One update's outcome, for /update, update.json and MQTT alike.
struct Ingested {
  bool ok = false;
  UpdateProblem problem = UpdateProblem::kNone;
  AppendStatus status = AppendStatus::kBadKey;
  std::int64_t channel_id = 0;
  FeedEntry entry;
};

std::string RefusalReason(const Ingested& r) {
  switch (r.problem) {
    case UpdateProblem::kNoData: return "nothing to store";
    case UpdateProblem::kTooLong: return "a value over 255 characters";
    case UpdateProblem::kBadTime: return "created_at is not a time";
    case UpdateProblem::kBadLocation: return "lat, long or elevation is not a number in range";
    case UpdateProblem::kInvalidBytes: return "text that is not UTF-8";
    case UpdateProblem::kNone: break;
  }
  switch (r.status) {
    case AppendStatus::kBadKey: return "no channel has that write key";
    case AppendStatus::kRateLimited: return "the channel's rate limit";
    case AppendStatus::kConflict: return "created_at is already taken";
    case AppendStatus::kOk: break;
  }
  return "accepted";
}

std::string BulkRefusalReason(int status) {
  switch (status) {
    case 400: return "a malformed body";
    case 401: return "no channel has that write key";
    case 404: return "no such channel";
    case 409: return "a created_at the channel already has";
    case 413: return "over 960 updates";
    case 422: return "text that is not UTF-8";
    case 429: return "the channel's rate limit";
  }
  return ErrorFor(status).code;
}

// A client whose refused writes were logged, for LogRefusal's limit.
struct RefusalLog {
  std::chrono::steady_clock::time_point last;
  int suppressed = 0;
};

// At most one line per client address this often: a board retrying a bad key every second,
// or a flood, must not flood the log.
constexpr auto kRefusalLogInterval = std::chrono::seconds(10);

}  // namespace

std::filesystem::path DatabasePath(const std::filesystem::path& data_dir) {
  return data_dir / "airlab-cloud.db";
}

std::filesystem::path DefaultDataDir() {
  if (const char* dir = std::getenv("AIRLAB_DATA"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "airlab" / "cloud";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".local" / "share" / "airlab" /
         "cloud";
}

struct Server::Impl {
  explicit Impl(ServerOptions opts);
  ~Impl();

  TimeMs Now() const { return options.clock ? options.clock() : NowMs(); }
  TimeMs DefaultIntervalMs() const {
    return static_cast<TimeMs>(std::llround(options.rate_limit_s * 1000));
  }
  void Log(const std::string& line) const {
    if (options.log) options.log(line);
  }
  // Logs why a write from peer was refused (never the key), limited per peer.
  void LogRefusal(const std::string& peer, const std::string& what, const std::string& why);

  Ingested Ingest(std::string_view key, std::optional<std::int64_t> channel_id,
                  const Params& params);
  void PublishEntries(std::int64_t channel_id, const std::vector<FeedEntry>& entries);
  void OnMqttPublish(const PublishTopic& topic, std::string payload);
  std::optional<Channel> ReadableChannel(const Request& req, Response& res, const Params& params,
                                         std::string_view channel_id, Format format);
  // What a feed or field read asks for; nullopt when it was answered already (no access, a
  // bad field number or read option).
  struct FeedRead {
    Channel channel;
    FieldSelection selection;
    ReadOptions options;
  };
  std::optional<FeedRead> ParseFeedRead(const Request& req, Response& res,
                                        std::string_view channel_id,
                                        std::optional<std::string_view> field, Format format);

  void Routes();
  void HandleUpdate(const Request& req, Response& res, const PathMatch& path);
  void HandleBulk(const Request& req, Response& res, const PathMatch& path);
  void HandleFeed(const Request& req, Response& res, const PathMatch& path,
                  std::optional<std::string_view> field);
  void HandleLast(const Request& req, Response& res, const PathMatch& path,
                  std::optional<std::string_view> field);
  void HandleStatus(const Request& req, Response& res, const PathMatch& path);
  void HandlePage(Response& res, std::string_view name);

  ServerOptions options;
  std::filesystem::path data_dir;
  bool temporary_dir = false;
  std::unique_ptr<ChannelDatabase> database;
  std::unique_ptr<MqttBridge> mqtt;
  std::mutex refusals_mutex;
  std::unordered_map<std::string, RefusalLog> refusals;  // by client address
  // Routes per method, tried in order; a path no route matches is answered 404.
  struct Route {
    std::string_view method;
    std::string_view pattern;  // see MatchPath
    std::vector<std::string_view> extensions;
    std::function<void(const Request&, Response&, const PathMatch&)> handle;
  };
  void Dispatch(Request& req, Response& res);
  std::vector<Route> routes;
  std::unique_ptr<http::Server> http;
  bool running = false;
  int port = 0;
};

Server::Impl::Impl(ServerOptions opts) : options(std::move(opts)) {
  if (!std::isfinite(options.rate_limit_s) || options.rate_limit_s < 0) {
    throw std::runtime_error("the rate limit is a number of seconds, 0 or more");
  }
  data_dir = options.data_dir;
  if (data_dir.empty()) {
    data_dir = MakeTemporaryDir();
    temporary_dir = true;
  }
  database = std::make_unique<ChannelDatabase>(DatabasePath(data_dir));
  if (!options.mqtt_url.empty()) {
    std::optional<BrokerAddress> broker = ParseBrokerUrl(options.mqtt_url);
    if (!broker) {
      throw std::runtime_error("the MQTT URL '" + options.mqtt_url +
                               "' is not of the form mqtt://host:port");
    }
    mqtt = std::make_unique<MqttBridge>(
        *broker,
        [this](const PublishTopic& topic, std::string payload) {
          OnMqttPublish(topic, std::move(payload));
        },
        [this](const std::string& line) { Log("mqtt: " + line); });
  }
  Routes();
}

Server::Impl::~Impl() {
  database.reset();
  if (temporary_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir, ignored);
  }
}

Ingested Server::Impl::Ingest(std::string_view key, std::optional<std::int64_t> channel_id,
                              const Params& params) {
  Ingested r;
  TimeMs now = Now();
  ParsedUpdate parsed = ParseUpdate(params, now);
  r.problem = parsed.problem;
  if (parsed.problem != UpdateProblem::kNone || key.empty()) return r;
  std::vector<NewEntry> one;
  one.push_back(std::move(parsed.entry));
  AppendResult result = database->Append(key, channel_id, std::move(one), now, DefaultIntervalMs());
  r.status = result.status;
  if (result.status != AppendStatus::kOk) return r;
  r.ok = true;
  r.channel_id = result.channel_id;
  r.entry = result.entries.front();
  PublishEntries(result.channel_id, result.entries);
  return r;
}

void Server::Impl::LogRefusal(const std::string& peer, const std::string& what,
                              const std::string& why) {
  if (!options.log) return;
  const auto now = std::chrono::steady_clock::now();
  int suppressed = 0;
  {
    std::lock_guard lock(refusals_mutex);
    auto [it, first] = refusals.try_emplace(peer);
    if (!first && now - it->second.last < kRefusalLogInterval) {
      ++it->second.suppressed;
      return;
    }
    suppressed = std::exchange(it->second.suppressed, 0);
    it->second.last = now;
    if (refusals.size() > 1024) {  // many clients: forget those quiet for a while
      std::erase_if(refusals, [&](const auto& r) {
        return r.second.suppressed == 0 && now - r.second.last >= kRefusalLogInterval;
      });
    }
  }
  std::string line = "http: refused " + what + " from " + peer + ": " + why;
  if (suppressed) {
    line += " (and " + std::to_string(suppressed) + " more from " + peer + " not logged)";
  }
  Log(line);
}

void Server::Impl::PublishEntries(std::int64_t channel_id, const std::vector<FeedEntry>& entries) {
  if (!mqtt) return;
  std::string topic = "channels/" + std::to_string(channel_id) + "/subscribe";
  for (const FeedEntry& e : entries) {
    mqtt->Publish(topic, FullEntryJson(channel_id, e));
    for (int f = 0; f < kFieldCount; ++f) {
      if (e.fields[f]) mqtt->Publish(topic + "/fields/field" + std::to_string(f + 1), *e.fields[f]);
    }
  }
}

void Server::Impl::OnMqttPublish(const PublishTopic& topic, std::string payload) {
  try {
    Params params;
    if (topic.field) {
      params.emplace("field" + std::to_string(*topic.field), std::move(payload));
    } else {
      for (auto& [key, value] : ParseForm(payload)) params.insert_or_assign(key, std::move(value));
    }
    std::string key = topic.write_key;
    if (auto it = params.find("api_key"); key.empty() && it != params.end()) key = it->second;
    Ingested r = Ingest(key, topic.channel_id, params);
    if (!r.ok) {
      Log("mqtt: refused an update to channel " + std::to_string(topic.channel_id) + ": " +
          RefusalReason(r));
    }
  } catch (const std::exception& e) {
    Log(std::string("mqtt: ") + e.what());
  }
}

std::optional<Channel> Server::Impl::ReadableChannel(const Request& req, Response& res,
                                                     const Params& params,
                                                     std::string_view channel_id, Format format) {
  std::optional<std::int64_t> id = ParseId(channel_id);
  std::optional<Channel> channel = id ? database->FindChannel(*id) : std::nullopt;
  if (!channel) {
    SendError(res, 404, format);
    return std::nullopt;
  }
  if (!channel->CanRead(ApiKey(req, params))) {
    // ThingSpeak answers a read without access with -1; JSON readers get the error object.
    if (format == Format::kJson) {
      SendError(res, 401, format);
    } else {
      Send(res, 200, "-1", format);
    }
    return std::nullopt;
  }
  return channel;
}

void Server::Impl::HandleUpdate(const Request& req, Response& res, const PathMatch& path) {
  Format format = FormatOf(path.extension, Format::kText);
  std::optional<Params> params = RequestParams(req);
  if (!params) {
    LogRefusal(req.peer, "an update", "a body that is not a JSON object");
    return SendError(res, 400, format);
  }
  const std::string key = ApiKey(req, *params);
  Ingested r = Ingest(key, std::nullopt, *params);
  if (!r.ok) {
    LogRefusal(req.peer, "an update",
               key.empty() && r.problem == UpdateProblem::kNone ? "no write key (api_key)"
                                                                : RefusalReason(r));
  }
  if (r.problem == UpdateProblem::kInvalidBytes) return SendError(res, 422, format);
  // Every other refusal (bad key, rate limit, nothing to store, a value too long) is "0".
  if (!r.ok) return Send(res, 200, "0", format);
  Send(res, 200,
       format == Format::kJson ? FullEntryJson(r.channel_id, r.entry)
                               : std::to_string(r.entry.entry_id),
       format);
}

void Server::Impl::HandleBulk(const Request& req, Response& res, const PathMatch& path) {
  const std::string what = "a bulk update to channel " + std::string(path.segments[0]);
  auto refuse = [&](int status) {
    LogRefusal(req.peer, what, BulkRefusalReason(status));
    SendError(res, status, Format::kJson);
  };
  std::optional<std::int64_t> id = ParseId(path.segments[0]);
  if (!id || !database->FindChannel(*id)) return refuse(404);
  TimeMs now = Now();
  BulkUpdate bulk;
  if (path.extension == ".csv") {
    std::optional<Params> params = RequestParams(req);
    if (!params) return refuse(400);
    bulk = ParseBulkCsv(*params, now);
    if (bulk.write_key.empty()) bulk.write_key = ApiKey(req, *params);
  } else {
    bulk = ParseBulkJson(req.body, now);
    if (bulk.write_key.empty()) bulk.write_key = ApiKey(req, QueryParams(req));
  }
  if (bulk.error_status) return refuse(bulk.error_status);
  if (bulk.write_key.empty()) return refuse(401);
  AppendResult result =
      database->Append(bulk.write_key, *id, std::move(bulk.entries), now, DefaultIntervalMs());
  switch (result.status) {
    case AppendStatus::kBadKey: return refuse(401);
    case AppendStatus::kRateLimited: return refuse(429);
    case AppendStatus::kConflict: return refuse(409);
    case AppendStatus::kOk: break;
  }
  PublishEntries(result.channel_id, result.entries);
  Send(res, 202, "{\"success\":true}", Format::kJson);
}

std::optional<Server::Impl::FeedRead> Server::Impl::ParseFeedRead(
    const Request& req, Response& res, std::string_view channel_id,
    std::optional<std::string_view> field, Format format) {
  Params params = QueryParams(req);
  std::optional<Channel> channel = ReadableChannel(req, res, params, channel_id, format);
  if (!channel) return std::nullopt;
  FieldSelection selection;
  if (field) {
    selection.only_field = ParseFieldNumber(*field);
    if (!selection.only_field) {
      SendError(res, 400, format);
      return std::nullopt;
    }
  }
  std::optional<ReadOptions> options = ParseReadOptions(params, Now());
  if (!options) {
    SendError(res, 400, format);
    return std::nullopt;
  }
  selection.status = options->status;
  selection.location = options->location;
  return FeedRead{std::move(*channel), selection, std::move(*options)};
}

void Server::Impl::HandleFeed(const Request& req, Response& res, const PathMatch& path,
                              std::optional<std::string_view> field) {
  Format format = FormatOf(path.extension, Format::kJson);
  std::optional<FeedRead> read = ParseFeedRead(req, res, path.segments[0], field, format);
  if (!read) return;
  read->options.query.columns = ColumnsFor(read->channel, read->selection);
  FeedWriter writer(read->channel, read->selection, format == Format::kCsv,
                    static_cast<size_t>(read->options.query.results));
  database->FeedNewestFirst(read->channel.id, read->options.query,
                            [&writer](const FeedEntry& e) { writer.Add(e); });
  Send(res, 200, writer.Finish(), format);
}

void Server::Impl::HandleLast(const Request& req, Response& res, const PathMatch& path,
                              std::optional<std::string_view> field) {
  // fields/<n>/last answers the bare value unless asked for JSON, like ThingSpeak.
  Format format = FormatOf(path.extension, field ? Format::kText : Format::kJson);
  std::optional<FeedRead> read = ParseFeedRead(req, res, path.segments[0], field, format);
  if (!read) return;
  FeedQuery last;
  last.results = 1;
  last.nonnull_field = read->selection.only_field;
  last.columns = ColumnsFor(read->channel, read->selection);
  std::vector<FeedEntry> entries = database->Feed(read->channel.id, last);
  if (entries.empty()) return Send(res, 200, "-1", format);
  if (format == Format::kText) {
    return Send(res, 200, *entries.front().fields[*read->selection.only_field - 1], format);
  }
  std::string body;
  AppendEntryJson(body, read->channel, entries.front(), read->selection);
  Send(res, 200, std::move(body), format);
}

void Server::Impl::HandleStatus(const Request& req, Response& res, const PathMatch& path) {
  Params params = QueryParams(req);
  std::optional<Channel> channel =
      ReadableChannel(req, res, params, path.segments[0], Format::kJson);
  if (!channel) return;
  std::optional<ReadOptions> options = ParseReadOptions(params, Now());
  if (!options) return SendError(res, 400, Format::kJson);
  options->query.only_with_status = true;
  options->query.columns = kStatusColumn;
  Send(res, 200, StatusJson(*channel, database->Feed(channel->id, options->query)), Format::kJson);
}

void Server::Impl::HandlePage(Response& res, std::string_view name) {
  for (const WebAsset& asset : WebAssets()) {
    if (asset.name != name) continue;
    res.status = 200;
    res.headers.emplace_back("Cache-Control", "no-cache");
    if (name.ends_with(".html")) {
      res.headers.emplace_back("Content-Security-Policy", kPagePolicy);
      res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    }
    res.body = asset.body;
    res.content_type = asset.content_type;
    return;
  }
  SendError(res, 404, Format::kJson);
}

void Server::Impl::Routes() {
  using Extensions = std::vector<std::string_view>;
  auto add = [this](std::string_view method, std::string_view pattern, Extensions extensions,
                    std::function<void(const Request&, Response&, const PathMatch&)> handle) {
    routes.push_back({method, pattern, std::move(extensions), std::move(handle)});
  };
  auto update = [this](const Request& req, Response& res, const PathMatch& path) {
    HandleUpdate(req, res, path);
  };
  add("GET", "/update", {"", ".json"}, update);
  add("POST", "/update", {"", ".json"}, update);
  add("POST", "/channels/{}/bulk_update", {".json", ".csv"},
      [this](const Request& req, Response& res, const PathMatch& path) {
        HandleBulk(req, res, path);
      });
  add("GET", "/channels/{}/bulk_update", {".json", ".csv"},
      [](const Request&, Response& res, const PathMatch&) { SendError(res, 405, Format::kJson); });
  add("GET", "/channels/{}/feeds", {"", ".json", ".csv"},
      [this](const Request& req, Response& res, const PathMatch& path) {
        HandleFeed(req, res, path, std::nullopt);
      });
  add("GET", "/channels/{}/feeds/last", {"", ".json"},
      [this](const Request& req, Response& res, const PathMatch& path) {
        HandleLast(req, res, path, std::nullopt);
      });
  add("GET", "/channels/{}/fields/{}", {"", ".json", ".csv"},
      [this](const Request& req, Response& res, const PathMatch& path) {
        HandleFeed(req, res, path, path.segments[1]);
      });
  add("GET", "/channels/{}/fields/{}/last", {"", ".json", ".txt"},
      [this](const Request& req, Response& res, const PathMatch& path) {
        HandleLast(req, res, path, path.segments[1]);
      });
  add("GET", "/channels/{}/status", {"", ".json"},
      [this](const Request& req, Response& res, const PathMatch& path) {
        HandleStatus(req, res, path);
      });
  add("GET", "/channels", {".json"}, [this](const Request&, Response& res, const PathMatch&) {
    Send(res, 200, ChannelListJson(database->ListChannels()), Format::kJson);
  });
  // The dashboard: one page for the channel list and each channel (its script and uPlot are
  // under /static/, see Dispatch).
  auto page = [this](const Request&, Response& res, const PathMatch&) {
    HandlePage(res, "index.html");
  };
  add("GET", "/", {""}, page);
  add("GET", "/channels/{}", {""}, page);
}

void Server::Impl::Dispatch(Request& req, Response& res) {
  static const std::set<std::string, std::less<>> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  if (!kMethods.contains(req.method)) return SendError(res, 400, Format::kJson);
  if (req.method == "OPTIONS") {  // a browser's preflight, for any path
    res.status = 204;
    res.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.headers.emplace_back("Access-Control-Allow-Headers",
                             "Content-Type, THINGSPEAKAPIKEY, X-THINGSPEAKAPIKEY");
    return;
  }
  // HEAD answers what GET would, without the body (the HTTP layer leaves it out).
  std::string_view method = req.method == "HEAD" ? std::string_view("GET") : req.method;
  try {
    // The dashboard's files keep their dots ("app.js"), which route patterns take as extensions.
    constexpr std::string_view kStatic = "/static/";
    std::string_view path = req.path;
    if (method == "GET" && path.starts_with(kStatic) &&
        path.find('/', kStatic.size()) == std::string_view::npos) {
      return HandlePage(res, path.substr(kStatic.size()));
    }
    for (const Route& route : routes) {
      if (route.method != method) continue;
      if (std::optional<PathMatch> match = MatchPath(path, route.pattern, route.extensions)) {
        return route.handle(req, res, *match);
      }
    }
  } catch (const std::exception& e) {
    Log("http: " + req.method + " " + req.path + ": " + e.what());
    res = Response{};
    return Send(res, 500, ErrorJson(500), Format::kJson);
  }
  SendError(res, 404, Format::kJson);
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { Stop(); }

void Server::Start() {
  Impl& s = *impl_;
  if (s.running) return;
  http::ServerConfig config;
  config.handler = [&s](Request& req, Response& res) { s.Dispatch(req, res); };
  config.finish = [](Response& res) {
    // Browsers may call the API from other pages, as they can ThingSpeak's.
    res.headers.emplace_back("Access-Control-Allow-Origin", "*");
    // Whatever answers an error without a body (unknown paths, oversized or malformed
    // requests) gets ThingSpeak's JSON error object; handlers that answered in text keep theirs.
    if (res.status >= 400 && res.body.empty()) {
      Send(res, res.status, ErrorJson(res.status), Format::kJson);
    }
  };
  config.limits.max_body = s.options.max_body_bytes;
  config.threads = std::max(s.options.threads, 2);
  config.max_connections_per_address = s.options.max_connections_per_address;
  config.idle_timeout_s = s.options.idle_timeout_s;
  config.log = s.options.log;
  s.http = std::make_unique<http::Server>(std::move(config));
  const std::string& bind = s.options.bind;
  try {
    s.port = s.http->Start(bind, s.options.port);
  } catch (const std::runtime_error&) {
    throw std::runtime_error("cannot listen on " + bind + ":" + std::to_string(s.options.port) +
                             ": the port is taken or the address is not this machine's; pick "
                             "another with --port (0 picks a free one) or --bind");
  }
  s.running = true;
  if (s.mqtt) s.mqtt->Start();
}

void Server::Stop() {
  Impl& s = *impl_;
  if (s.mqtt) s.mqtt->Stop();
  if (!s.running) return;
  s.http->Stop();
  s.running = false;
}

int Server::port() const { return impl_->port; }

std::string Server::url() const {
  const std::string& bind = impl_->options.bind;
  std::string host = bind == "0.0.0.0" ? "127.0.0.1" : bind == "::" ? "[::1]" : bind;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

const std::filesystem::path& Server::data_dir() const { return impl_->data_dir; }

ChannelDatabase& Server::database() { return *impl_->database; }

bool Server::mqtt_subscribed() const { return impl_->mqtt && impl_->mqtt->subscribed(); }

}  // namespace airlab::server
