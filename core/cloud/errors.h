#pragma once
// ThingSpeak's outcomes as one typed code: thingspeak-arduino's return codes (src/ThingSpeak.h:
// 200 and the negative ones) and HTTP statuses with ThingSpeak's error names (the "Error
// Codes" page of MathWorks' REST API reference). A device that knows the Arduino library
// reads the same numbers here; core code that speaks Status converts with ToStatus.

#include <cstdint>
#include <string_view>

#include "core/base/status.h"

namespace airlab::cloud {

// The value is the number thingspeak-arduino returns, or the HTTP status. Any other HTTP
// status fits too: static_cast<ErrorCode>(502).
enum class ErrorCode : int16_t {
  kOk = 200,
  kValueTooLong = -101,       // a value over 255 characters (or out of range)
  kInvalidField = -201,       // a field number outside 1..8, or an argument the API refuses
  kNothingToWrite = -210,     // an update without a field, location or status
  kConnectFailed = -301,      // no connection to the server
  kUnexpectedFailure = -302,  // the exchange broke off
  kBadAnswer = -303,          // an answer that does not parse
  kTimeout = -304,            // no answer in time
  kNotInserted = -401,        // the update was refused with "0": mostly the rate limit
  kBadRequest = 400,          // error_bad_request
  kAuthRequired = 401,        // error_auth_required (a read answered "-1" too)
  kPaymentRequired = 402,     // error_payment_required: the license's message limit
  kNotFound = 404,            // error_resource_not_found; thingspeak-arduino: bad key or URL
  kMethodInvalid = 405,       // error_method_invalid
  kConflict = 409,            // error_conflict: created_at already taken
  kTooLarge = 413,            // error_request_too_large
  kNoAction = 421,            // error_no_action
  kInvalidBytes = 422,        // error_invalid_byte_sequence: not UTF-8
  kTooManyRequests = 429,     // error_too_many_requests: the rate limit, bulk updates
  kServerError = 500,         // error_internal
};

constexpr int ToInt(ErrorCode code) { return static_cast<int>(code); }

// The code of an HTTP status: kOk for 2xx, the status itself otherwise.
constexpr ErrorCode FromHttpStatus(int http_status) {
  if (http_status >= 200 && http_status < 300) return ErrorCode::kOk;
  return static_cast<ErrorCode>(http_status);
}

// ThingSpeak's error name ("error_auth_required") to its code; kOk for a name it does not use.
ErrorCode FromErrorName(std::string_view name);
// The name of an HTTP error code ("error_too_many_requests"), or "" for the others.
std::string_view ErrorName(ErrorCode code);

// Status equivalents, following how absl maps HTTP statuses:
//   kOk 200                                    kOk
//   kValueTooLong -101, kTooLarge 413          kOutOfRange
//   kInvalidField -201, 400, 422, other 4xx    kInvalidArgument
//   kNothingToWrite -210, kNoAction 421        kFailedPrecondition
//   kConnectFailed -301, 5xx                   kUnavailable
//   kUnexpectedFailure -302                    kAborted
//   kBadAnswer -303, 1xx and 3xx               kDataLoss
//   kTimeout -304                              kDeadlineExceeded
//   kNotInserted -401, 402, 429                kResourceExhausted
//   kAuthRequired 401, 403                     kPermissionDenied
//   kNotFound 404                              kNotFound
//   kMethodInvalid 405                         kUnimplemented
//   kConflict 409                              kAlreadyExists
Status ToStatus(ErrorCode code);
// The inverse: the first code of each row above (kInternal, a bug, becomes -302).
ErrorCode FromStatus(Status status);

}  // namespace airlab::cloud
