#pragma once
// ThingSpeak's API semantics, apart from HTTP: what an update may hold and how a bulk update's
// times are worked out, what a read's query parameters mean, and the exact shapes of the
// answers (compact JSON in the field order the real service uses, CSV, error objects).
// The HTTP server and the MQTT ingestion both use these, so both accept the same updates.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/channel_database.h"

namespace airlab::server {

inline constexpr size_t kMaxValueChars = 255;
inline constexpr int kMaxResults = 8000;
inline constexpr int kDefaultResults = 100;
inline constexpr size_t kMaxBulkUpdates = 960;

// Request parameters by name (query string, form body or a JSON object's scalars as text).
using Params = std::map<std::string, std::string, std::less<>>;

// The error objects of ThingSpeak's "Error Codes" page, by HTTP status. Unknown statuses map
// to 500's.
struct ApiError {
  int http_status;
  const char* code;     // "error_auth_required"
  const char* message;  // "Authorization Required"
  const char* details;
};
const ApiError& ErrorFor(int http_status);
// {"status":"401","error":{"error_code":...,"message":...,"details":...}}
std::string ErrorJson(int http_status);

// The members of a JSON object body ({"api_key": K, "field1": 73, ...}) as parameters:
// strings as they are, numbers and booleans as JSON writes them, nulls left out. nullopt
// when the body is not a JSON object of scalars.
std::optional<Params> ParseJsonParams(std::string_view body);

enum class UpdateProblem {
  kNone,
  kNoData,        // no field, status or location to store
  kTooLong,       // a field value over kMaxValueChars characters
  kBadTime,       // created_at (or delta_t) that is not a time
  kBadLocation,   // lat/long/elevation that is not a number in range
  kInvalidBytes,  // text that is not UTF-8
};

struct ParsedUpdate {
  UpdateProblem problem = UpdateProblem::kNone;
  NewEntry entry;  // created_at is now unless the update gave one
};

// Reads field1..field8, lat|latitude, long|longitude, elevation, status and created_at.
// Empty values count as absent. Values are kept as text, exactly as sent.
ParsedUpdate ParseUpdate(const Params& params, TimeMs now);

// A bulk update read from its body: the entries with their times worked out, or the HTTP
// status to refuse it with (400 malformed, 413 more than kMaxBulkUpdates, 422 bad bytes).
struct BulkUpdate {
  int error_status = 0;
  std::string write_key;
  std::vector<NewEntry> entries;
};
// {"write_api_key": K, "updates": [{"created_at"|"delta_t": .., "field1": .., ...}, ...]}
BulkUpdate ParseBulkJson(std::string_view body, TimeMs now);
// write_api_key=K&time_format=absolute|relative&updates=T,f1,..,f8,lat,long,elev,status|...
BulkUpdate ParseBulkCsv(const Params& form, TimeMs now);

// A read's query parameters: results (capped at kMaxResults), days, minutes, start, end,
// status=true, location=true. Without results, a time window answers up to kMaxResults
// entries in it and no window answers the newest default_results. nullopt: a parameter is
// malformed (answer 400).
struct ReadOptions {
  FeedQuery query;
  bool status = false;
  bool location = false;
};
std::optional<ReadOptions> ParseReadOptions(const Params& params, TimeMs now,
                                            int default_results = kDefaultResults);

// Which fields an answer shows: the channel's named fields, or only one of them.
struct FieldSelection {
  std::optional<int> only_field;  // 1..8
  bool status = false;
  bool location = false;
};

// The FeedQuery columns an answer with this selection shows.
unsigned ColumnsFor(const Channel& channel, const FieldSelection& selection);

// The "channel" object of feeds.json: id, name, description, latitude, longitude, the named
// fields, created_at, updated_at, last_entry_id (and public_flag for channel lists).
std::string ChannelJson(const Channel& channel, bool with_public_flag = false);
// One feed entry: created_at, entry_id, the selected fields, then location and status if asked.
void AppendEntryJson(std::string& out, const Channel& channel, const FeedEntry& entry,
                     const FieldSelection& selection);
// A feed answer built one entry at a time, newest first as ChannelDatabase::FeedNewestFirst reads them,
// and answered oldest first: JSON {"channel": {...}, "feeds": [...]}, or CSV (a header line,
// then one line per entry). Entries are written into one buffer and put in order once.
class FeedWriter {
 public:
  // expected_entries: about how many Add will get (it sizes the buffers).
  FeedWriter(const Channel& channel, const FieldSelection& selection, bool csv,
             size_t expected_entries);
  void Add(const FeedEntry& entry);  // each one older than the one before
  std::string Finish();              // the answer; the writer is spent

 private:
  void AppendCsvLine(const FeedEntry& entry);

  std::vector<int> shown_;  // fields, 0-based
  FieldSelection selection_;
  bool csv_;
  size_t expected_entries_;
  std::string head_;            // everything before the first entry
  std::string entries_;         // the entries as added, newest first
  std::vector<size_t> starts_;  // where each entry begins in entries_
};
std::string FeedJson(const Channel& channel, const std::vector<FeedEntry>& entries,
                     const FieldSelection& selection);
std::string FeedCsv(const Channel& channel, const std::vector<FeedEntry>& entries,
                    const FieldSelection& selection);
// {"channel": {"name", "latitude", "longitude"}, "feeds": [{created_at, entry_id, status}]}
std::string StatusJson(const Channel& channel, const std::vector<FeedEntry>& entries);
// Every column of an entry with its channel_id: the answer of update.json and the payload
// published on channels/<id>/subscribe.
std::string FullEntryJson(std::int64_t channel_id, const FeedEntry& entry);
// [channel, ...] with public_flag; no keys.
std::string ChannelListJson(const std::vector<Channel>& channels);

}  // namespace airlab::server
