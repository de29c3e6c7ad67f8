#include "apps/common/utc_time.h"

#include <chrono>

namespace airlab::apps {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

namespace chrono = std::chrono;

// The calendar is C++20's (<chrono>: proleptic Gregorian, constexpr, no time zone, no
// C library): days since the epoch to a civil date and back.
constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  const chrono::year_month_day date{chrono::year{static_cast<int>(y)}, chrono::month{m},
                                    chrono::day{d}};
  return chrono::sys_days{date}.time_since_epoch().count();
}

// Years 0..9999, what the text has room for; chrono::year itself stops at 32767.
constexpr int64_t kFirstDay = DaysFromCivil(0, 1, 1);
constexpr int64_t kLastDay = DaysFromCivil(9999, 12, 31);

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(chrono::year_month_day{chrono::sys_days{chrono::days{11017}}}.month() ==
              chrono::March);

void PutDigits(char* at, int64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Reads exactly `digits` decimal digits at `pos`; -1 if they are not all digits.
int64_t Digits(std::string_view text, size_t pos, size_t digits) {
  if (pos + digits > text.size()) return -1;
  int64_t value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

Result<std::string_view> FormatUtc(int64_t epoch_s, std::array<char, kUtcTextSize>& out) {
  int64_t days = epoch_s / kSecondsPerDay;
  int64_t rem = epoch_s % kSecondsPerDay;
  if (rem < 0) {
    rem += kSecondsPerDay;
    --days;
  }
  if (days < kFirstDay || days > kLastDay) return Status::OutOfRange();
  const chrono::year_month_day date{chrono::sys_days{chrono::days{days}}};
  char* p = out.data();
  PutDigits(p, static_cast<int>(date.year()), 4);
  p[4] = '-';
  PutDigits(p + 5, static_cast<unsigned>(date.month()), 2);
  p[7] = '-';
  PutDigits(p + 8, static_cast<unsigned>(date.day()), 2);
  p[10] = 'T';
  PutDigits(p + 11, rem / 3600, 2);
  p[13] = ':';
  PutDigits(p + 14, rem / 60 % 60, 2);
  p[16] = ':';
  PutDigits(p + 17, rem % 60, 2);
  p[19] = 'Z';
  return std::string_view(out.data(), out.size());
}

Result<int64_t> ParseUtc(std::string_view text) {
  const int64_t year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  const int64_t hour = Digits(text, 11, 2), minute = Digits(text, 14, 2),
                second = Digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return Status::InvalidArgument();
  }
  const chrono::year_month_day date{chrono::year{static_cast<int>(year)},
                                    chrono::month{static_cast<unsigned>(month)},
                                    chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return Status::InvalidArgument();  // 31 April, 29 February of 2023
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return Status::InvalidArgument();
  }
  int64_t offset = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone.empty()) {
    offset = 0;
  } else if (zone[0] == '+' || zone[0] == '-') {
    const bool colon = zone.size() == 6 && zone[3] == ':';
    if (zone.size() != (colon ? 6u : 5u)) return Status::InvalidArgument();
    const int64_t oh = Digits(zone, 1, 2), om = Digits(zone, colon ? 4 : 3, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Status::InvalidArgument();
    offset = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return Status::InvalidArgument();
  }
  return int64_t{chrono::sys_days{date}.time_since_epoch().count()} * kSecondsPerDay + hour * 3600 +
         minute * 60 + second - offset;
}

}  // namespace airlab::apps
