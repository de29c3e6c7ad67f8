// libFuzzer harness for everything that reads what a server sends: the JSON reader and the
// answer parsers, walking whatever they accept.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/cloud/answers.h"
#include "core/cloud/requests.h"

namespace {

using namespace airlab;
using namespace airlab::cloud;

void Touch(JsonString s) {
  std::byte out[64];
  s.CopyTo(out).IgnoreError();
  (void)s.Equals("field1");
  (void)s.size();
}

void TouchEntry(const EntryView& e) {
  (void)e.entry_id();
  (void)e.channel_id();
  Touch(e.created_at());
  for (int f = 0; f <= kFieldCount + 1; ++f) Touch(e.field(f));
  Touch(e.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (Result<FeedView> feed = ParseFeed(text); feed.ok()) {
    (void)feed->channel().id();
    Touch(feed->channel().name());
    for (EntryView e : feed->entries()) TouchEntry(e);
  }
  if (Result<EntryView> entry = ParseEntry(text); entry.ok()) TouchEntry(*entry);
  ParseUpdateAnswer(text).IgnoreError();
  ParseBulkAnswer(text).IgnoreError();
  (void)AnswerCode(400, text);
  ParseSubscribeTopic(text).IgnoreError();
  if (Result<JsonValue> doc = JsonValue::Parse(text); doc.ok()) {
    for (JsonMember m : doc->members()) Touch(m.key);
    for (JsonValue v : doc->elements()) Touch(v.AsString());
  }
  return 0;
}
