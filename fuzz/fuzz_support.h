#pragma once
// What the libFuzzer harnesses share: a check that traps (libFuzzer reports it with the
// input), reading bytes so ASan sees every one, and the incremental-read harness of the
// capture readers (pcap, pcapng): read whole, then read again as the bytes arrive.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace airlab::fuzz {

inline void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Reads every byte (into a sum the caller keeps in a volatile, so it is not optimised away).
inline uint32_t Touch(ByteSpan bytes) {
  uint32_t sum = 0;
  for (std::byte b : bytes) sum += static_cast<uint8_t>(b);
  return sum;
}

// Whether `part` lies within `file` (an empty span lies anywhere).
inline bool Inside(ByteSpan part, ByteSpan file) {
  return part.empty() ||
         (part.data() >= file.data() && part.data() + part.size() <= file.data() + file.size());
}

// Reads `reader` to its end, handing each record to `visit` and keeping it in `records`;
// returns the status that ended the read.
template <typename Reader, typename Record, typename Visit>
Status ReadAll(Reader& reader, std::vector<Record>& records, Visit visit) {
  while (true) {
    auto record = reader.Next();
    if (!record.ok()) return record.status();
    visit(*record);
    records.push_back(*record);
  }
}

// Reads `file` as it would arrive, `step` more bytes each time the reader asks for more
// (kOutOfRange from open(prefix) or Next(), then Extend), and checks that it gives the
// `records` the whole-file reader gave (by `same(got, expected)`), stops with the same
// `end` status and at the same `end_offset`.
template <typename Record, typename Open, typename Same>
void CheckGrowingRead(ByteSpan file, size_t step, Open open, const std::vector<Record>& records,
                      Status end, size_t end_offset, Same same) {
  size_t have = 0;
  auto growing = open(file.first(have));
  while (!growing.ok()) {
    Check(growing.status() == Status::OutOfRange() && have < file.size());
    have = std::min(have + step, file.size());
    growing = open(file.first(have));
  }
  size_t matched = 0;
  Status growing_end;
  while (true) {
    auto record = growing->Next();
    if (record.ok()) {
      Check(matched < records.size() && same(*record, records[matched]));
      ++matched;
      continue;
    }
    growing_end = record.status();
    if (growing_end != Status::OutOfRange() || have == file.size()) break;
    have = std::min(have + step, file.size());
    growing->Extend(file.first(have));
  }
  Check(matched == records.size() && growing_end == end);
  Check(growing->offset() == end_offset);
}

}  // namespace airlab::fuzz
