#include "host/room/lab_state.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace airlab::host::room {
namespace {

using Json = nlohmann::json;

std::filesystem::path StatePath(pid_t pid) {
  return StateDir() / ("lab-" + std::to_string(pid) + ".json");
}

Json ToJson(const LabState& s) {
  Json boards = Json::array();
  for (const BoardPort& b : s.boards) {
    boards.push_back({{"name", b.name},
                      {"mac", b.mac},
                      {"channel", b.channel},
                      {"port", b.port},
                      {"link", b.link}});
  }
  return {{"pid", s.pid},     {"file", s.file},           {"data", s.data},  {"hub", s.hub},
          {"cloud", s.cloud}, {"dashboard", s.dashboard}, {"boards", boards}};
}

std::optional<LabState> FromJson(const Json& j) {
  try {
    LabState s;
    s.pid = j.at("pid").get<pid_t>();
    s.file = j.at("file").get<std::string>();
    s.data = j.at("data").get<std::string>();
    s.hub = j.at("hub").get<std::string>();
    s.cloud = j.at("cloud").get<std::string>();
    s.dashboard = j.at("dashboard").get<std::string>();
    for (const Json& b : j.at("boards")) {
      s.boards.push_back({b.at("name").get<std::string>(), b.at("mac").get<std::string>(),
                          b.at("channel").get<int>(), b.at("port").get<std::string>(),
                          b.at("link").get<std::string>()});
    }
    return s;
  } catch (const Json::exception&) {
    return std::nullopt;  // not ours, or half-written by an older version: not a lab
  }
}

}  // namespace

// Not another process that took its pid since: its command line says `lab up`.
bool IsLabRunning(pid_t pid) {
  if (pid <= 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "lab" && args[i + 1] == "up") return true;
  }
  return false;
}

std::filesystem::path StateDir() {
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run && *run) {
    return std::filesystem::path(run) / "airlab" / "labs";
  }
  return std::filesystem::path("/tmp") / ("airlab-" + std::to_string(::getuid())) / "labs";
}

void WriteLabState(const LabState& state) {
  const std::filesystem::path path = StatePath(state.pid);
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  // Only its owner lists what runs (the /tmp fallback is shared by every user).
  std::filesystem::permissions(path.parent_path().parent_path(), std::filesystem::perms::owner_all,
                               error);
  const std::filesystem::path aside = path.string() + ".new";
  {
    std::ofstream out(aside, std::ios::trunc);
    out << ToJson(state).dump(2) << "\n";
    if (!out.flush()) throw std::runtime_error("cannot write the lab's state to " + aside.string());
  }
  std::filesystem::rename(aside, path, error);
  if (error) throw std::runtime_error("cannot write the lab's state to " + path.string());
}

void RemoveLabState(pid_t pid) {
  std::error_code error;
  std::filesystem::remove(StatePath(pid), error);
}

std::vector<LabState> RunningLabs() {
  std::vector<LabState> labs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(StateDir(), error)) {
    const std::filesystem::path& path = entry.path();
    if (path.extension() != ".json" || path.filename().string().rfind("lab-", 0) != 0) continue;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::optional<LabState> state = FromJson(Json::parse(text.str(), nullptr, false));
    if (!state) continue;
    if (!IsLabRunning(state->pid)) {
      std::filesystem::remove(path, error);
      continue;
    }
    labs.push_back(*state);
  }
  std::sort(labs.begin(), labs.end(),
            [](const LabState& a, const LabState& b) { return a.pid < b.pid; });
  return labs;
}

}  // namespace airlab::host::room
