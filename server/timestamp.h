#pragma once
// Timestamps as the ThingSpeak API writes and reads them. Entries keep milliseconds since the
// Unix epoch (UTC); answers show whole seconds as ISO 8601 with a Z, like the real service.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlab::server {

using TimeMs = std::int64_t;

// Reads the forms ThingSpeak accepts for created_at, start and end: ISO 8601
// ("2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", fractional seconds), MySQL
// ("2024-05-01 12:00:00", taken as UTC) and EPOCH seconds ("1714564800", "1714564800.25").
// nullopt when the text is none of these or names an impossible date.
std::optional<TimeMs> ParseTimestamp(std::string_view text);

// "2024-05-01T12:00:00Z" (the seconds below t, so an entry never shows a later time).
std::string FormatTimestamp(TimeMs t);
// The same, appended to out: feeds write 8000 of these, so this avoids printf.
void AppendTimestamp(std::string& out, TimeMs t);

// The wall clock in milliseconds since the epoch.
TimeMs NowMs();

}  // namespace airlab::server
