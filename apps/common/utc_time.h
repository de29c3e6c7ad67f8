#pragma once
// UTC times as ThingSpeak writes them ("2024-05-01T12:00:00Z"), to and from seconds since
// the Unix epoch, without the C library's time functions (which a device may lack and which
// consult the local time zone). The calendar is C++20's std::chrono::year_month_day and
// sys_days (proleptic Gregorian), which the Cortex-M4 cross-build's libstdc++ has too.

#include <array>
#include <cstdint>
#include <string_view>

#include "core/base/result.h"

namespace airlab::apps {

inline constexpr size_t kUtcTextSize = 20;  // "YYYY-MM-DDTHH:MM:SSZ"

// Years 0..9999 only. kOutOfRange otherwise.
Result<std::string_view> FormatUtc(int64_t epoch_s, std::array<char, kUtcTextSize>& out);

// "YYYY-MM-DDTHH:MM:SSZ", a space instead of the T, fractional seconds (dropped) and an
// offset "+HH:MM"/"+HHMM" instead of the Z. kInvalidArgument for anything else, or an
// impossible date.
Result<int64_t> ParseUtc(std::string_view text);

}  // namespace airlab::apps
