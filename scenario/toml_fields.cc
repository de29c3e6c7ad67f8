#include "scenario/toml_fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "platform/sim/random.h"
#include "scenario/scenario.h"

namespace airlab::scenario {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The known key within two edits of `key`, the closest; empty when none is.
std::string_view Closest(std::string_view key, const std::vector<std::string_view>& known) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view candidate : known) {
    const size_t d = EditDistance(key, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  return best;
}

}  // namespace

void FailInFile(const std::string& source, const toml::source_position& at,
                const std::string& context, const std::string& message) {
  std::ostringstream out;
  out << source;
  if (at.line != 0) out << ":" << at.line << ":" << at.column;
  out << ": ";
  if (!context.empty()) out << context << ": ";
  out << message;
  throw FileError(out.str());
}

std::string ReadFileText(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot read the " + what + "; check the path");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

toml::table ParseToml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << e.description();
    throw FileError(out.str());
  }
}

void Fields::Fail(const toml::node* at, const std::string& message) const {
  FailAt(at != nullptr ? at->source().begin : toml::source_position{}, message);
}

void Fields::FailAt(const toml::source_position& at, const std::string& message) const {
  FailInFile(source_, at, context_, message);
}

const toml::node* Fields::Get(std::string_view key) {
  const toml::node* node = table_.get(key);
  if (node != nullptr) read_.insert(std::string(key));
  return node;
}

std::optional<std::string> Fields::String(std::string_view key, const char* example) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) Fail(node, std::string(key) + " must be text in quotes, e.g. " + example);
  return node->value<std::string>();
}

std::optional<double> Fields::Number(std::string_view key, double low, double high,
                                     const char* example) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::nullopt;
  const std::optional<double> value = node->is_number() ? node->value<double>() : std::nullopt;
  if (!value || *value < low || *value > high) {
    std::ostringstream range;
    range << key << " must be a number from " << low << " to " << high << ", e.g. " << example;
    Fail(node, range.str());
  }
  return value;
}

std::optional<int64_t> Fields::Integer(std::string_view key, int64_t low, int64_t high,
                                       const char* example) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::nullopt;
  const std::optional<int64_t> value = node->is_integer() ? node->value<int64_t>() : std::nullopt;
  if (!value || *value < low || *value > high) {
    Fail(node, std::string(key) + " must be a whole number from " + std::to_string(low) + " to " +
                   std::to_string(high) + ", e.g. " + example);
  }
  return value;
}

std::optional<bool> Fields::Bool(std::string_view key) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) Fail(node, std::string(key) + " must be true or false");
  return node->value<bool>();
}

std::optional<TimeNs> Fields::Duration(std::string_view key, const char* example) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::nullopt;
  std::optional<TimeNs> value;
  if (node->is_number()) {
    const double seconds = *node->value<double>();
    if (std::isfinite(seconds) && seconds >= 0 && seconds < 1e9) {
      value = static_cast<TimeNs>(std::llround(seconds * 1e9));
    }
  } else if (node->is_string()) {
    value = ParseDuration(*node->value<std::string>());
  }
  if (!value) {
    Fail(node, std::string(key) + " must be a duration: seconds, or text with a unit " +
                   "(us, ms, s, min), e.g. " + example);
  }
  return value;
}

std::optional<MacAddress> Fields::Mac(std::string_view key) {
  const std::optional<std::string> text = String(key, "\"4c:11:ae:89:bd:d5\"");
  if (!text) return std::nullopt;
  Result<MacAddress> mac = MacAddress::Parse(text->data(), text->size());
  if (!mac.ok()) {
    Fail(Get(key), std::string(key) + " \"" + *text +
                       "\" is not a MAC address; write six hex bytes, e.g. \"4c:11:ae:89:bd:d5\"");
  }
  return *mac;
}

std::optional<sim::Position> Fields::Position(std::string_view key, const char* example) {
  const toml::node* node = Get(key);
  if (node == nullptr) return std::nullopt;
  std::vector<double> values;
  if (const toml::array* array = node->as_array()) {
    for (const toml::node& element : *array) {
      if (!element.is_number()) {
        values.clear();
        break;
      }
      values.push_back(*element.value<double>());
    }
  }
  if (values.size() != 2 && values.size() != 3) {
    Fail(node, std::string(key) + " must be [x, y] or [x, y, z] in metres, e.g. " + example);
  }
  return sim::Position{values[0], values[1], values.size() == 3 ? values[2] : 0.0};
}

std::optional<espnow::Key> Fields::Key(std::string_view key) {
  const std::optional<std::string> text = String(key, "\"0123456789abcdef\"");
  if (!text) return std::nullopt;
  espnow::Key out{};
  if (text->size() == espnow::kKeySize) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>((*text)[i]);
    return out;
  }
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bool hex = text->size() == 2 * espnow::kKeySize;
  for (size_t i = 0; hex && i < out.size(); ++i) {
    const int high = digit((*text)[2 * i]), low = digit((*text)[2 * i + 1]);
    hex = high >= 0 && low >= 0;
    out[i] = static_cast<std::byte>(high << 4 | low);
  }
  if (!hex) {
    Fail(Get(key), std::string(key) + " must be 16 characters or 32 hex digits (a 16-byte " +
                       "key), e.g. " + std::string(key) + " = \"0123456789abcdef\"");
  }
  return out;
}

std::vector<const toml::table*> Fields::Tables(std::string_view key) {
  const toml::node* node = Get(key);
  std::vector<const toml::table*> out;
  if (node == nullptr) return out;
  if (const toml::table* table = node->as_table()) {
    out.push_back(table);
  } else if (const toml::array* array = node->as_array(); array && array->is_array_of_tables()) {
    for (const toml::node& element : *array) out.push_back(element.as_table());
  } else {
    Fail(node, std::string(key) + " must be tables: write [[...." + std::string(key) +
                   "]] sections, or " + std::string(key) + " = { ... }");
  }
  return out;
}

void Fields::CheckTypos(const std::vector<std::string_view>& known) const {
  for (auto&& [key, value] : table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    if (const std::string_view best = Closest(key.str(), known); !best.empty()) {
      FailAt(key.source().begin, "unknown key \"" + std::string(key.str()) + "\"; did you mean \"" +
                                     std::string(best) + "\"?");
    }
  }
}

void Fields::Finish(const std::vector<std::string_view>& known) const {
  for (auto&& [key, value] : table_) {
    if (read_.count(std::string(key.str()))) continue;
    const std::string_view best = Closest(key.str(), known);
    std::string message = "unknown key \"" + std::string(key.str()) + "\"";
    if (!best.empty()) {
      message += "; did you mean \"" + std::string(best) + "\"?";
    } else {
      message += "; the keys here are";
      for (std::string_view candidate : known) message += " " + std::string(candidate);
    }
    FailAt(key.source().begin, message);
  }
}

std::vector<sim::Position> ReadLayout(Fields& f, uint32_t count, std::string_view name,
                                      std::vector<std::string_view>& keys) {
  const toml::node* layout_node = f.Get("layout");
  if (layout_node == nullptr)
    f.Fail("give a layout: \"grid\", \"ring\" or \"random\", e.g. layout = \"grid\"");
  const std::string layout = *f.String("layout", "layout = \"grid\"");
  std::vector<sim::Position> positions;
  std::vector<std::string_view> layout_keys;  // what this layout reads
  const sim::Position origin = f.Position("origin", "origin = [0, 0]").value_or(sim::Position{});
  if (layout == "grid") {
    const double spacing = f.Number("spacing", 0.01, 1e5, "spacing = 10.0").value_or(10.0);
    const auto columns = static_cast<uint32_t>(
        f.Integer("columns", 1, 10000, "columns = 10")
            .value_or(static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(count))))));
    for (uint32_t i = 0; i < count; ++i) {
      positions.push_back(
          {origin.x + spacing * (i % columns), origin.y + spacing * (i / columns), origin.z});
    }
    layout_keys = {"spacing", "columns"};
  } else if (layout == "ring") {
    if (!f.Has("radius")) f.Fail("a ring needs its radius in metres, e.g. radius = 15.0");
    const double radius = *f.Number("radius", 0.0, 1e5, "radius = 15.0");
    for (uint32_t i = 0; i < count; ++i) {
      const double angle = 2.0 * std::numbers::pi * i / count;
      positions.push_back(
          {origin.x + radius * std::cos(angle), origin.y + radius * std::sin(angle), origin.z});
    }
    layout_keys = {"radius"};
  } else if (layout == "random") {
    if (!f.Has("room"))
      f.Fail("a random layout needs the room's size in metres, e.g. room = [60, 40]");
    const sim::Position room = *f.Position("room", "room = [60, 40]");
    if (room.x < 0 || room.y < 0 || room.z < 0)
      f.Fail(f.Get("room"), "room sizes must not be negative");
    // Its own seed, not the run's: another --seed reruns the same room. The stream also
    // takes the group's name, so that sections added around it do not move its nodes.
    const auto layout_seed = static_cast<uint64_t>(
        f.Integer("layout_seed", 0, INT64_MAX, "layout_seed = 7").value_or(1));
    uint64_t name_hash = 0xcbf29ce484222325ull;  // FNV-1a: stable everywhere, unlike std::hash
    for (char c : name) name_hash = (name_hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
    port::SplitMix64 rng =
        sim::MakeStream(layout_seed, sim::Stream::kApplication, UINT64_MAX, name_hash);
    for (uint32_t i = 0; i < count; ++i) {
      const double x = sim::Uniform01(rng), y = sim::Uniform01(rng), z = sim::Uniform01(rng);
      positions.push_back({origin.x + x * room.x, origin.y + y * room.y, origin.z + z * room.z});
    }
    layout_keys = {"room", "layout_seed"};
  } else {
    f.Fail(layout_node,
           "layout must be \"grid\" (spacing, columns), \"ring\" (radius) or "
           "\"random\" (room, layout_seed)");
  }

  keys.insert(keys.end(), {"layout", "origin"});
  keys.insert(keys.end(), layout_keys.begin(), layout_keys.end());
  return positions;
}

MacAddress NthMac(const MacAddress& base, uint32_t i) {
  uint64_t value = 0;
  for (size_t b = 0; b < MacAddress::kSize; ++b) value = value << 8 | base[b];
  const uint64_t mac = (value + i) & 0xffffffffffffull;
  return MacAddress({static_cast<uint8_t>(mac >> 40), static_cast<uint8_t>(mac >> 32),
                     static_cast<uint8_t>(mac >> 24), static_cast<uint8_t>(mac >> 16),
                     static_cast<uint8_t>(mac >> 8), static_cast<uint8_t>(mac)});
}

}  // namespace airlab::scenario
