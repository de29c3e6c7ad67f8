#include "core/cloud/entry.h"

#include "core/cloud/text.h"

namespace airlab::cloud {

Status Entry::Set(std::string_view& slot, std::string_view value) {
  Result<size_t> chars = Utf8Length(value);
  if (!chars.ok()) return chars.status();
  if (*chars > kMaxValueChars) return Status::OutOfRange();
  slot = value;
  return Status::Ok();
}

Status Entry::SetField(int field, std::string_view value) {
  if (field < 1 || field > kFieldCount) return Status::InvalidArgument();
  return Set(fields_[static_cast<size_t>(field - 1)], value);
}

bool Entry::has_data() const {
  for (std::string_view f : fields_) {
    if (!f.empty()) return true;
  }
  return !latitude_.empty() || !longitude_.empty() || !elevation_.empty() || !status_.empty();
}

Status AppendEntryForm(ByteBuilder& out, const Entry& entry) {
  if (!entry.has_data()) return Status::FailedPrecondition();
  bool first = true;
  auto param = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (!first) AppendText(out, "&");
    first = false;
    AppendText(out, name);
    AppendText(out, "=");
    AppendPercentEncoded(out, value);
  };
  for (int f = 1; f <= kFieldCount; ++f) param(FieldName(f), entry.field(f));
  param("lat", entry.latitude());
  param("long", entry.longitude());
  param("elevation", entry.elevation());
  param("status", entry.status());
  param("created_at", entry.created_at());
  return out.status();
}

}  // namespace airlab::cloud
