#pragma once
// One scratch folder per test: fresh under the system's temp dir, so tests running in
// parallel never share files, and removed with everything in it however the test ends.

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace airlab::testing_tools {

class TempDir {
 public:
  // Throws std::runtime_error when the folder cannot be made: no test can go on without it.
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "airlab-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;  // a destructor must not throw; a leftover folder harms no test
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the folder, as the text shell commands take.
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace airlab::testing_tools
