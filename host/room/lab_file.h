#pragma once
// A lab file: the room `airlab lab up` brings up - the boards (one by one, or a group of N
// for a class), the routers they may join, and the cloud (the embedded server with the
// lab's channels, or a URL). TOML, read the way scenario files are (scenario/toml_fields.h):
// errors name file:line:column and the fix, a mistyped key gets "did you mean". The format
// is documented in examples/lab/README.md.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/mac_address.h"
#include "scenario/file_error.h"
#include "scenario/routers.h"

namespace airlab::host::room {

using LabFileError = scenario::FileError;

// An access point of the lab: on the lab's air (a resident of its hub), and given to the
// boards as --router SSID:PASSWORD:CHANNEL.
using LabRouter = scenario::RouterSpec;

// A channel of the embedded server, with the id and keys the lab's code holds.
struct LabChannel {
  int64_t id = 0;
  std::string name;
  std::string description;
  std::vector<std::string> fields;  // names of field1, field2, ...
  std::string write_key;            // empty: a fresh one
  std::vector<std::string> read_keys;
  bool public_flag = false;
  std::optional<double> rate_limit_s;  // nullopt: the server's
};

struct LabCloud {
  std::string url;  // the real cloud (or another server): no embedded server then
  int port = 0;     // the embedded server's TCP port on 127.0.0.1; 0: a free one
  double rate_limit_s = 15;
  std::vector<LabChannel> channels;

  bool embedded() const { return url.empty(); }
};

struct LabBoard {
  std::string name;
  MacAddress mac;
  uint8_t channel = 1;
  double x = 0, y = 0;
  std::filesystem::path fs;  // its flash folder; empty: <data>/boards/<name>
};

struct LabFile {
  std::string source;  // the file's path, for messages
  std::string description;
  std::filesystem::path data;  // the lab's folder as the file gives it; empty: none given
  int hub_port = 0;            // the air hub's port on 127.0.0.1; 0: a free one
  uint64_t seed = 1;           // the air's
  std::vector<LabRouter> routers;
  LabCloud cloud;
  std::vector<LabBoard> boards;  // a group's as board1..boardN, in the file's order
};

// Reads and checks a lab file. Paths in it (data, fs) are relative to the file's folder.
// Throws LabFileError (file, line, column and fix) for a file that cannot be read, bad TOML,
// an unknown key, a value of the wrong kind or range, a board name or MAC used twice, a
// channel id used twice, an SSID that is not 1 to 32 bytes without ':', a password that is
// not WPA2's 8 to 63 characters, or any other [[router]] key scenario::ReadRouterFields
// refuses.
LabFile LoadLabFile(const std::string& path);
// The same for TOML text; `source` names it in messages, `folder` anchors relative paths.
LabFile ParseLabFile(std::string_view text, const std::string& source,
                     const std::filesystem::path& folder);

// Where a lab keeps its server's database and its boards' flash folders when neither the
// command line nor the file names a folder: $XDG_DATA_HOME/airlab/labs/<name>, or
// ~/.local/share/airlab/labs/<name>.
std::filesystem::path DefaultLabDataDir(const std::string& lab_name);

}  // namespace airlab::host::room
