#include "core/cloud/errors.h"

namespace airlab::cloud {
namespace {

struct NamedError {
  ErrorCode code;
  std::string_view name;
};

// MathWorks, ThingSpeak REST API, "Error Codes".
constexpr NamedError kNames[] = {
    {ErrorCode::kBadRequest, "error_bad_request"},
    {ErrorCode::kAuthRequired, "error_auth_required"},
    {ErrorCode::kPaymentRequired, "error_payment_required"},
    {ErrorCode::kNotFound, "error_resource_not_found"},
    {ErrorCode::kMethodInvalid, "error_method_invalid"},
    {ErrorCode::kConflict, "error_conflict"},
    {ErrorCode::kTooLarge, "error_request_too_large"},
    {ErrorCode::kNoAction, "error_no_action"},
    {ErrorCode::kInvalidBytes, "error_invalid_byte_sequence"},
    {ErrorCode::kTooManyRequests, "error_too_many_requests"},
    {ErrorCode::kServerError, "error_internal"},
};

}  // namespace

ErrorCode FromErrorName(std::string_view name) {
  for (const NamedError& e : kNames) {
    if (e.name == name) return e.code;
  }
  return ErrorCode::kOk;
}

std::string_view ErrorName(ErrorCode code) {
  for (const NamedError& e : kNames) {
    if (e.code == code) return e.name;
  }
  return {};
}

Status ToStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return Status::Ok();
    case ErrorCode::kValueTooLong:
    case ErrorCode::kTooLarge: return Status::OutOfRange();
    case ErrorCode::kInvalidField: return Status::InvalidArgument();
    case ErrorCode::kNothingToWrite:
    case ErrorCode::kNoAction: return Status::FailedPrecondition();
    case ErrorCode::kConnectFailed: return Status::Unavailable();
    case ErrorCode::kUnexpectedFailure: return Status::Aborted();
    case ErrorCode::kBadAnswer: return Status::DataLoss();
    case ErrorCode::kTimeout: return Status::DeadlineExceeded();
    case ErrorCode::kNotInserted:
    case ErrorCode::kPaymentRequired:
    case ErrorCode::kTooManyRequests: return Status::ResourceExhausted();
    case ErrorCode::kAuthRequired: return Status::PermissionDenied();
    case ErrorCode::kNotFound: return Status::NotFound();
    case ErrorCode::kMethodInvalid: return Status::Unimplemented();
    case ErrorCode::kConflict: return Status::AlreadyExists();
    default: break;
  }
  int value = ToInt(code);
  if (value == 403) return Status::PermissionDenied();
  if (value >= 400 && value < 500) return Status::InvalidArgument();
  if (value >= 500 && value < 600) return Status::Unavailable();
  // 1xx, 3xx (a redirect the transport did not follow) and numbers no one defined.
  return Status::DataLoss();
}

ErrorCode FromStatus(Status status) {
  switch (status.code()) {
    case Status::Code::kOk: return ErrorCode::kOk;
    case Status::Code::kOutOfRange: return ErrorCode::kValueTooLong;
    case Status::Code::kInvalidArgument: return ErrorCode::kInvalidField;
    case Status::Code::kFailedPrecondition: return ErrorCode::kNothingToWrite;
    case Status::Code::kUnavailable: return ErrorCode::kConnectFailed;
    case Status::Code::kAborted:
    case Status::Code::kInternal: return ErrorCode::kUnexpectedFailure;
    case Status::Code::kDataLoss: return ErrorCode::kBadAnswer;
    case Status::Code::kDeadlineExceeded: return ErrorCode::kTimeout;
    case Status::Code::kResourceExhausted: return ErrorCode::kNotInserted;
    case Status::Code::kPermissionDenied: return ErrorCode::kAuthRequired;
    case Status::Code::kNotFound: return ErrorCode::kNotFound;
    case Status::Code::kUnimplemented: return ErrorCode::kMethodInvalid;
    case Status::Code::kAlreadyExists: return ErrorCode::kConflict;
  }
  return ErrorCode::kUnexpectedFailure;
}

}  // namespace airlab::cloud
