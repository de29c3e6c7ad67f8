#include "server/timestamp.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace airlab::server {
namespace {

constexpr TimeMs kLastSecond = 253402300799;  // 9999-12-31T23:59:59Z

// Reads exactly n decimal digits at s[pos], advancing pos.
std::optional<int> Digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

// Reads ".ddd..." (any number of digits) as milliseconds; the digits past the third are dropped.
std::optional<int> Fraction(std::string_view s, size_t& pos) {
  if (pos >= s.size() || s[pos] != '.') return 0;
  ++pos;
  size_t start = pos;
  int ms = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos == start) return std::nullopt;
  for (size_t n = pos - start; n < 3; ++n) ms *= 10;
  return ms;
}

std::optional<TimeMs> ParseEpoch(std::string_view s) {
  size_t pos = 0;
  TimeMs seconds = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    seconds = seconds * 10 + (s[pos] - '0');
    if (seconds > kLastSecond) return std::nullopt;  // past 9999, like the ISO forms
    ++pos;
  }
  if (pos == 0) return std::nullopt;
  std::optional<int> ms = Fraction(s, pos);
  if (!ms || pos != s.size()) return std::nullopt;
  return seconds * 1000 + *ms;
}

// The zone suffix as an offset east of UTC in minutes: Z, UTC, +HH, +HHMM, +HH:MM (or -).
std::optional<int> ZoneOffsetMinutes(std::string_view s, size_t& pos) {
  if (pos == s.size()) return 0;
  std::string_view rest = s.substr(pos);
  if (rest == "Z" || rest == "z" || rest == "UTC" || rest == " UTC") {
    pos = s.size();
    return 0;
  }
  if (rest[0] == ' ') rest.remove_prefix(1), ++pos;  // "2024-05-01 12:00:00 +0200"
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
  int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  std::optional<int> hours = Digits(s, pos, 2);
  if (!hours) return std::nullopt;
  int minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == ':') ++pos;
    std::optional<int> m = Digits(s, pos, 2);
    if (!m) return std::nullopt;
    minutes = *m;
  }
  if (*hours > 23 || minutes > 59) return std::nullopt;
  return sign * (*hours * 60 + minutes);
}

}  // namespace

std::optional<TimeMs> ParseTimestamp(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.find('-') == std::string_view::npos) return ParseEpoch(s);

  size_t pos = 0;
  auto year = Digits(s, pos, 4);
  if (!year || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  auto month = Digits(s, pos, 2);
  if (!month || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  auto day = Digits(s, pos, 2);
  if (!day) return std::nullopt;
  using namespace std::chrono;
  year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                      std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;

  int hour = 0, minute = 0, second = 0, ms = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ') && pos + 1 < s.size() &&
      s[pos + 1] >= '0' && s[pos + 1] <= '9') {
    ++pos;
    auto h = Digits(s, pos, 2);
    if (!h || pos >= s.size() || s[pos++] != ':') return std::nullopt;
    auto m = Digits(s, pos, 2);
    if (!m) return std::nullopt;
    hour = *h, minute = *m;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      auto sec = Digits(s, pos, 2);
      if (!sec) return std::nullopt;
      second = *sec;
      auto frac = Fraction(s, pos);
      if (!frac) return std::nullopt;
      ms = *frac;
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second
  }
  auto offset = ZoneOffsetMinutes(s, pos);
  if (!offset || pos != s.size()) return std::nullopt;

  TimeMs days = sys_days{date}.time_since_epoch().count();
  TimeMs seconds = days * 86400 + hour * 3600 + minute * 60 + second - *offset * 60;
  return seconds * 1000 + ms;
}

void AppendTimestamp(std::string& out, TimeMs t) {
  using namespace std::chrono;
  // std::chrono::year holds -32767..32767; times past those (no input reaches them: ParseTimestamp
  // stops at 9999) show as the nearest it holds.
  constexpr TimeMs kMsPerDay = 86400000;
  constexpr TimeMs kFirst = sys_days{year::min() / 1 / 1}.time_since_epoch().count() * kMsPerDay;
  constexpr TimeMs kLast = sys_days{year::max() / 12 / 31}.time_since_epoch().count() * kMsPerDay;
  t = std::clamp(t, kFirst, kLast + kMsPerDay - 1);
  // Floors, not truncations: a time before 1970 belongs to the second and the day that began
  // before it.
  const sys_seconds seconds = floor<std::chrono::seconds>(sys_time<milliseconds>(milliseconds(t)));
  const sys_days day_start = floor<days>(seconds);
  const year_month_day date{day_start};
  const TimeMs in_day = (seconds - day_start).count();
  const TimeMs year = static_cast<int>(date.year());
  const TimeMs month = static_cast<unsigned>(date.month());
  const TimeMs day = static_cast<unsigned>(date.day());
  if (year < 0 || year > 9999) {  // far outside anything a sensor sends; printf is fine
    char text[96];
    std::snprintf(text, sizeof text, "%s%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                  year < 0 ? "-" : "", static_cast<long long>(year < 0 ? -year : year),
                  static_cast<long long>(month), static_cast<long long>(day),
                  static_cast<long long>(in_day / 3600), static_cast<long long>(in_day / 60 % 60),
                  static_cast<long long>(in_day % 60));
    out += text;
    return;
  }
  char text[20] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0',
                   'T', '0', '0', ':', '0', '0', ':', '0', '0', 'Z'};
  auto put = [&text](int at, TimeMs value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10)
      text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, in_day / 3600, 2);
  put(14, in_day / 60 % 60, 2);
  put(17, in_day % 60, 2);
  out.append(text, sizeof text);
}

std::string FormatTimestamp(TimeMs t) {
  std::string out;
  AppendTimestamp(out, t);
  return out;
}

TimeMs NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace airlab::server
