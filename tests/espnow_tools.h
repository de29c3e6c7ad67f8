#pragma once
// What the end-to-end tests share beside tests/temp_dir.h and tests/run_command.h: reading
// and writing whole files, splitting output, and finding the airlab program of this build.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace airlab::testing_tools {

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteBytes(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

inline std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);) parts.push_back(part);
  return parts;
}

// The airlab program of this build (airlab_add_test sets AIRLAB_BUILD_DIR).
inline std::string AirlabBinary() {
  const char* dir = std::getenv("AIRLAB_BUILD_DIR");
  return std::string(dir ? dir : ".") + "/cli/airlab";
}

}  // namespace airlab::testing_tools
