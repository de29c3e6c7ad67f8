#pragma once
// ThingSpeak's requests, built into the caller's buffer as port::HttpRequest parts (method,
// target, content type, body) and MQTT topics and payloads. Each builder lays the target
// and then the body out in `storage`; the request's views point into it (and to static
// text), so `storage` must outlive the exchange. The caller fills in answer, listener and
// tag. Endpoints and parameters: MathWorks' ThingSpeak REST API reference (Write Data,
// Bulk-Write JSON/CSV Data, Read Data, Read Field, Read Last Field Entry, Read Last Entry,
// Read Status) and MQTT API (Publish to a Channel Feed / Field Feed, Subscribe to ...).
//
// Errors common to the builders: kInvalidArgument for a channel id of 0 or a field number
// outside 1..8 [-201]; kResourceExhausted when `storage` is too small.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/cloud/bulk.h"
#include "core/cloud/entry.h"
#include "core/port/uplink.h"

namespace airlab::cloud {

// The header that may carry the API key instead of the query or form (Write Data: "You can
// also send the Write API Key by using a THINGSPEAKAPIKEY HTTP header"; thingspeak-arduino
// sends X-THINGSPEAKAPIKEY). It keeps keys out of URLs and server logs.
inline constexpr std::string_view kApiKeyHeader = "X-THINGSPEAKAPIKEY";

inline constexpr uint16_t kMaxResults = 8000;

struct WriteOptions {
  // POST sends the form as the body, GET in the query string.
  port::HttpMethod method = port::HttpMethod::kPost;
  bool key_in_header = false;  // leave api_key out: the caller sends kApiKeyHeader
};

// GET|POST /update with api_key and the entry's values; the answer is the new entry's id,
// or 0. kInvalidArgument: an empty write key. kFailedPrecondition: no data [-210].
Result<port::HttpRequest> BuildUpdate(MutableByteSpan storage, std::string_view write_key,
                                      const Entry& entry, const WriteOptions& options = {});

// POST /channels/<id>/bulk_update.json|.csv with updates from `source` until it ends or the
// budget or cap is reached (see bulk.h and AddFrom); `updates` says how many went in.
// The write key always travels in the body, where ThingSpeak requires it.
// kFailedPrecondition: the source had no update.
struct BulkRequest {
  port::HttpRequest request;
  size_t updates = 0;
};
Result<BulkRequest> BuildBulkUpdate(MutableByteSpan storage, uint32_t channel_id,
                                    std::string_view write_key, BulkSource& source,
                                    const BulkOptions& options = {});

enum class ReadKind : uint8_t {
  kFeed,           // /channels/<id>/feeds.json: entries with every field
  kField,          // /channels/<id>/fields/<n>.json: entries with one field
  kLastField,      // /channels/<id>/fields/<n>/last.json
  kLastFieldText,  // /channels/<id>/fields/<n>/last.txt: the bare value
  kLastEntry,      // /channels/<id>/feeds/last.json
  kStatus,         // /channels/<id>/status.json: status messages
};

// The query parameters of a read; zero and empty ones are left out. ThingSpeak ignores the
// ones an endpoint does not take (results on last.json, say).
struct ReadOptions {
  uint16_t results = 0;        // the newest N, up to kMaxResults; 0: the server's default (100)
  uint16_t days = 0;           // 24-hour periods back from now
  uint32_t minutes = 0;        // 60-second periods back from now
  std::string_view start;      // "YYYY-MM-DD HH:NN:SS"
  std::string_view end;        // "YYYY-MM-DD HH:NN:SS"
  std::string_view timezone;   // "Europe/Berlin": start, end and answers in that zone
  bool status = false;         // status=true: entries carry their status message
  bool location = false;       // location=true: latitude, longitude, elevation
  bool key_in_header = false;  // leave api_key out: the caller sends kApiKeyHeader
};

struct ReadRequest {
  ReadKind kind = ReadKind::kFeed;
  uint32_t channel_id = 0;
  int field = 0;              // 1..8 for kField, kLastField, kLastFieldText
  std::string_view read_key;  // empty for public channels
  ReadOptions options;
};

// GET for one of the reads. kOutOfRange: results over kMaxResults [-101].
Result<port::HttpRequest> BuildRead(MutableByteSpan storage, const ReadRequest& read);

// MQTT. ThingSpeak's broker (mqtt3.thingspeak.com) authenticates the device and takes QoS 0;
// airlab's server, behind a broker of its own, needs the channel's write key in the
// message: in the payload's api_key, or as the topic's last level (the form of ThingSpeak's
// first MQTT API). Leave `write_key` empty for ThingSpeak.

// Subscribing to every field of a channel: channels/<id>/subscribe/fields/+.
inline constexpr int kAnyField = -1;

// channels/<id>/publish (field 0, payload from BuildPublishPayload) or
// channels/<id>/publish/fields/field<n> (payload: the value), then /<write_key> if given.
Result<std::string_view> BuildPublishTopic(MutableByteSpan storage, uint32_t channel_id,
                                           int field = 0, std::string_view write_key = {});
// "field1=..&status=..", preceded by "api_key=K&" when a key is given. kFailedPrecondition
// when the entry has no data.
Result<ByteSpan> BuildPublishPayload(MutableByteSpan storage, const Entry& entry,
                                     std::string_view write_key = {});
// channels/<id>/subscribe (field 0: each new entry as JSON, see ParseEntry),
// channels/<id>/subscribe/fields/field<n> (the value) or .../fields/+ (kAnyField).
Result<std::string_view> BuildSubscribeTopic(MutableByteSpan storage, uint32_t channel_id,
                                             int field = 0);

// Which channel and field a message from a subscription is about: field 0 for
// channels/<id>/subscribe, 1..8 for .../subscribe/fields/field<n>. kInvalidArgument for
// other topics.
struct SubscribeTopic {
  uint32_t channel_id = 0;
  int field = 0;
};
Result<SubscribeTopic> ParseSubscribeTopic(std::string_view topic);

}  // namespace airlab::cloud
