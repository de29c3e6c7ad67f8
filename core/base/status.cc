#include "core/base/status.h"

namespace airlab {

const char* Status::str() const {
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kOutOfRange: return "out_of_range";
    case Code::kDataLoss: return "data_loss";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kResourceExhausted: return "resource_exhausted";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kUnavailable: return "unavailable";
    case Code::kDeadlineExceeded: return "deadline_exceeded";
    case Code::kUnimplemented: return "unimplemented";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kAborted: return "aborted";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

}  // namespace airlab
