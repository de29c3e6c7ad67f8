#include "server/thingspeak.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "server/text.h"

namespace airlab::server {
namespace {

constexpr ApiError kErrors[] = {
    {400, "error_bad_request", "Bad Request", "The request cannot be fulfilled due to bad syntax."},
    {401, "error_auth_required", "Authorization Required",
     "Please provide proper authentication details."},
    {402, "error_payment_required", "Payment Required",
     "You have exceeded the message limit for the ThingSpeak license."},
    {404, "error_resource_not_found", "Resource Not Found",
     "The requested resource was not found. Check the URL and try again."},
    {405, "error_method_invalid", "Method Not Allowed",
     "Use the proper HTTP method for this request."},
    {409, "error_conflict", "Conflict",
     "The request is in conflict with the current state of the targeted resource."},
    {413, "error_request_too_large", "Request Entity Too Large",
     "Your request is too large. Reduce the size and try again."},
    {421, "error_no_action", "No Action Performed",
     "The server attempted to process your request, but has no action to perform."},
    {422, "error_invalid_byte_sequence", "Unprocessable Entity",
     "Please check your inputs to ensure that all inputs contain only valid UTF-8 encoded data."},
    {429, "error_too_many_requests", "Too Many Requests", "Wait before making another request."},
    {500, "error_internal", "Internal Server Error", "An unexpected condition was encountered."},
};

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);  // strtod needs a terminator
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A non-empty value of the first of names present in params.
const std::string* Find(const Params& params, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    auto it = params.find(name);
    if (it != params.end() && !it->second.empty()) return &it->second;
  }
  return nullptr;
}

bool IsTrue(const Params& params, std::string_view name) {
  const std::string* v = Find(params, {name});
  if (!v) return false;
  std::string lower = *v;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "true" || lower == "1";
}

void AppendOptional(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    AppendJsonString(out, *value);
  } else {
    out += "null";
  }
}

void AppendKey(std::string& out, std::string_view key) {
  out.push_back('"');
  out += key;
  out += "\":";
}

const char* kFieldKeys[kFieldCount] = {"field1", "field2", "field3", "field4",
                                       "field5", "field6", "field7", "field8"};

// Fields an answer shows, 0-based.
std::vector<int> ShownFields(const Channel& channel, const FieldSelection& selection) {
  std::vector<int> shown;
  if (selection.only_field) {
    shown.push_back(*selection.only_field - 1);
    return shown;
  }
  for (int f = 0; f < kFieldCount; ++f) {
    if (channel.field_names[f]) shown.push_back(f);
  }
  return shown;
}

// A JSON object's members as text parameters: strings as they are, numbers and booleans as
// JSON writes them, nulls left out. False when a member is an object or an array.
bool JsonObjectParams(const nlohmann::json& object, Params& params) {
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) {
      params.emplace(key, value.get<std::string>());
    } else if (value.is_number() || value.is_boolean()) {
      params.emplace(key, value.dump());
    } else if (!value.is_null()) {
      return false;
    }
  }
  return true;
}

// Works out the times of a bulk update. Updates with created_at keep it; the others are
// placed back from now: the last of them at now, each earlier one delta_t seconds (the delta_t
// of the one after it) before. False when an update has neither, or a later delta_t is 0.
bool ResolveBulkTimes(std::vector<NewEntry>& entries,
                      const std::vector<std::optional<double>>& deltas, TimeMs now) {
  TimeMs cursor = now;
  for (size_t k = entries.size(); k-- > 0;) {
    NewEntry& e = entries[k];
    if (e.time_given) continue;
    if (!deltas[k] || (k > 0 && *deltas[k] == 0)) return false;
    e.entry.created_at = cursor;
    cursor -= static_cast<TimeMs>(std::llround(*deltas[k] * 1000));
  }
  return true;
}

int BulkStatusFor(UpdateProblem problem) {
  return problem == UpdateProblem::kInvalidBytes ? 422 : 400;
}

}  // namespace

const ApiError& ErrorFor(int http_status) {
  for (const ApiError& e : kErrors) {
    if (e.http_status == http_status) return e;
  }
  return kErrors[std::size(kErrors) - 1];
}

std::optional<Params> ParseJsonParams(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  Params params;
  if (doc.is_discarded() || !doc.is_object() || !JsonObjectParams(doc, params)) return std::nullopt;
  return params;
}

std::string ErrorJson(int http_status) {
  const ApiError& e = ErrorFor(http_status);
  std::string out = "{\"status\":\"" + std::to_string(e.http_status) + "\",\"error\":{";
  AppendKey(out, "error_code");
  AppendJsonString(out, e.code);
  out.push_back(',');
  AppendKey(out, "message");
  AppendJsonString(out, e.message);
  out.push_back(',');
  AppendKey(out, "details");
  AppendJsonString(out, e.details);
  out += "}}";
  return out;
}

ParsedUpdate ParseUpdate(const Params& params, TimeMs now) {
  ParsedUpdate parsed;
  FeedEntry& entry = parsed.entry.entry;
  entry.created_at = now;
  for (const auto& [key, value] : params) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      parsed.problem = UpdateProblem::kInvalidBytes;
      return parsed;
    }
  }
  bool any = false;
  for (int f = 0; f < kFieldCount; ++f) {
    if (const std::string* v = Find(params, {kFieldKeys[f]})) {
      if (Utf8Length(*v) > kMaxValueChars) {
        parsed.problem = UpdateProblem::kTooLong;
        return parsed;
      }
      entry.fields[f] = *v;
      any = true;
    }
  }
  struct Coordinate {
    std::initializer_list<std::string_view> names;
    double limit;
    std::optional<std::string>* out;
  };
  const Coordinate coordinates[] = {
      {{"lat", "latitude"}, 90, &entry.latitude},
      {{"long", "longitude"}, 180, &entry.longitude},
      {{"elevation"}, HUGE_VAL, &entry.elevation},
  };
  for (const Coordinate& c : coordinates) {
    const std::string* v = Find(params, c.names);
    if (!v) continue;
    std::optional<double> number = ParseNumber(*v);
    if (!number || std::fabs(*number) > c.limit) {
      parsed.problem = UpdateProblem::kBadLocation;
      return parsed;
    }
    *c.out = *v;
    any = true;
  }
  if (const std::string* v = Find(params, {"status"})) {
    entry.status = *v;
    any = true;
  }
  if (const std::string* v = Find(params, {"created_at"})) {
    std::optional<TimeMs> t = ParseTimestamp(*v);
    if (!t) {
      parsed.problem = UpdateProblem::kBadTime;
      return parsed;
    }
    entry.created_at = *t;
    parsed.entry.time_given = true;
  }
  if (!any) parsed.problem = UpdateProblem::kNoData;
  return parsed;
}

BulkUpdate ParseBulkJson(std::string_view body, TimeMs now) {
  BulkUpdate bulk;
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    bulk.error_status = IsValidUtf8(body) ? 400 : 422;
    return bulk;
  }
  if (auto key = doc.find("write_api_key"); key != doc.end()) {
    if (!key->is_string()) return bulk.error_status = 400, bulk;
    bulk.write_key = key->get<std::string>();
  }
  auto updates = doc.find("updates");
  if (updates == doc.end() || !updates->is_array() || updates->empty()) {
    return bulk.error_status = 400, bulk;
  }
  if (updates->size() > kMaxBulkUpdates) return bulk.error_status = 413, bulk;

  std::vector<std::optional<double>> deltas;
  for (const nlohmann::json& update : *updates) {
    if (!update.is_object()) return bulk.error_status = 400, bulk;
    Params params;
    if (!JsonObjectParams(update, params)) return bulk.error_status = 400, bulk;
    std::optional<double> delta;
    if (auto node = params.extract("delta_t")) {
      delta = ParseNumber(node.mapped());
      if (!delta || *delta < 0) return bulk.error_status = 400, bulk;
    }
    ParsedUpdate parsed = ParseUpdate(params, now);
    if (parsed.problem != UpdateProblem::kNone) {
      return bulk.error_status = BulkStatusFor(parsed.problem), bulk;
    }
    bulk.entries.push_back(std::move(parsed.entry));
    deltas.push_back(delta);
  }
  if (!ResolveBulkTimes(bulk.entries, deltas, now)) return bulk.error_status = 400, bulk;
  return bulk;
}

BulkUpdate ParseBulkCsv(const Params& form, TimeMs now) {
  BulkUpdate bulk;
  if (const std::string* key = Find(form, {"write_api_key"})) bulk.write_key = *key;
  const std::string* format = Find(form, {"time_format"});
  const std::string* updates = Find(form, {"updates"});
  if (!format || (*format != "absolute" && *format != "relative") || !updates) {
    return bulk.error_status = 400, bulk;
  }
  bool relative = *format == "relative";
  static constexpr std::string_view kColumns[] = {"field1",   "field2",    "field3",   "field4",
                                                  "field5",   "field6",    "field7",   "field8",
                                                  "latitude", "longitude", "elevation"};

  std::vector<std::optional<double>> deltas;
  std::string_view rest = *updates;
  while (!rest.empty()) {
    size_t bar = rest.find('|');
    std::string_view line = rest.substr(0, bar);
    rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
    if (line.empty()) continue;
    if (deltas.size() == kMaxBulkUpdates) return bulk.error_status = 413, bulk;

    size_t comma = line.find(',');
    std::string_view stamp = line.substr(0, comma);
    line = comma == std::string_view::npos ? std::string_view{} : line.substr(comma + 1);
    Params params;
    for (std::string_view column : kColumns) {
      if (line.empty()) break;
      comma = line.find(',');
      if (!line.substr(0, comma).empty()) params.emplace(column, line.substr(0, comma));
      line = comma == std::string_view::npos ? std::string_view{} : line.substr(comma + 1);
    }
    if (!line.empty()) params.emplace("status", line);  // the status may hold commas
    std::optional<double> delta;
    if (relative) {
      delta = ParseNumber(stamp);
      if (!delta || *delta < 0) return bulk.error_status = 400, bulk;
    } else {
      params.emplace("created_at", stamp);
    }
    ParsedUpdate parsed = ParseUpdate(params, now);
    if (parsed.problem != UpdateProblem::kNone) {
      return bulk.error_status = BulkStatusFor(parsed.problem), bulk;
    }
    bulk.entries.push_back(std::move(parsed.entry));
    deltas.push_back(delta);
  }
  if (bulk.entries.empty() || !ResolveBulkTimes(bulk.entries, deltas, now)) {
    return bulk.error_status = 400, bulk;
  }
  return bulk;
}

std::optional<ReadOptions> ParseReadOptions(const Params& params, TimeMs now, int default_results) {
  ReadOptions options;
  FeedQuery& q = options.query;
  bool window = false;
  struct Span {
    std::string_view name;
    double unit_ms;
  };
  for (Span span : {Span{"days", 86400e3}, Span{"minutes", 60e3}}) {
    if (const std::string* v = Find(params, {span.name})) {
      std::optional<double> n = ParseNumber(*v);
      if (!n || *n < 0 || *n > 1e7) return std::nullopt;
      q.start = std::max(q.start, now - static_cast<TimeMs>(*n * span.unit_ms));
      window = true;
    }
  }
  if (const std::string* v = Find(params, {"start"})) {
    std::optional<TimeMs> t = ParseTimestamp(*v);
    if (!t) return std::nullopt;
    q.start = std::max(q.start, *t);
    window = true;
  }
  if (const std::string* v = Find(params, {"end"})) {
    std::optional<TimeMs> t = ParseTimestamp(*v);
    if (!t) return std::nullopt;
    q.end = *t;
    window = true;
  }
  q.results = window ? kMaxResults : default_results;
  if (const std::string* v = Find(params, {"results"})) {
    long long n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec == std::errc::result_out_of_range && end == v->data() + v->size() && v->front() != '-') {
      n = kMaxResults;
    } else if (ec != std::errc() || end != v->data() + v->size() || n < 0) {
      return std::nullopt;
    }
    q.results = static_cast<int>(std::min<long long>(n, kMaxResults));
  }
  options.status = IsTrue(params, "status");
  options.location = IsTrue(params, "location");
  return options;
}

std::string ChannelJson(const Channel& channel, bool with_public_flag) {
  std::string out = "{\"id\":" + std::to_string(channel.id) + ",";
  AppendKey(out, "name");
  AppendJsonString(out, channel.name);
  out.push_back(',');
  AppendKey(out, "description");
  AppendJsonString(out, channel.description);
  out += ",\"latitude\":\"0.0\",\"longitude\":\"0.0\"";
  for (int f = 0; f < kFieldCount; ++f) {
    if (!channel.field_names[f]) continue;
    out.push_back(',');
    AppendKey(out, kFieldKeys[f]);
    AppendJsonString(out, *channel.field_names[f]);
  }
  out += ",\"created_at\":\"" + FormatTimestamp(channel.created_at) + "\"";
  out += ",\"updated_at\":\"" + FormatTimestamp(channel.updated_at) + "\"";
  out += ",\"last_entry_id\":";
  out += channel.last_entry_id ? std::to_string(channel.last_entry_id) : "null";
  if (with_public_flag)
    out += channel.public_flag ? ",\"public_flag\":true" : ",\"public_flag\":false";
  out.push_back('}');
  return out;
}

namespace {

void AppendEntry(std::string& out, const FeedEntry& entry, const std::vector<int>& shown,
                 const FieldSelection& selection) {
  out += "{\"created_at\":\"";
  AppendTimestamp(out, entry.created_at);
  out += "\",\"entry_id\":";
  out += std::to_string(entry.entry_id);
  for (int f : shown) {
    out.push_back(',');
    AppendKey(out, kFieldKeys[f]);
    AppendOptional(out, entry.fields[f]);
  }
  if (selection.location) {
    out += ",\"latitude\":";
    AppendOptional(out, entry.latitude);
    out += ",\"longitude\":";
    AppendOptional(out, entry.longitude);
    out += ",\"elevation\":";
    AppendOptional(out, entry.elevation);
  }
  if (selection.status) {
    out += ",\"status\":";
    AppendOptional(out, entry.status);
  }
  out.push_back('}');
}

}  // namespace

unsigned ColumnsFor(const Channel& channel, const FieldSelection& selection) {
  unsigned columns = 0;
  for (int f : ShownFields(channel, selection)) columns |= FieldColumn(f + 1);
  if (selection.location) columns |= kLocationColumns;
  if (selection.status) columns |= kStatusColumn;
  return columns;
}

void AppendEntryJson(std::string& out, const Channel& channel, const FeedEntry& entry,
                     const FieldSelection& selection) {
  AppendEntry(out, entry, ShownFields(channel, selection), selection);
}

FeedWriter::FeedWriter(const Channel& channel, const FieldSelection& selection, bool csv,
                       size_t expected_entries)
    : shown_(ShownFields(channel, selection)),
      selection_(selection),
      csv_(csv),
      expected_entries_(expected_entries) {
  if (!csv_) {
    head_ = "{\"channel\":" + ChannelJson(channel) + ",\"feeds\":[";
    return;
  }
  head_ = "created_at,entry_id";
  for (int f : shown_) (head_ += ',') += kFieldKeys[f];
  if (selection_.location) head_ += ",latitude,longitude,elevation";
  if (selection_.status) head_ += ",status";
  head_.push_back('\n');
}

void FeedWriter::Add(const FeedEntry& entry) {
  starts_.push_back(entries_.size());
  if (csv_) {
    AppendCsvLine(entry);
  } else {
    AppendEntry(entries_, entry, shown_, selection_);
  }
  if (starts_.size() == 1) {
    // Room for the expected entries at the first one's size and a half, so the buffer is not
    // copied as it grows.
    entries_.reserve(entries_.size() * 3 / 2 * expected_entries_);
    starts_.reserve(expected_entries_);
  }
}

void FeedWriter::AppendCsvLine(const FeedEntry& entry) {
  auto append = [this](const std::optional<std::string>& v) {
    entries_.push_back(',');
    if (v) AppendCsvField(entries_, *v);
  };
  AppendTimestamp(entries_, entry.created_at);
  entries_.push_back(',');
  entries_ += std::to_string(entry.entry_id);
  for (int f : shown_) append(entry.fields[f]);
  if (selection_.location) {
    append(entry.latitude);
    append(entry.longitude);
    append(entry.elevation);
  }
  if (selection_.status) append(entry.status);
  entries_.push_back('\n');
}

std::string FeedWriter::Finish() {
  std::string out = std::move(head_);
  out.reserve(out.size() + entries_.size() + starts_.size() + 2);
  size_t end = entries_.size();
  for (size_t i = starts_.size(); i-- > 0;) {
    if (!csv_ && end != entries_.size()) out.push_back(',');
    out.append(entries_, starts_[i], end - starts_[i]);
    end = starts_[i];
  }
  if (!csv_) out += "]}";
  return out;
}

std::string FeedJson(const Channel& channel, const std::vector<FeedEntry>& entries,
                     const FieldSelection& selection) {
  FeedWriter writer(channel, selection, /*csv=*/false, entries.size());
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) writer.Add(*e);
  return writer.Finish();
}

std::string FeedCsv(const Channel& channel, const std::vector<FeedEntry>& entries,
                    const FieldSelection& selection) {
  FeedWriter writer(channel, selection, /*csv=*/true, entries.size());
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) writer.Add(*e);
  return writer.Finish();
}

std::string StatusJson(const Channel& channel, const std::vector<FeedEntry>& entries) {
  std::string out = "{\"channel\":{\"name\":";
  AppendJsonString(out, channel.name);
  out += ",\"latitude\":\"0.0\",\"longitude\":\"0.0\"},\"feeds\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i) out.push_back(',');
    out += "{\"created_at\":\"" + FormatTimestamp(entries[i].created_at) +
           "\",\"entry_id\":" + std::to_string(entries[i].entry_id) + ",\"status\":";
    AppendOptional(out, entries[i].status);
    out.push_back('}');
  }
  out += "]}";
  return out;
}

std::string FullEntryJson(std::int64_t channel_id, const FeedEntry& entry) {
  std::string out = "{\"channel_id\":" + std::to_string(channel_id) + ",\"created_at\":\"" +
                    FormatTimestamp(entry.created_at) +
                    "\",\"entry_id\":" + std::to_string(entry.entry_id);
  for (int f = 0; f < kFieldCount; ++f) {
    out.push_back(',');
    AppendKey(out, kFieldKeys[f]);
    AppendOptional(out, entry.fields[f]);
  }
  out += ",\"latitude\":";
  AppendOptional(out, entry.latitude);
  out += ",\"longitude\":";
  AppendOptional(out, entry.longitude);
  out += ",\"elevation\":";
  AppendOptional(out, entry.elevation);
  out += ",\"status\":";
  AppendOptional(out, entry.status);
  out.push_back('}');
  return out;
}

std::string ChannelListJson(const std::vector<Channel>& channels) {
  std::string out = "[";
  for (size_t i = 0; i < channels.size(); ++i) {
    if (i) out.push_back(',');
    out += ChannelJson(channels[i], /*with_public_flag=*/true);
  }
  out.push_back(']');
  return out;
}

}  // namespace airlab::server
