#include "host/board/flash_service.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace airlab::host::board {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(int error) { throw PythonError{"OSError", {error}}; }

void Check(const std::error_code& error) {
  if (error) Fail(error.value());
}

// The host path for the board's absolute `path` ("/lib/x.py"), inside `root`.
fs::path Resolve(const fs::path& root, const std::string& path) {
  fs::path inside;
  for (const fs::path& part : fs::path(path).relative_path()) {
    if (part == "..") {
      if (inside.empty()) Fail(ENOENT);
      inside = inside.parent_path();
    } else if (part != "." && !part.empty()) {
      inside /= part;
    }
  }
  const fs::path host = root / inside;
  std::error_code error;
  const fs::path real = fs::weakly_canonical(host, error);
  const fs::path real_root = fs::weakly_canonical(root, error);
  const auto [end, _] = std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end());
  if (error || end != real_root.end()) Fail(EACCES);
  return host;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

std::string Unhex(const std::string& hex) {
  if (hex.size() % 2 != 0) Fail(EINVAL);
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

Json Stat(const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) Fail(ENOENT);
  const bool directory = fs::is_directory(status);
  const uintmax_t size = directory ? 0 : fs::file_size(path, error);
  const auto written = fs::last_write_time(path, error);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::file_clock::to_sys(written).time_since_epoch())
                           .count();
  return {directory ? 0x4000 : 0x8000, size, seconds};
}

Json ListDir(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(path, error)) Fail(fs::exists(path) ? ENOTDIR : ENOENT);
  Json entries = Json::array();
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    entries.push_back({entry.path().filename().string(), entry.is_directory() ? 0x4000 : 0x8000,
                       entry.is_directory() ? 0 : entry.file_size(error)});
  }
  Check(error);
  return entries;
}

std::string ReadFile(const fs::path& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) Fail(EISDIR);
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(ENOENT);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Replaces the file's contents by writing beside it and renaming into place, so a board
// reset halfway never leaves half a file; appends in place.
void WriteFile(const fs::path& path, const std::string& bytes, bool append) {
  std::error_code error;
  if (fs::is_directory(path, error)) Fail(EISDIR);
  if (!fs::is_directory(path.parent_path(), error)) Fail(ENOENT);
  if (append) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    if (!(out << bytes) || !out.flush()) Fail(EIO);
    return;
  }
  const fs::path aside = path.string() + ".airlab-" + std::to_string(::getpid());
  {
    std::ofstream out(aside, std::ios::binary | std::ios::trunc);
    if (!(out << bytes) || !out.flush()) Fail(EIO);
  }
  fs::rename(aside, path, error);
  Check(error);
}

void Remove(const fs::path& path, bool directory) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) Fail(ENOENT);
  if (directory != fs::is_directory(status)) Fail(directory ? ENOTDIR : EISDIR);
  if (directory && !fs::is_empty(path, error)) Fail(ENOTEMPTY);
  fs::remove(path, error);
  Check(error);
}

}  // namespace

void RegisterFlashService(Bridge& bridge, const fs::path& root) {
  auto at = [root](const Json& args, size_t i = 0) {
    return Resolve(root, args.at(i).get<std::string>());
  };
  bridge.Register("fs.stat", [at](const Json& a, Waits&) { return Stat(at(a)); });
  bridge.Register("fs.listdir", [at](const Json& a, Waits&) { return ListDir(at(a)); });
  bridge.Register("fs.read", [at](const Json& a, Waits&) { return Hex(ReadFile(at(a))); });
  bridge.Register("fs.write", [at](const Json& a, Waits&) {
    WriteFile(at(a), Unhex(a.at(1).get<std::string>()), a.at(2).get<bool>());
    return Json();
  });
  bridge.Register("fs.mkdir", [at](const Json& a, Waits&) {
    std::error_code error;
    const fs::path path = at(a);
    if (fs::exists(path, error)) Fail(EEXIST);
    if (!fs::create_directory(path, error)) Fail(error ? error.value() : ENOENT);
    return Json();
  });
  bridge.Register("fs.remove", [at](const Json& a, Waits&) {
    Remove(at(a), false);
    return Json();
  });
  bridge.Register("fs.rmdir", [at](const Json& a, Waits&) {
    Remove(at(a), true);
    return Json();
  });
  bridge.Register("fs.rename", [at](const Json& a, Waits&) {
    std::error_code error;
    const fs::path from = at(a, 0);
    if (!fs::exists(from, error)) Fail(ENOENT);
    fs::rename(from, at(a, 1), error);
    Check(error);
    return Json();
  });
}

}  // namespace airlab::host::board
