// libFuzzer harness for the credential record decoder (credential_record.h). The input is
// decoded as it is, and again with a correct CRC-32 appended, so the fuzzer reaches past
// the checksum into the counts and lengths. What decodes must re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/wifi/credential_record.h"
#include "core/wire/dot11.h"
#include "fuzz/fuzz_support.h"

namespace airlab::wifi {
namespace {

void DecodeAndReencode(ByteSpan bytes) {
  port::Credentials record;
  if (!DecodeCredentials(bytes, record).ok()) {
    fuzz::Check(record.network_count == 0 && record.parameter_count == 0);
    return;
  }
  fuzz::Check(port::IsValidCredentials(record));
  std::vector<std::byte> again(kCredentialRecordMaxSize);
  const StatusWithSize written = EncodeCredentials(record, again);
  fuzz::Check(written.ok() && written.size() == bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) fuzz::Check(again[i] == bytes[i]);
}

}  // namespace
}  // namespace airlab::wifi

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airlab;
  const ByteSpan input = AsBytes(data, size);
  wifi::DecodeAndReencode(input);
  std::vector<std::byte> sealed(input.begin(), input.end());
  sealed.resize(size + 4);
  store_le32(sealed, size, wire::Crc32(input));
  wifi::DecodeAndReencode(sealed);
  return 0;
}
