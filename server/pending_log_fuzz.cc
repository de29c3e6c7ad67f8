// Feeds arbitrary bytes to the pending log's record parser, as a damaged log file would be
// (a torn write, a power cut's garbage), and checks its promises: no crash or overrun, and
// the records it accepts are exactly the bytes they came from (re-encoding them gives back
// the start of the input).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "server/pending_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airlab::server;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string again;
  for (const PendingEntry& record : ParsePendingRecords(bytes)) {
    AppendPendingRecord(again, record.channel_id, record.entry);
  }
  airlab::fuzz::Check(bytes.substr(0, again.size()) == again);
  return 0;
}
