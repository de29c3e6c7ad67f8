#include "host/board/bridge_values.h"

#include <cstdio>

namespace airlab::host::board {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ToHex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    const auto v = static_cast<unsigned>(b);
    out.push_back(kDigits[v >> 4]);
    out.push_back(kDigits[v & 0x0f]);
  }
  return out;
}

std::vector<std::byte> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) RaiseValueError("odd-length hex string");
  std::vector<std::byte> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) RaiseValueError("non-hex digit found");
    out[i] = static_cast<std::byte>((hi << 4) | lo);
  }
  return out;
}

MacAddress MacFromHex(std::string_view hex) {
  const std::vector<std::byte> bytes = FromHex(hex);
  if (bytes.size() != MacAddress::kSize) RaiseValueError("invalid buffer length");
  return MacAddress::FromBytes(bytes);
}

std::string MacToHex(const MacAddress& mac) { return ToHex(mac.bytes()); }

std::optional<int64_t> OptionalInt(const Json& args, size_t index) {
  if (!args.is_array() || index >= args.size() || args[index].is_null()) return std::nullopt;
  if (args[index].is_boolean()) return args[index].get<bool>() ? 1 : 0;
  if (!args[index].is_number()) throw PythonError{"TypeError", {"can't convert to int"}};
  return args[index].get<int64_t>();
}

std::optional<bool> OptionalBool(const Json& args, size_t index) {
  if (!args.is_array() || index >= args.size() || args[index].is_null()) return std::nullopt;
  const Json& v = args[index];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_string()) return !v.get<std::string>().empty();
  return true;
}

std::optional<std::string> OptionalString(const Json& args, size_t index) {
  if (!args.is_array() || index >= args.size() || args[index].is_null()) return std::nullopt;
  if (!args[index].is_string()) throw PythonError{"TypeError", {"can't convert to str"}};
  return args[index].get<std::string>();
}

const Json& Arg(const Json& args, size_t index) {
  if (!args.is_array() || index >= args.size()) {
    throw PythonError{"TypeError", {"missing argument " + std::to_string(index)}};
  }
  return args[index];
}

void RaiseOsError(int number) { throw PythonError{"OSError", {number}}; }

void RaiseOsError(int number, const std::string& text) {
  throw PythonError{"OSError", {number, text}};
}

void RaiseValueError(const std::string& text) { throw PythonError{"ValueError", {text}}; }

}  // namespace airlab::host::board
