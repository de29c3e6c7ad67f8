#pragma once
// Status: one word from a small canonical set, returned by every fallible call in core.
// No messages or payloads: core runs on microcontrollers. Programs turn a Status plus their
// own context into a sentence for the user.

#include <cstddef>
#include <cstdint>

namespace airlab {

class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kInvalidArgument,     // the caller passed something malformed
    kOutOfRange,          // input shorter than its own fields say (truncated frame, lying length)
    kDataLoss,            // corrupt data: bad checksum, bad magic, broken chain
    kNotFound,            // no such peer, field or element
    kAlreadyExists,       // the thing to add is there already
    kResourceExhausted,   // a fixed capacity is full (buffer, table, queue)
    kFailedPrecondition,  // the object is not in a state that allows the call
    kUnavailable,         // transient: the medium, link or service is not there now
    kDeadlineExceeded,    // a wait ran out
    kUnimplemented,       // a valid input this code does not handle (unknown radiotap bits)
    kPermissionDenied,    // authentication failed (bad MIC, wrong key)
    kAborted,             // gave up after retries
    kInternal,            // a bug: should not happen
  };

  constexpr Status(Code code = Code::kOk) : code_(code) {}  // NOLINT: implicit by design

  static constexpr Status Ok() { return Code::kOk; }
  static constexpr Status InvalidArgument() { return Code::kInvalidArgument; }
  static constexpr Status OutOfRange() { return Code::kOutOfRange; }
  static constexpr Status DataLoss() { return Code::kDataLoss; }
  static constexpr Status NotFound() { return Code::kNotFound; }
  static constexpr Status AlreadyExists() { return Code::kAlreadyExists; }
  static constexpr Status ResourceExhausted() { return Code::kResourceExhausted; }
  static constexpr Status FailedPrecondition() { return Code::kFailedPrecondition; }
  static constexpr Status Unavailable() { return Code::kUnavailable; }
  static constexpr Status DeadlineExceeded() { return Code::kDeadlineExceeded; }
  static constexpr Status Unimplemented() { return Code::kUnimplemented; }
  static constexpr Status PermissionDenied() { return Code::kPermissionDenied; }
  static constexpr Status Aborted() { return Code::kAborted; }
  static constexpr Status Internal() { return Code::kInternal; }

  constexpr bool ok() const { return code_ == Code::kOk; }
  constexpr Code code() const { return code_; }
  // Makes dropping a Status visible at the call site.
  constexpr void IgnoreError() const {}
  // A stable lower-case name ("out_of_range"), for logs and error lines.
  const char* str() const;

  friend constexpr bool operator==(Status a, Status b) { return a.code_ == b.code_; }

 private:
  Code code_;
};

// A Status and how many bytes were done before it happened (a partial write or read).
class [[nodiscard]] StatusWithSize {
 public:
  constexpr StatusWithSize(Status status, std::size_t size) : status_(status), size_(size) {}
  constexpr explicit StatusWithSize(std::size_t size) : status_(Status::Ok()), size_(size) {}
  constexpr bool ok() const { return status_.ok(); }
  constexpr Status status() const { return status_; }
  constexpr std::size_t size() const { return size_; }
  constexpr void IgnoreError() const {}

 private:
  Status status_;
  std::size_t size_;
};

constexpr Status ToStatus(Status s) { return s; }
constexpr Status ToStatus(StatusWithSize s) { return s.status(); }

}  // namespace airlab
