#include "core/cloud/bulk.h"

#include "core/cloud/text.h"

namespace airlab::cloud {
namespace {

bool CsvSafe(std::string_view value) { return value.find_first_of(",|") == std::string_view::npos; }

}  // namespace

Result<BulkWriter> BulkWriter::Start(MutableByteSpan storage, std::string_view write_key,
                                     const BulkOptions& options) {
  if (write_key.empty() || options.max_updates == 0 || options.max_updates > kMaxBulkUpdates) {
    return Status::InvalidArgument();
  }
  size_t limit = storage.size();
  if (options.max_bytes != 0 && options.max_bytes < limit) limit = options.max_bytes;
  BulkWriter writer(storage, limit, options);
  ByteBuilder head(storage.first(limit));
  if (options.format == BulkFormat::kJson) {
    AppendText(head, "{\"write_api_key\":");
    AppendJsonString(head, write_key);
    AppendText(head, ",\"updates\":[");
  } else {
    AppendText(head, "write_api_key=");
    AppendPercentEncoded(head, write_key);
    AppendText(head, options.time == BulkTime::kDeltaT ? "&time_format=relative"
                                                       : "&time_format=absolute");
    AppendText(head, "&updates=");
  }
  if (!head.ok() || limit - head.size() < writer.tail_size()) return Status::ResourceExhausted();
  writer.size_ = head.size();
  return writer;
}

Status BulkWriter::Add(const BulkEntry& update) {
  if (finished_) return Status::FailedPrecondition();
  if (count_ == options_.max_updates) return Status::ResourceExhausted();
  if (!update.entry.has_data()) return Status::FailedPrecondition();
  if (options_.time == BulkTime::kCreatedAt ? update.entry.created_at().empty()
                                            : count_ > 0 && update.delta_t_s == 0) {
    return Status::InvalidArgument();
  }
  // Each update goes after what is committed, in the room the tail leaves; it is
  // committed only when it fits whole.
  ByteBuilder out(storage_.subspan(size_, limit_ - tail_size() - size_));
  Status status =
      options_.format == BulkFormat::kJson ? WriteJson(out, update) : WriteCsv(out, update);
  if (!status.ok()) return status;
  if (!out.ok()) return Status::ResourceExhausted();
  size_ += out.size();
  ++count_;
  return Status::Ok();
}

Status BulkWriter::WriteJson(ByteBuilder& out, const BulkEntry& update) const {
  const Entry& e = update.entry;
  AppendText(out, count_ > 0 ? ",{" : "{");
  if (options_.time == BulkTime::kDeltaT) {
    AppendText(out, "\"delta_t\":");
    AppendDecimal(out, update.delta_t_s);
  } else {
    AppendText(out, "\"created_at\":");
    AppendJsonString(out, e.created_at());
  }
  auto member = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    AppendText(out, ",\"");
    AppendText(out, name);
    AppendText(out, "\":");
    AppendJsonString(out, value);
  };
  for (int f = 1; f <= kFieldCount; ++f) member(FieldName(f), e.field(f));
  member("latitude", e.latitude());
  member("longitude", e.longitude());
  member("elevation", e.elevation());
  member("status", e.status());
  AppendText(out, "}");
  return Status::Ok();
}

Status BulkWriter::WriteCsv(ByteBuilder& out, const BulkEntry& update) const {
  const Entry& e = update.entry;
  std::string_view columns[kFieldCount + 4];
  for (int f = 1; f <= kFieldCount; ++f) columns[f - 1] = e.field(f);
  columns[kFieldCount] = e.latitude();
  columns[kFieldCount + 1] = e.longitude();
  columns[kFieldCount + 2] = e.elevation();
  columns[kFieldCount + 3] = e.status();
  size_t used = 0;  // columns up to the last one with a value
  for (size_t c = 0; c < kFieldCount + 4; ++c) {
    if (!CsvSafe(columns[c])) return Status::InvalidArgument();
    if (!columns[c].empty()) used = c + 1;
  }
  if (options_.time == BulkTime::kCreatedAt && !CsvSafe(e.created_at())) {
    return Status::InvalidArgument();
  }
  if (count_ > 0) AppendPercentEncoded(out, "|");
  if (options_.time == BulkTime::kDeltaT) {
    AppendDecimal(out, update.delta_t_s);
  } else {
    AppendPercentEncoded(out, e.created_at());
  }
  for (size_t c = 0; c < used; ++c) {
    AppendText(out, ",");
    AppendPercentEncoded(out, columns[c]);
  }
  return Status::Ok();
}

Result<ByteSpan> BulkWriter::Finish() {
  if (count_ == 0 || finished_) return Status::FailedPrecondition();
  if (options_.format == BulkFormat::kJson) {
    // Start and Add kept tail_size() bytes free for this.
    ByteBuilder tail(storage_.subspan(size_, tail_size()));
    AppendText(tail, "]}");
    size_ += tail.size();
  }
  finished_ = true;
  return ByteSpan(storage_.first(size_));
}

Result<size_t> AddFrom(BulkWriter& writer, BulkSource& source) {
  size_t added = 0;
  BulkEntry update;
  while (source.Next(update)) {
    Status status = writer.Add(update);
    if (!status.ok()) {
      // Full ends the batch. A refused update ends it too; it is reported only when it
      // comes first, so the caller sees it when it heads the next batch.
      if (added == 0) return status;
      break;
    }
    ++added;
  }
  return added;
}

}  // namespace airlab::cloud
