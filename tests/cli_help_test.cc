// Every command of the airlab program answers --help with an example, found by walking the
// command tree that `airlab --help` and each command's help list, so a new command cannot
// be added without one.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/espnow_tools.h"
#include "tests/run_command.h"

namespace airlab {
namespace {

using testing_tools::RunCommand;

// The subcommands a CLI11 help text lists under "Subcommands:" (two-space indented names;
// continuation lines of a description are indented further).
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> names;
  const size_t at = help.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  const std::vector<std::string> lines = testing_tools::Split(help.substr(at), '\n');
  for (size_t i = 1; i < lines.size() && !lines[i].empty();
       ++i) {  // the section ends at a blank line
    const std::string& line = lines[i];
    if (line.size() > 2 && line.rfind("  ", 0) == 0 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return names;
}

TEST(CliHelp, EveryCommand_HasHelpWithAnExample) {
  std::vector<std::string> pending = {""};
  size_t visited = 0;
  while (!pending.empty()) {
    const std::string command = pending.back();
    pending.pop_back();
    const auto r = RunCommand(testing_tools::AirlabBinary() + command + " --help");
    ++visited;
    EXPECT_EQ(r.exit_code, 0) << "airlab" << command << " --help: " << r.err;
    EXPECT_NE(r.out.find("Example"), std::string::npos)
        << "airlab" << command << " --help has no example:\n"
        << r.out;
    for (const std::string& sub : Subcommands(r.out)) pending.push_back(command + " " + sub);
  }
  // airlab, espnow (2), serve, channel (3), sniff, air, sim, demo, gateway, node.
  EXPECT_GE(visited, 15u);
}

}  // namespace
}  // namespace airlab
