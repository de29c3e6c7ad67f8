#include "core/cloud/answers.h"

#include "core/cloud/text.h"

namespace airlab::cloud {
namespace {

// ThingSpeak's "no access" and "nothing there" answer.
constexpr std::string_view kMinusOne = "-1";

}  // namespace

ErrorCode AnswerCode(int http_status, std::string_view body) {
  ErrorCode code = FromHttpStatus(http_status);
  if (code == ErrorCode::kOk) return code;
  // Text answers (.txt, .csv) carry the error's name alone.
  if (ErrorCode named = FromErrorName(TrimSpace(body)); named != ErrorCode::kOk) return named;
  Result<JsonValue> doc = JsonValue::Parse(body);
  if (doc.ok()) {
    JsonString name = doc->Find("error").Find("error_code").AsString();
    if (name.present() && !name.has_escapes()) {
      ErrorCode named = FromErrorName(name.escaped());
      if (named != ErrorCode::kOk) return named;
    }
  }
  return code;
}

Result<int64_t> ParseUpdateAnswer(std::string_view body) {
  std::string_view text = TrimSpace(body);
  int64_t id = 0;
  if (Result<int64_t> number = ParseDecimal(text); number.ok()) {
    id = *number;
  } else {
    Result<JsonValue> doc = JsonValue::Parse(text);
    if (!doc.ok()) return Status::DataLoss();
    Result<int64_t> entry_id = doc->Find("entry_id").AsInt();
    if (!entry_id.ok()) return Status::DataLoss();
    id = *entry_id;
  }
  if (id == 0) return Status::ResourceExhausted();
  if (id < 0) return Status::DataLoss();
  return id;
}

Status ParseBulkAnswer(std::string_view body) {
  Result<JsonValue> doc = JsonValue::Parse(body);
  if (!doc.ok()) return Status::DataLoss();
  Result<bool> success = doc->Find("success").AsBool();
  return success.ok() && *success ? Status::Ok() : Status::DataLoss();
}

namespace internal {

Status ObjectView::Check(JsonValue object, std::initializer_list<std::string_view> int_keys) {
  if (!object.is_object()) return Status::DataLoss();
  for (std::string_view key : int_keys) {
    JsonValue value = object.Find(key);
    // ThingSpeak answers null for a channel without entries ("last_entry_id": null): absent.
    if (value.present() && !value.is_null() && !value.AsInt().ok()) return Status::DataLoss();
  }
  return Status::Ok();
}

int64_t ObjectView::Int(std::string_view key) const {
  return object_.Find(key).AsInt().value_or(0);
}

JsonString ObjectView::String(std::string_view key) const {
  return key.empty() ? JsonString() : object_.Find(key).AsString();
}

}  // namespace internal

Result<EntryView> EntryView::FromJson(JsonValue object) {
  AIRLAB_TRY(Check(object, {"entry_id", "channel_id"}));
  return EntryView(object);
}

Result<ChannelView> ChannelView::FromJson(JsonValue object) {
  AIRLAB_TRY(Check(object, {"id", "last_entry_id"}));
  return ChannelView(object);
}

Result<FeedView> ParseFeed(std::string_view body) {
  if (TrimSpace(body) == kMinusOne) return Status::PermissionDenied();
  AIRLAB_TRY_ASSIGN(JsonValue doc, JsonValue::Parse(body));
  if (!doc.is_object()) return Status::DataLoss();
  FeedView feed;
  if (JsonValue channel = doc.Find("channel"); channel.present()) {
    AIRLAB_TRY_ASSIGN(feed.channel_, ChannelView::FromJson(channel));
  }
  feed.feeds_ = doc.Find("feeds");
  if (!feed.feeds_.is_array()) return Status::DataLoss();
  for (JsonValue element : feed.feeds_.elements()) {
    AIRLAB_TRY(EntryView::FromJson(element));
    ++feed.size_;
  }
  return feed;
}

Result<EntryView> ParseEntry(std::string_view body) {
  if (TrimSpace(body) == kMinusOne) return EntryView();
  AIRLAB_TRY_ASSIGN(JsonValue doc, JsonValue::Parse(body));
  return EntryView::FromJson(doc);
}

}  // namespace airlab::cloud
