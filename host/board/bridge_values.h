#pragma once
// Values as they cross the bridge: bytes travel as hex strings (MicroPython's bytes do not
// convert to JavaScript), MAC addresses as 12 hex digits, and errors as PythonError.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "host/board/bridge.h"

namespace airlab::host::board {

std::string ToHex(ByteSpan bytes);
// Throws PythonError ValueError for odd lengths or non-hex digits.
std::vector<std::byte> FromHex(std::string_view hex);
// Six bytes as 12 hex digits; ValueError("invalid buffer length") otherwise, as
// MicroPython says for a MAC that is not six bytes.
MacAddress MacFromHex(std::string_view hex);
std::string MacToHex(const MacAddress& mac);

// args[index] as the type asked for, or empty when missing or null.
std::optional<int64_t> OptionalInt(const Json& args, size_t index);
std::optional<bool> OptionalBool(const Json& args, size_t index);
std::optional<std::string> OptionalString(const Json& args, size_t index);
// args[index], which must be there: TypeError otherwise (a bug in the Python module).
const Json& Arg(const Json& args, size_t index);

// OSError(number) and OSError(number, text), as MicroPython raises them.
[[noreturn]] void RaiseOsError(int number);
[[noreturn]] void RaiseOsError(int number, const std::string& text);
[[noreturn]] void RaiseValueError(const std::string& text);

}  // namespace airlab::host::board
