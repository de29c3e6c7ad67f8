#include "core/cloud/requests.h"

#include <cstdint>

#include "core/cloud/text.h"

namespace airlab::cloud {
namespace {

constexpr std::string_view kFormType = "application/x-www-form-urlencoded";
constexpr std::string_view kJsonType = "application/json";

bool ValidField(int field) { return field >= 1 && field <= kFieldCount; }

std::string_view Text(const ByteBuilder& b) { return ToText(b.bytes()); }

ByteBuilder& AppendChannel(ByteBuilder& out, uint32_t channel_id) {
  AppendText(out, "channels/");
  return AppendDecimal(out, channel_id);
}

// Appends "name=value" to a query, with '?' before the first parameter and '&' after.
class Query {
 public:
  explicit Query(ByteBuilder& out) : out_(out) {}
  void Add(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    AppendText(out_, first_ ? "?" : "&");
    first_ = false;
    AppendText(out_, name);
    AppendText(out_, "=");
    AppendPercentEncoded(out_, value);
  }
  void Add(std::string_view name, uint64_t value) {
    if (value == 0) return;
    AppendText(out_, first_ ? "?" : "&");
    first_ = false;
    AppendText(out_, name);
    AppendText(out_, "=");
    AppendDecimal(out_, value);
  }

 private:
  ByteBuilder& out_;
  bool first_ = true;
};

}  // namespace

Result<port::HttpRequest> BuildUpdate(MutableByteSpan storage, std::string_view write_key,
                                      const Entry& entry, const WriteOptions& options) {
  if (write_key.empty()) return Status::InvalidArgument();
  if (!entry.has_data()) return Status::FailedPrecondition();
  bool get = options.method == port::HttpMethod::kGet;
  ByteBuilder target(storage);
  AppendText(target, get ? "/update?" : "/update");
  // GET carries the form in the query, so it is written on after the path.
  ByteBuilder body(storage.subspan(target.size()));
  ByteBuilder& form = get ? target : body;
  if (!options.key_in_header) {
    AppendText(form, "api_key=");
    AppendPercentEncoded(form, write_key);
    AppendText(form, "&");
  }
  AIRLAB_TRY(AppendEntryForm(form, entry));
  AIRLAB_TRY(target.status());

  port::HttpRequest request;
  request.method = options.method;
  request.target = Text(target);
  if (!get) {
    // The body was laid out after the target's final size, since the target was complete.
    request.body = body.bytes();
    request.content_type = kFormType;
  }
  return request;
}

Result<BulkRequest> BuildBulkUpdate(MutableByteSpan storage, uint32_t channel_id,
                                    std::string_view write_key, BulkSource& source,
                                    const BulkOptions& options) {
  if (channel_id == 0) return Status::InvalidArgument();
  ByteBuilder target(storage);
  AppendText(target, "/");
  AppendChannel(target, channel_id);
  AppendText(target,
             options.format == BulkFormat::kJson ? "/bulk_update.json" : "/bulk_update.csv");
  AIRLAB_TRY(target.status());
  AIRLAB_TRY_ASSIGN(BulkWriter writer,
                    BulkWriter::Start(storage.subspan(target.size()), write_key, options));
  AIRLAB_TRY_ASSIGN(size_t updates, AddFrom(writer, source));
  if (updates == 0) return Status::FailedPrecondition();
  AIRLAB_TRY_ASSIGN(ByteSpan body, writer.Finish());

  BulkRequest bulk;
  bulk.request.method = port::HttpMethod::kPost;
  bulk.request.target = Text(target);
  bulk.request.body = body;
  bulk.request.content_type = options.format == BulkFormat::kJson ? kJsonType : kFormType;
  bulk.updates = updates;
  return bulk;
}

Result<port::HttpRequest> BuildRead(MutableByteSpan storage, const ReadRequest& read) {
  bool field_read = read.kind == ReadKind::kField || read.kind == ReadKind::kLastField ||
                    read.kind == ReadKind::kLastFieldText;
  if (read.channel_id == 0 || (field_read && !ValidField(read.field))) {
    return Status::InvalidArgument();
  }
  const ReadOptions& o = read.options;
  if (o.results > kMaxResults) return Status::OutOfRange();

  ByteBuilder target(storage);
  AppendText(target, "/");
  AppendChannel(target, read.channel_id);
  if (field_read) {
    AppendText(target, "/fields/");
    AppendDecimal(target, static_cast<uint64_t>(read.field));
  }
  switch (read.kind) {
    case ReadKind::kFeed: AppendText(target, "/feeds.json"); break;
    case ReadKind::kField: AppendText(target, ".json"); break;
    case ReadKind::kLastField: AppendText(target, "/last.json"); break;
    case ReadKind::kLastFieldText: AppendText(target, "/last.txt"); break;
    case ReadKind::kLastEntry: AppendText(target, "/feeds/last.json"); break;
    case ReadKind::kStatus: AppendText(target, "/status.json"); break;
  }
  Query query(target);
  if (!o.key_in_header) query.Add("api_key", read.read_key);
  query.Add("results", o.results);
  query.Add("days", o.days);
  query.Add("minutes", o.minutes);
  query.Add("start", o.start);
  query.Add("end", o.end);
  query.Add("timezone", o.timezone);
  if (o.status) query.Add("status", "true");
  if (o.location) query.Add("location", "true");
  AIRLAB_TRY(target.status());

  port::HttpRequest request;
  request.method = port::HttpMethod::kGet;
  request.target = Text(target);
  return request;
}

Result<std::string_view> BuildPublishTopic(MutableByteSpan storage, uint32_t channel_id, int field,
                                           std::string_view write_key) {
  if (channel_id == 0 || (field != 0 && !ValidField(field))) return Status::InvalidArgument();
  ByteBuilder topic(storage);
  AppendChannel(topic, channel_id);
  AppendText(topic, "/publish");
  if (field != 0) {
    AppendText(topic, "/fields/");
    AppendText(topic, FieldName(field));
  }
  if (!write_key.empty()) {
    AppendText(topic, "/");
    AppendText(topic, write_key);
  }
  AIRLAB_TRY(topic.status());
  return Text(topic);
}

Result<ByteSpan> BuildPublishPayload(MutableByteSpan storage, const Entry& entry,
                                     std::string_view write_key) {
  ByteBuilder payload(storage);
  if (!write_key.empty()) {
    AppendText(payload, "api_key=");
    AppendPercentEncoded(payload, write_key);
    AppendText(payload, "&");
  }
  AIRLAB_TRY(AppendEntryForm(payload, entry));
  return payload.bytes();
}

Result<std::string_view> BuildSubscribeTopic(MutableByteSpan storage, uint32_t channel_id,
                                             int field) {
  if (channel_id == 0 || (field != 0 && field != kAnyField && !ValidField(field))) {
    return Status::InvalidArgument();
  }
  ByteBuilder topic(storage);
  AppendChannel(topic, channel_id);
  AppendText(topic, "/subscribe");
  if (field == kAnyField) {
    AppendText(topic, "/fields/+");
  } else if (field != 0) {
    AppendText(topic, "/fields/");
    AppendText(topic, FieldName(field));
  }
  AIRLAB_TRY(topic.status());
  return Text(topic);
}

Result<SubscribeTopic> ParseSubscribeTopic(std::string_view topic) {
  constexpr std::string_view kChannels = "channels/";
  constexpr std::string_view kSubscribe = "/subscribe";
  constexpr std::string_view kFields = "/fields/field";
  if (!topic.starts_with(kChannels)) return Status::InvalidArgument();
  topic.remove_prefix(kChannels.size());
  size_t slash = topic.find('/');
  std::string_view id_text = Slice(topic, 0, slash);
  Result<int64_t> id = ParseDecimal(id_text);
  if (!id.ok() || *id <= 0 || *id > UINT32_MAX) {
    return Status::InvalidArgument();
  }
  topic.remove_prefix(id_text.size());
  if (!topic.starts_with(kSubscribe)) return Status::InvalidArgument();
  topic.remove_prefix(kSubscribe.size());
  SubscribeTopic parsed{static_cast<uint32_t>(*id), 0};
  if (topic.empty()) return parsed;
  if (topic.size() != kFields.size() + 1 || !topic.starts_with(kFields)) {
    return Status::InvalidArgument();
  }
  int field = topic.back() - '0';
  if (!ValidField(field)) return Status::InvalidArgument();
  parsed.field = field;
  return parsed;
}

}  // namespace airlab::cloud
