#pragma once
// Running a program through the shell (tshark, python3, sqlite3, the airlab binary) and
// reading what it printed, for tests that use it as an oracle or check a CLI end to end.
// tests/child_process.h is for programs that keep running beside the test.

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/temp_dir.h"

namespace airlab::testing_tools {

struct CommandResult {
  int exit_code = -1;  // -1 when the shell could not start or the program died of a signal
  std::string out;     // stdout; with Stderr::kMerged, stderr too, interleaved as written
  std::string err;     // stderr; empty with Stderr::kMerged
};

enum class Stderr {
  kApart,   // in CommandResult::err
  kMerged,  // in CommandResult::out, for checks that do not care which stream a line took
};

// Runs `command` with sh -c and waits for it to end.
inline CommandResult RunCommand(const std::string& command, Stderr stderr_to = Stderr::kApart) {
  CommandResult result;
  // stderr goes to a file, not a second pipe: reading two pipes from one thread can deadlock.
  const TempDir scratch;
  const std::string err_path = scratch.File("stderr");
  const std::string redirect = stderr_to == Stderr::kMerged ? " 2>&1" : " 2>'" + err_path + "'";
  // The braces make the redirection cover the whole command, pipelines and lists included.
  FILE* pipe = popen(("{ " + command + "\n}" + redirect).c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (stderr_to == Stderr::kApart) {
    std::ifstream in(err_path, std::ios::binary);
    result.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return result;
}

}  // namespace airlab::testing_tools
