#include "host/room/lab_file.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <set>

#include "scenario/scenario.h"
#include "scenario/toml_fields.h"

namespace airlab::host::room {
namespace {

using scenario::Fields;

// Names become process names, flash folders and port links: one word of letters, digits,
// '-' and '_'.
bool IsBoardName(std::string_view name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// An ESP32 takes four MACs from its base: station, access point (+1), Bluetooth, Ethernet.
// Boards numbered in a lab are as far apart, so that no board's access point has another's
// station address.
constexpr uint32_t kMacsPerBoard = 4;

MacAddress DefaultBoardMac(size_t board) {
  return scenario::DefaultMac(static_cast<uint32_t>(board) * kMacsPerBoard);
}

// A board and where the file declared it, until the names and MACs are checked.
struct Declared {
  LabBoard board;
  const toml::node* name_at = nullptr;
  const toml::node* mac_at = nullptr;
  std::string context;
};

class LabLoader {
 public:
  LabLoader(std::string source, std::filesystem::path folder)
      : source_(std::move(source)), folder_(std::move(folder)) {}

  LabFile Load(const toml::table& root) {
    LabFile lab;
    lab.source = source_;
    Fields top(source_, root, "");
    lab.description = top.String("description", "description = \"the lab\"").value_or("");
    if (const std::optional<std::string> data = top.String("data", "data = \"lab-data\"")) {
      if (data->empty()) top.Fail(top.Get("data"), "data must name a folder, e.g. data = \"lab\"");
      lab.data = folder_ / *data;
    }
    lab.hub_port =
        static_cast<int>(top.Integer("hub_port", 0, 65535, "hub_port = 4610").value_or(0));
    lab.seed = static_cast<uint64_t>(top.Integer("seed", 0, INT64_MAX, "seed = 42").value_or(1));
    const std::vector<const toml::table*> routers = top.Tables("router");
    for (size_t i = 0; i < routers.size(); ++i) lab.routers.push_back(ReadRouter(*routers[i], i));
    if (const toml::node* cloud = top.Get("cloud")) {
      if (!cloud->is_table()) top.Fail(cloud, "cloud must be a table: write a [cloud] section");
      lab.cloud = ReadCloud(*cloud->as_table());
    }
    std::vector<std::pair<const toml::table*, bool>> sections;  // (table, is a group)
    for (const toml::table* t : top.Tables("board")) sections.push_back({t, false});
    for (const toml::table* t : top.Tables("group")) sections.push_back({t, true});
    top.Finish({"description", "data", "hub_port", "seed", "router", "cloud", "board", "group"});
    std::stable_sort(sections.begin(), sections.end(), [](const auto& a, const auto& b) {
      return a.first->source().begin < b.first->source().begin;
    });
    for (const auto& [table, group] : sections) {
      if (group) {
        ReadGroup(*table);
      } else {
        ReadBoard(*table);
      }
    }
    CheckUnique();
    for (Declared& d : boards_) lab.boards.push_back(std::move(d.board));
    return lab;
  }

 private:
  LabRouter ReadRouter(const toml::table& table, size_t index) {
    Fields f(source_, table, "router " + std::to_string(index + 1));
    LabRouter r;
    f.CheckTypos({std::begin(scenario::kRouterKeys), std::end(scenario::kRouterKeys)});
    // ':' separates the fields of a board's --router SSID:PASSWORD:CHANNEL.
    if (const std::optional<std::string> ssid = f.String("ssid", "ssid = \"lab\"");
        ssid && ssid->find(':') != std::string::npos) {
      f.Fail(f.Get("ssid"),
             "give the network's name, 1 to 32 bytes without ':', e.g. ssid = \"lab\"");
    }
    scenario::ReadRouterFields(f, r);
    f.Finish({std::begin(scenario::kRouterKeys), std::end(scenario::kRouterKeys)});
    return r;
  }

  LabCloud ReadCloud(const toml::table& table) {
    Fields f(source_, table, "[cloud]");
    LabCloud cloud;
    cloud.url = f.String("url", "url = \"https://api.thingspeak.com\"").value_or("");
    if (f.Has("url") && cloud.url.rfind("http://", 0) != 0 && cloud.url.rfind("https://", 0) != 0) {
      f.Fail(f.Get("url"),
             "url must start with http:// or https://, e.g. url = "
             "\"https://api.thingspeak.com\"");
    }
    cloud.port = static_cast<int>(f.Integer("port", 0, 65535, "port = 8080").value_or(0));
    cloud.rate_limit_s =
        f.Number("rate_limit", 0, 1e6, "rate_limit = 15").value_or(cloud.rate_limit_s);
    const std::vector<const toml::table*> channels = f.Tables("channel");
    std::map<int64_t, const toml::table*> ids;
    for (const toml::table* t : channels) {
      cloud.channels.push_back(ReadChannel(*t));
      if (auto [it, fresh] = ids.emplace(cloud.channels.back().id, t); !fresh) {
        Fields(source_, *t, "[[cloud.channel]]")
            .Fail("channel " + std::to_string(it->first) + " is declared already (line " +
                  std::to_string(it->second->source().begin.line) + "); give each its own id");
      }
    }
    if (!cloud.url.empty()) {
      for (const char* key : {"port", "rate_limit", "channel"}) {
        if (f.Has(key)) {
          f.Fail(f.Get(key), std::string(key) +
                                 " is for the embedded server; with url the lab uses that "
                                 "cloud: drop one of them");
        }
      }
    }
    f.Finish({"url", "port", "rate_limit", "channel"});
    return cloud;
  }

  LabChannel ReadChannel(const toml::table& table) {
    Fields f(source_, table, "[[cloud.channel]]");
    static const std::vector<std::string_view> kKeys = {
        "id", "name", "description", "fields", "write_key", "read_keys", "public", "rate_limit"};
    f.CheckTypos(kKeys);
    LabChannel c;
    if (!f.Has("id")) f.Fail("give the channel's id, e.g. id = 179");
    c.id = *f.Integer("id", 1, INT64_MAX, "id = 179");
    f.set_context("channel " + std::to_string(c.id));
    if (!f.Has("name")) f.Fail("give the channel a name, e.g. name = \"lab\"");
    c.name = *f.String("name", "name = \"lab\"");
    c.description = f.String("description", "description = \"readings\"").value_or("");
    c.fields = Strings(f, "fields", "fields = [\"temperature\", \"humidity\"]");
    c.write_key = f.String("write_key", "write_key = \"E13BHXREJ6K0V1DQ\"").value_or("");
    c.read_keys = Strings(f, "read_keys", "read_keys = [\"RDKEY0RDKEY0RDKE\"]");
    c.public_flag = f.Bool("public").value_or(false);
    c.rate_limit_s = f.Number("rate_limit", 0, 1e6, "rate_limit = 1");
    f.Finish(kKeys);
    return c;
  }

  static std::vector<std::string> Strings(Fields& f, std::string_view key, const char* example) {
    std::vector<std::string> out;
    const toml::node* node = f.Get(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array != nullptr) {
      for (const toml::node& element : *array) {
        if (!element.is_string()) break;
        out.push_back(*element.value<std::string>());
      }
    }
    if (array == nullptr || out.size() != array->size()) {
      f.Fail(node, std::string(key) + " must be a list of texts, e.g. " + example);
    }
    return out;
  }

  std::string ReadName(Fields& f, const char* example) {
    const toml::node* node = f.Get("name");
    if (node == nullptr) f.Fail(std::string("give it a name, e.g. ") + example);
    const std::string name = *f.String("name", example);
    if (!IsBoardName(name)) {
      f.Fail(node, "name \"" + name +
                       "\" must be one word of letters, digits, '-' and '_' (at most 32), e.g. " +
                       example);
    }
    return name;
  }

  // The keys a [[board]] and a [[group]] share.
  void ReadCommon(Fields& f, LabBoard& board) {
    board.channel =
        static_cast<uint8_t>(f.Integer("channel", 1, 13, "channel = 6").value_or(board.channel));
  }

  void ReadBoard(const toml::table& table) {
    Fields f(source_, table, "board " + std::to_string(boards_.size() + 1));
    static const std::vector<std::string_view> kKeys = {"name", "mac", "position", "channel", "fs"};
    f.CheckTypos(kKeys);
    Declared d;
    d.board.name = ReadName(f, "name = \"master\"");
    d.name_at = f.Get("name");
    d.context = "board \"" + d.board.name + "\"";
    f.set_context(d.context);
    d.mac_at = f.Get("mac");
    d.board.mac = f.Mac("mac").value_or(DefaultBoardMac(boards_.size()));
    if (!f.Has("position")) f.Fail("give it a position in metres, e.g. position = [0, 0]");
    const sim::Position at = *f.Position("position", "position = [3, 0]");
    d.board.x = at.x;
    d.board.y = at.y;
    ReadCommon(f, d.board);
    if (const std::optional<std::string> fs = f.String("fs", "fs = \"master-flash\"")) {
      if (fs->empty()) f.Fail(f.Get("fs"), "fs must name a folder, e.g. fs = \"master-flash\"");
      d.board.fs = folder_ / *fs;
    }
    f.Finish(kKeys);
    if (d.mac_at == nullptr) d.mac_at = &table;
    boards_.push_back(std::move(d));
  }

  void ReadGroup(const toml::table& table) {
    Fields f(source_, table, "group " + std::to_string(boards_.size() + 1));
    const std::string prefix = ReadName(f, "name = \"student\"");
    f.set_context("group \"" + prefix + "\"");
    if (!f.Has("count")) f.Fail("give the number of boards, e.g. count = 30");
    const auto count = static_cast<uint32_t>(*f.Integer("count", 1, 500, "count = 30"));
    const std::optional<MacAddress> mac_base = f.Mac("mac_base");
    std::vector<std::string_view> keys = {"name", "count", "mac_base", "channel"};
    const std::vector<sim::Position> positions = scenario::ReadLayout(f, count, prefix, keys);
    LabBoard common;
    ReadCommon(f, common);
    f.Finish(keys);
    for (uint32_t i = 0; i < count; ++i) {
      Declared d;
      d.board = common;
      d.board.name = prefix + std::to_string(i + 1);
      d.board.x = positions[i].x;
      d.board.y = positions[i].y;
      d.board.mac = mac_base ? scenario::NthMac(*mac_base, kMacsPerBoard * i)
                             : DefaultBoardMac(boards_.size());
      d.name_at = &table;
      d.mac_at = mac_base ? f.Get("mac_base") : &table;
      d.context = "group \"" + prefix + "\"";
      boards_.push_back(std::move(d));
    }
  }

  void CheckUnique() const {
    std::map<std::string, const Declared*> names;
    std::map<MacAddress, const Declared*> macs;
    for (const Declared& d : boards_) {
      if (auto [it, fresh] = names.emplace(d.board.name, &d); !fresh) {
        scenario::FailInFile(
            source_, d.name_at->source().begin, d.context,
            "the name \"" + d.board.name + "\" is taken already (by the board declared at line " +
                std::to_string(it->second->name_at->source().begin.line) + "); rename one");
      }
      if (d.board.mac.is_multicast()) {
        scenario::FailInFile(source_, d.mac_at->source().begin, d.context,
                             "a board's mac must be a unicast address (first byte even), e.g. "
                             "\"4c:11:ae:89:bd:d5\"");
      }
      if (auto [it, fresh] = macs.emplace(d.board.mac, &d); !fresh) {
        FailMacTaken(d, *it->second, "");
      }
    }
    // A board's access point is its station MAC + 1 (network.AP_IF, ESP-NOW with ifidx=1).
    for (const Declared& d : boards_) {
      if (auto it = macs.find(scenario::NthMac(d.board.mac, 1)); it != macs.end()) {
        FailMacTaken(*it->second, d, "'s access point");
      }
    }
  }

  [[noreturn]] void FailMacTaken(const Declared& d, const Declared& holder,
                                 const std::string& whose) const {
    char text[MacAddress::kStringSize + 1];
    d.board.mac.Format(text);
    scenario::FailInFile(source_, d.mac_at->source().begin, d.context,
                         "board \"" + d.board.name + "\" has the MAC " + text + " of board \"" +
                             holder.board.name + "\"" + whose +
                             "; give one of them another mac (ESP32s are 4 apart)");
  }

  std::string source_;
  std::filesystem::path folder_;
  std::vector<Declared> boards_;
};

}  // namespace

LabFile ParseLabFile(std::string_view text, const std::string& source,
                     const std::filesystem::path& folder) {
  const toml::table root = scenario::ParseToml(text, source);
  return LabLoader(source, folder).Load(root);
}

LabFile LoadLabFile(const std::string& path) {
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  return ParseLabFile(scenario::ReadFileText(path, "lab file"), path, folder);
}

std::filesystem::path DefaultLabDataDir(const std::string& lab_name) {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "airlab" / "labs" / lab_name;
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".local" / "share" / "airlab" /
         "labs" / lab_name;
}

}  // namespace airlab::host::room
