// Feeds arbitrary bytes to the HTTP request parser, as a hostile client would, and checks its
// promises: no crash or overrun, a complete request consumes no more than it was given and
// holds a body within the limit, and an error carries one of the documented statuses.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/http.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace airlab::server::http;
  Limits limits;
  limits.max_body = 1024;  // small limits so the fuzzer reaches them
  limits.max_request_line = 256;
  limits.max_head = 512;
  limits.max_headers = 8;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Request req;
  // Pipelined requests, parsed one after another as the server does.
  while (!bytes.empty()) {
    ParseResult r = ParseRequest(bytes, limits, req);
    if (r.state == ParseState::kIncomplete) break;
    if (r.state == ParseState::kError) {
      int s = r.error_status;
      Check(s == 400 || s == 413 || s == 414 || s == 431 || s == 501);
      break;
    }
    Check(r.consumed > 0 && r.consumed <= bytes.size());
    Check(req.body.size() <= limits.max_body);
    Check(req.headers.size() <= limits.max_headers);
    Check(!req.method.empty() && !req.target.empty());
    Check(req.Header("Content-Type") == req.Header("content-type"));
    bytes.remove_prefix(r.consumed);
  }
  return 0;
}
