// pcap reader under libFuzzer. Every record's data is read byte by byte (ASan catches a span
// past the input); reading the input whole and reading it as a buffer that grows a few
// bytes at a time must give the same records and stop the same way; and the records that
// were read, written again with the input's header, must read back unchanged.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/wire/pcap.h"
#include "fuzz/fuzz_support.h"

namespace {

using airlab::ByteBuilder;
using airlab::ByteSpan;
using airlab::Status;
using airlab::fuzz::Check;
using airlab::fuzz::Touch;
using namespace airlab::wire;

bool Same(const PcapRecord& a, const PcapRecord& b) {
  return a.ts_ns == b.ts_ns && a.caplen == b.caplen && a.origlen == b.origlen &&
         a.data.size() == b.data.size() &&
         (a.data.empty() || std::equal(a.data.begin(), a.data.end(), b.data.begin()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan file = airlab::AsBytes(data, size);
  auto whole = PcapReader::Open(file);
  if (!whole.ok()) return 0;

  volatile uint32_t sink = 0;
  std::vector<PcapRecord> records;
  const Status end = airlab::fuzz::ReadAll(*whole, records, [&](const PcapRecord& record) {
    Check(record.data.size() == record.caplen && record.origlen >= record.caplen);
    Check(airlab::fuzz::Inside(record.data, file));
    sink = sink + Touch(record.data);
  });
  Check(end == Status::OutOfRange() || end == Status::DataLoss());
  Check(whole->offset() <= size);

  // The same bytes arriving 7 at a time.
  airlab::fuzz::CheckGrowingRead(file, 7, PcapReader::Open, records, end, whole->offset(), Same);

  // Written again, read again.
  std::vector<std::byte> storage(size + 64);
  ByteBuilder out(storage);
  WritePcapHeader(out, whole->header());
  for (const PcapRecord& r : records) {
    // A microsecond field of a million or more can carry the seconds past 32 bits.
    if (r.ts_ns / 1'000'000'000 > int64_t{UINT32_MAX}) {
      Check(WritePcapRecord(out, whole->header(), r.ts_ns, r.data, r.origlen) ==
            Status::InvalidArgument());
      return 0;
    }
    Check(WritePcapRecord(out, whole->header(), r.ts_ns, r.data, r.origlen).ok());
  }
  auto again = PcapReader::Open(out.bytes());
  Check(again.ok());
  for (const PcapRecord& r : records) {
    auto record = again->Next();
    PcapRecord expected = r;
    if (!whole->header().nanosecond) expected.ts_ns = r.ts_ns / 1000 * 1000;
    Check(record.ok() && Same(*record, expected));
  }
  Check(again->Next().status() == Status::OutOfRange() && again->at_end());
  return 0;
}
