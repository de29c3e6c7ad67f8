#pragma once
// What one write to a ThingSpeak channel carries: field1..field8, the location, a status
// message and optionally its time. The same Entry feeds /update, a bulk update's items and
// an MQTT publish.

#include <array>
#include <cstddef>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::cloud {

inline constexpr int kFieldCount = 8;
// ThingSpeak keeps at most 255 characters per value (thingspeak-arduino's FIELDLENGTH_MAX).
inline constexpr size_t kMaxValueChars = 255;

// "field1" .. "field8", the parameter and member names; "" outside 1..kFieldCount.
constexpr std::string_view FieldName(int field) {
  constexpr std::string_view kNames[kFieldCount] = {"field1", "field2", "field3", "field4",
                                                    "field5", "field6", "field7", "field8"};
  return field >= 1 && field <= kFieldCount ? kNames[field - 1] : std::string_view();
}

// Holds views of the caller's strings: they must outlive every request built from it (the
// builders copy them into the request). Values are kept as text, exactly as given; an
// empty value means "not set", as ThingSpeak reads it.
class Entry {
 public:
  // Each setter: kInvalidArgument for a field number outside 1..kFieldCount or text that is
  // not UTF-8 [thingspeak-arduino -201]; kOutOfRange for more than kMaxValueChars characters
  // [-101]. The entry is unchanged then.
  Status SetField(int field, std::string_view value);
  Status SetLatitude(std::string_view degrees) { return Set(latitude_, degrees); }
  Status SetLongitude(std::string_view degrees) { return Set(longitude_, degrees); }
  Status SetElevation(std::string_view meters) { return Set(elevation_, meters); }
  Status SetStatus(std::string_view message) { return Set(status_, message); }
  // ISO 8601 ("2014-12-31 23:59:59", "2018-06-14T12:12:22-0500") or epoch seconds; the
  // server checks it. Unset, the entry gets the server's time of arrival.
  Status SetCreatedAt(std::string_view time) { return Set(created_at_, time); }

  // "" when unset or when `field` is outside 1..kFieldCount.
  std::string_view field(int field) const {
    return field >= 1 && field <= kFieldCount ? fields_[static_cast<size_t>(field - 1)]
                                              : std::string_view();
  }
  std::string_view latitude() const { return latitude_; }
  std::string_view longitude() const { return longitude_; }
  std::string_view elevation() const { return elevation_; }
  std::string_view status() const { return status_; }
  std::string_view created_at() const { return created_at_; }

  // A field, a location value or a status: something ThingSpeak stores. An entry without
  // is refused by the server (and by the builders, with kFailedPrecondition [-210]).
  bool has_data() const;
  void Clear() { *this = Entry(); }

 private:
  static Status Set(std::string_view& slot, std::string_view value);

  std::array<std::string_view, kFieldCount> fields_{};
  std::string_view latitude_;
  std::string_view longitude_;
  std::string_view elevation_;
  std::string_view status_;
  std::string_view created_at_;
};

// Appends the entry as form parameters, "field1=73&field3=on&lat=..&long=..&elevation=..
// &status=..&created_at=..", percent-encoded, in thingspeak-arduino's order: the body of
// /update after its api_key, and the payload of an MQTT publish to channels/<id>/publish.
// kFailedPrecondition when the entry has no data; kResourceExhausted when `out` is full.
Status AppendEntryForm(ByteBuilder& out, const Entry& entry);

}  // namespace airlab::cloud
