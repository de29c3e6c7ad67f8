#pragma once
// ThingSpeak's answers, read in place. Views live as long as the answer's bytes. Shapes
// (iobridge/thingspeak's API docs, app/views/docs/channels/, which MathWorks' pages keep):
//
//   /update                  "18" - the new entry's id; "0" when refused
//   /update.json             {"channel_id":3,"field1":"73",...,"entry_id":320,...}
//   bulk_update.json|.csv    202 {"success":true}
//   feeds.json, fields/<n>.json, status.json
//                            {"channel":{"id":9,"name":"my_house",...,"last_entry_id":6060625},
//                             "feeds":[{"created_at":"...","entry_id":6060624,"field1":"188"},..]}
//   feeds/last.json, fields/<n>/last.json, MQTT channels/<id>/subscribe
//                            {"created_at":"2014-02-26T21:27:21Z","entry_id":6061519,...}
//   fields/<n>/last.txt      176
//   a read without access    -1 (text), or 401 and the error object
//   errors                   {"status":"401","error":{"error_code":"error_auth_required",
//                             "message":"Authorization Required","details":"..."}}

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "core/base/result.h"
#include "core/cloud/entry.h"
#include "core/cloud/errors.h"
#include "core/cloud/json.h"

namespace airlab::cloud {

// What an answer says about the outcome, before its body is read: kOk for 2xx; otherwise
// the error ThingSpeak names in the body - the error object's error_code, or the name alone
// in text answers - which holds even when a proxy changed the status line; else the HTTP
// status.
ErrorCode AnswerCode(int http_status, std::string_view body);

// /update's answer: the new entry's id. Also takes update.json's object (its entry_id).
// kResourceExhausted for "0", the update refused - mostly the rate limit [-401].
// kDataLoss for anything else [-303].
Result<int64_t> ParseUpdateAnswer(std::string_view body);

// A bulk update's answer. kDataLoss unless it is {"success":true}.
Status ParseBulkAnswer(std::string_view body);

namespace internal {

// What EntryView and ChannelView share: a JSON object and typed member lookups.
class ObjectView {
 public:
  bool empty() const { return !object_.present(); }
  JsonValue json() const { return object_; }

 protected:
  ObjectView() = default;
  explicit ObjectView(JsonValue object) : object_(object) {}
  // kDataLoss unless `object` is an object whose `int_keys` members, where present, are
  // integers - so Int() cannot fail later.
  static Status Check(JsonValue object, std::initializer_list<std::string_view> int_keys);
  int64_t Int(std::string_view key) const;        // 0 when absent
  JsonString String(std::string_view key) const;  // absent unless a string

  JsonValue object_;
};

}  // namespace internal

// One feed entry. Default-constructed it is empty: no entry (a channel's last entry before
// the first write).
class EntryView : public internal::ObjectView {
 public:
  EntryView() = default;
  // `object` must be an object; its entry_id and channel_id, where present, integers.
  // kDataLoss otherwise.
  static Result<EntryView> FromJson(JsonValue object);

  int64_t entry_id() const { return Int("entry_id"); }      // 0 when absent
  int64_t channel_id() const { return Int("channel_id"); }  // update.json and MQTT only
  JsonString created_at() const { return String("created_at"); }
  // Absent when the field is null, missing, or `field` is outside 1..8.
  JsonString field(int field) const { return String(FieldName(field)); }
  JsonString latitude() const { return String("latitude"); }
  JsonString longitude() const { return String("longitude"); }
  JsonString elevation() const { return String("elevation"); }
  JsonString status() const { return String("status"); }

 private:
  explicit EntryView(JsonValue object) : ObjectView(object) {}
};

// The "channel" object of a feed: the channel's settings.
class ChannelView : public internal::ObjectView {
 public:
  ChannelView() = default;
  // `object` must be an object; its id and last_entry_id, where present, integers.
  static Result<ChannelView> FromJson(JsonValue object);

  int64_t id() const { return Int("id"); }
  int64_t last_entry_id() const { return Int("last_entry_id"); }
  JsonString name() const { return String("name"); }
  JsonString description() const { return String("description"); }
  JsonString latitude() const { return String("latitude"); }
  JsonString longitude() const { return String("longitude"); }
  JsonString elevation() const { return String("elevation"); }
  // The field's name ("Light"); absent for fields the channel does not use.
  JsonString field_name(int field) const { return String(FieldName(field)); }
  JsonString created_at() const { return String("created_at"); }
  JsonString updated_at() const { return String("updated_at"); }

 private:
  explicit ChannelView(JsonValue object) : ObjectView(object) {}
};

// feeds.json, fields/<n>.json and status.json: the channel and its entries, oldest first.
class FeedView {
 public:
  class Entries;
  FeedView() = default;
  ChannelView channel() const { return channel_; }
  Entries entries() const;
  size_t size() const { return size_; }

 private:
  friend Result<FeedView> ParseFeed(std::string_view body);
  ChannelView channel_;
  JsonValue feeds_;
  size_t size_ = 0;
};

class FeedView::Entries {
 public:
  class iterator {
   public:
    explicit iterator(JsonValue::Elements::iterator at) : at_(at) {}
    // Every element was checked by ParseFeed, so this cannot fail.
    EntryView operator*() const { return EntryView::FromJson(*at_).value(); }
    iterator& operator++() {
      ++at_;
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.at_ == b.at_; }

   private:
    JsonValue::Elements::iterator at_;
  };
  explicit Entries(JsonValue feeds) : elements_(feeds.elements()) {}
  iterator begin() const { return iterator(elements_.begin()); }
  iterator end() const { return iterator(elements_.end()); }

 private:
  JsonValue::Elements elements_;
};

inline FeedView::Entries FeedView::entries() const { return Entries(feeds_); }

// A feed answer. Checks the document once: an object whose "feeds" is an array of entry
// objects (EntryView::FromJson) and whose "channel", if present, is an object.
// kPermissionDenied for "-1", the answer to a read without access [401].
// kDataLoss for anything else [-303].
Result<FeedView> ParseFeed(std::string_view body);

// A last-entry answer, update.json's answer or an MQTT subscription's message.
// "-1" (ThingSpeak's answer when there is no entry yet) gives an empty view.
// kDataLoss for anything but an entry object [-303].
Result<EntryView> ParseEntry(std::string_view body);

}  // namespace airlab::cloud
