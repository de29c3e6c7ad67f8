#include "apps/common/utc_time.h"

namespace airlab::apps {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day;
};

constexpr Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(CivilFromDays(11017).month == 3);

constexpr bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr unsigned DaysInMonth(int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

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
  const Civil c = CivilFromDays(days);
  if (c.year < 0 || c.year > 9999) return Status::OutOfRange();
  char* p = out.data();
  PutDigits(p, c.year, 4);
  p[4] = '-';
  PutDigits(p + 5, c.month, 2);
  p[7] = '-';
  PutDigits(p + 8, c.day, 2);
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
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60 || text[4] != '-' ||
      text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return Status::InvalidArgument();
  }
  if (day > DaysInMonth(year, static_cast<unsigned>(month))) return Status::InvalidArgument();
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
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
             kSecondsPerDay +
         hour * 3600 + minute * 60 + second - offset;
}

}  // namespace airlab::apps
