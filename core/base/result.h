#pragma once
// Result<T>: a value or the Status that says why there is none. value() on an error asserts.

#include <optional>
#include <utility>

#include "core/base/assert.h"
#include "core/base/status.h"

namespace airlab {

template <typename T>
class [[nodiscard]] Result {
 public:
  constexpr Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  constexpr Result(Status status) : status_(status) {      // NOLINT: implicit by design
    AIRLAB_ASSERT(!status.ok());
  }
  constexpr Result(Status::Code code) : Result(Status(code)) {}  // NOLINT

  constexpr bool ok() const { return status_.ok(); }
  constexpr Status status() const { return status_; }
  constexpr void IgnoreError() const {}

  constexpr T& value() & {
    AIRLAB_ASSERT(ok());
    return *value_;
  }
  constexpr const T& value() const& {
    AIRLAB_ASSERT(ok());
    return *value_;
  }
  constexpr T&& value() && {
    AIRLAB_ASSERT(ok());
    return std::move(*value_);
  }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T value_or(T fallback) const { return ok() ? *value_ : fallback; }

 private:
  Status status_;
  std::optional<T> value_;
};

template <typename T>
constexpr Status ToStatus(const Result<T>& r) {
  return r.status();
}

}  // namespace airlab

#define AIRLAB_INTERNAL_CONCAT2(a, b) a##b
#define AIRLAB_INTERNAL_CONCAT(a, b) AIRLAB_INTERNAL_CONCAT2(a, b)

// Returns the Status of `expr` (a Status, StatusWithSize or Result) when it is not ok.
#define AIRLAB_TRY(expr)                                                                        \
  do {                                                                                          \
    if (::airlab::Status airlab_try_status = ::airlab::ToStatus(expr); !airlab_try_status.ok()) \
      return airlab_try_status;                                                                 \
  } while (0)

// `AIRLAB_TRY_ASSIGN(auto view, Parse(bytes));` declares or assigns the value, or returns.
#define AIRLAB_TRY_ASSIGN(lhs, expr) \
  AIRLAB_INTERNAL_TRY_ASSIGN(AIRLAB_INTERNAL_CONCAT(airlab_try_result_, __LINE__), lhs, expr)
#define AIRLAB_INTERNAL_TRY_ASSIGN(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
