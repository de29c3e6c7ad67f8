#pragma once
// How airlab reads its TOML files (scenarios, lab files): typed getters that fail with the
// key's file:line:column, the context ("node \"slave\"") and an example of a right value;
// a final check that every key was read, with "did you mean" for a typo; the layouts of a
// group of nodes. One style of errors for every file a user writes.

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/mac_address.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "platform/sim/propagation.h"
#include "scenario/file_error.h"

namespace airlab::scenario {

// Throws FileError "source:line:column: context: message" (no line when at has none, no
// context when it is empty).
[[noreturn]] void FailInFile(const std::string& source, const toml::source_position& at,
                             const std::string& context, const std::string& message);

// The file's text; FileError "path: cannot read the <what>; check the path" when it cannot
// be read.
std::string ReadFileText(const std::string& path, const char* what);
// TOML text into a table; FileError "source:line:column: not valid TOML: ..." when it is not.
toml::table ParseToml(std::string_view text, const std::string& source);

// One TOML table being read. Every getter returns nullopt for an absent key and fails
// (FileError) for a value of the wrong kind or range, with an example of a right one.
class Fields {
 public:
  Fields(const std::string& source, const toml::table& table, std::string context)
      : source_(source), table_(table), context_(std::move(context)) {}

  const toml::table& table() const { return table_; }
  const std::string& context() const { return context_; }
  void set_context(std::string context) { context_ = std::move(context); }

  bool Has(std::string_view key) const { return table_.contains(key); }
  // The key's value, marked as read; nullptr when absent.
  const toml::node* Get(std::string_view key);

  [[noreturn]] void Fail(const toml::node* at, const std::string& message) const;
  [[noreturn]] void Fail(const std::string& message) const { Fail(&table_, message); }
  [[noreturn]] void FailAt(const toml::source_position& at, const std::string& message) const;

  std::optional<std::string> String(std::string_view key, const char* example);
  std::optional<double> Number(std::string_view key, double low, double high, const char* example);
  std::optional<int64_t> Integer(std::string_view key, int64_t low, int64_t high,
                                 const char* example);
  std::optional<bool> Bool(std::string_view key);
  // Seconds as a number, or text with a unit ("250ms", "1.5s", "2min").
  std::optional<port::TimeNs> Duration(std::string_view key, const char* example);
  std::optional<MacAddress> Mac(std::string_view key);
  // [x, y] or [x, y, z] in metres.
  std::optional<sim::Position> Position(std::string_view key, const char* example);
  // 32 hex digits, or 16 characters taken as bytes (MicroPython's b"0123456789abcdef").
  std::optional<espnow::Key> Key(std::string_view key);
  // An array of tables ([[node.traffic]]), or a single inline table.
  std::vector<const toml::table*> Tables(std::string_view key);

  // Fails on the first key that is not one of `known` but within a typo of one: called
  // before the required keys are checked, so that "paylod" gets "did you mean" rather than
  // "give what to send".
  void CheckTypos(const std::vector<std::string_view>& known) const;
  // Fails on the first key not read, suggesting the closest known one.
  void Finish(const std::vector<std::string_view>& known) const;

 private:
  const std::string& source_;
  const toml::table& table_;
  std::string context_;
  std::set<std::string> read_;
};

// The positions of a group's `count` nodes from its layout keys: layout = "grid" (spacing,
// columns), "ring" (radius) or "random" (room, layout_seed), around origin. `name` seeds
// the random layout (so that sections added around a group do not move its nodes). Adds
// the keys it read to `keys`, for Fields::Finish.
std::vector<sim::Position> ReadLayout(Fields& f, uint32_t count, std::string_view name,
                                      std::vector<std::string_view>& keys);

// The i-th address from base on, counting in the 48 bits (a group's mac_base).
MacAddress NthMac(const MacAddress& base, uint32_t i);

}  // namespace airlab::scenario
