#include "core/cloud/errors.h"

#include <gtest/gtest.h>

namespace airlab::cloud {
namespace {

// thingspeak-arduino's numbers (src/ThingSpeak.h: OK_SUCCESS .. ERR_NOT_INSERTED).
static_assert(ToInt(ErrorCode::kOk) == 200);
static_assert(ToInt(ErrorCode::kValueTooLong) == -101);
static_assert(ToInt(ErrorCode::kInvalidField) == -201);
static_assert(ToInt(ErrorCode::kNothingToWrite) == -210);
static_assert(ToInt(ErrorCode::kConnectFailed) == -301);
static_assert(ToInt(ErrorCode::kUnexpectedFailure) == -302);
static_assert(ToInt(ErrorCode::kBadAnswer) == -303);
static_assert(ToInt(ErrorCode::kTimeout) == -304);
static_assert(ToInt(ErrorCode::kNotInserted) == -401);
static_assert(ToInt(ErrorCode::kBadRequest) == 400);
static_assert(ToInt(ErrorCode::kNotFound) == 404);

TEST(ErrorCode, FromStatus_IsTheInverseOfToStatus) {
  for (int c = 0; c <= static_cast<int>(Status::Code::kInternal); ++c) {
    Status status(static_cast<Status::Code>(c));
    if (status == Status::Internal()) continue;  // a bug has no ThingSpeak code of its own
    EXPECT_EQ(ToStatus(FromStatus(status)), status) << status.str();
  }
  EXPECT_EQ(FromStatus(Status::Internal()), ErrorCode::kUnexpectedFailure);
}

TEST(ErrorCode, ToStatus_HttpStatuses) {
  EXPECT_EQ(ToStatus(FromHttpStatus(200)), Status::Ok());
  EXPECT_EQ(ToStatus(FromHttpStatus(202)), Status::Ok());
  EXPECT_EQ(ToStatus(FromHttpStatus(400)), Status::InvalidArgument());
  EXPECT_EQ(ToStatus(FromHttpStatus(401)), Status::PermissionDenied());
  EXPECT_EQ(ToStatus(FromHttpStatus(403)), Status::PermissionDenied());
  EXPECT_EQ(ToStatus(FromHttpStatus(404)), Status::NotFound());
  EXPECT_EQ(ToStatus(FromHttpStatus(409)), Status::AlreadyExists());
  EXPECT_EQ(ToStatus(FromHttpStatus(413)), Status::OutOfRange());
  EXPECT_EQ(ToStatus(FromHttpStatus(418)), Status::InvalidArgument());
  EXPECT_EQ(ToStatus(FromHttpStatus(422)), Status::InvalidArgument());
  EXPECT_EQ(ToStatus(FromHttpStatus(429)), Status::ResourceExhausted());
  EXPECT_EQ(ToStatus(FromHttpStatus(500)), Status::Unavailable());
  EXPECT_EQ(ToStatus(FromHttpStatus(503)), Status::Unavailable());
  EXPECT_EQ(ToStatus(FromHttpStatus(302)), Status::DataLoss());
  EXPECT_EQ(FromHttpStatus(502), static_cast<ErrorCode>(502));
}

TEST(ErrorCode, ErrorNames_FromTheErrorCodesPage) {
  EXPECT_EQ(FromErrorName("error_auth_required"), ErrorCode::kAuthRequired);
  EXPECT_EQ(FromErrorName("error_too_many_requests"), ErrorCode::kTooManyRequests);
  EXPECT_EQ(FromErrorName("error_invalid_byte_sequence"), ErrorCode::kInvalidBytes);
  EXPECT_EQ(FromErrorName("error_resource_not_found"), ErrorCode::kNotFound);
  EXPECT_EQ(FromErrorName("something_else"), ErrorCode::kOk);
  for (int status : {400, 401, 402, 404, 405, 409, 413, 421, 422, 429, 500}) {
    auto code = static_cast<ErrorCode>(status);
    EXPECT_EQ(FromErrorName(ErrorName(code)), code) << status;
  }
  EXPECT_EQ(ErrorName(ErrorCode::kTimeout), "");
}

}  // namespace
}  // namespace airlab::cloud
