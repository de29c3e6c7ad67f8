// Every example airlab shows runs when pasted: the examples of every command's --help (found by
// walking the command tree, as tests/cli_help_test.cc does) and every command line in the code
// blocks of README.md. Each runs as written, in a scratch folder of its own (HOME, the data
// folders and the working directory; examples/ and the capture files the examples read are
// there), and must end as documented: a command that ends by itself with exit status 0, a
// command that runs until Ctrl-C with 130 after a SIGINT.
//
// What the test changes in a line, and why (kept here, in one place):
// - The hub's and the server's ports: the examples use the defaults 4610 and 8080; the test
//   uses free loopback ports, and gives them to lines that rely on the defaults.
// - The real ThingSpeak: a local server stands in, so the test needs no network.
// - Keys: KEY, WRITEKEY and RKEY are the keys of channels the test made (or, in a README
//   block, of the channel the block made).
// - Paths outside the scratch folder: /tmp/lab, and /dev/ttyUSB0 (a capture stream written
//   from a capture file, as a board would send it).
// A line that needs a hub or a server the lines before it did not start (a `airlab node` alone)
// gets one, started by the test on a free port and stopped after the line; an `airlab
// provision` alone gets a board on dev.tty that knows the router lab-router.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/sniff/stream.h"
#include "platform/linux/capture_file.h"
#include "tests/child_process.h"
#include "tests/espnow_tools.h"
#include "tests/loopback.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::ChildProcess;
using testing_tools::RunCommand;
using testing_tools::Split;

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}
bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The command of an example line: up to the first two spaces outside quotes (what follows is
// a comment, "(in another terminal)" or "# prints the keys"), without a trailing '&'.
std::string CommandOf(const std::string& line) {
  char quote = 0;
  size_t end = line.size();
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if ((c == ' ' && i + 1 < line.size() && line[i + 1] == ' ') ||
               (c == '#' && i > 0 && line[i - 1] == ' ')) {
      end = i;
      break;
    }
  }
  std::string command = line.substr(0, end);
  while (!command.empty() && (command.back() == ' ' || command.back() == '&')) command.pop_back();
  return command;
}

// The example lines of one --help: the lines after "Example:" or "Examples:" up to a blank
// line that run airlab or curl; a line ending in '\' goes on on the next.
std::vector<std::string> HelpExamples(const std::string& help) {
  std::vector<std::string> examples;
  const size_t at = help.find("Example");
  if (at == std::string::npos) return examples;
  const std::vector<std::string> lines = Split(help.substr(help.find('\n', at) + 1), '\n');
  std::string pending;
  for (const std::string& raw : lines) {
    if (raw.empty() && pending.empty()) break;
    const std::string line = raw.substr(std::min(raw.find_first_not_of(' '), raw.size()));
    if (!pending.empty()) {
      pending += " " + line;
    } else if (StartsWith(line, "airlab ") || StartsWith(line, "curl ")) {
      pending = line;
    } else {
      continue;
    }
    if (!pending.empty() && pending.back() == '\\') {
      pending.erase(pending.find_last_not_of(" \\") + 1);
      continue;
    }
    examples.push_back(CommandOf(pending));
    pending.clear();
  }
  return examples;
}

// The subcommands a CLI11 help text lists under "Subcommands:".
std::vector<std::string> Subcommands(const std::string& help) {
  std::vector<std::string> names;
  const size_t at = help.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  const std::vector<std::string> lines = Split(help.substr(at), '\n');
  for (size_t i = 1; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    if (line.size() > 2 && StartsWith(line, "  ") && line[2] != ' ')
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

// The airlab lines of each code block of the README ("$ " prompts dropped); a block's lines
// run in order, as typed one after the other (or each in its own terminal).
std::vector<std::vector<std::string>> ReadmeBlocks(const std::string& readme) {
  std::vector<std::vector<std::string>> blocks;
  bool inside = false;
  for (std::string line : Split(readme, '\n')) {
    if (StartsWith(line, "```")) {
      inside = !inside;
      if (inside) blocks.emplace_back();
      continue;
    }
    if (!inside) continue;
    if (StartsWith(line, "$ ")) line = line.substr(2);
    if (StartsWith(line, "airlab ")) blocks.back().push_back(CommandOf(line));
  }
  std::erase_if(blocks, [](const auto& block) { return block.empty(); });
  return blocks;
}

// Commands documented to run until Ctrl-C, and what each prints once it is up ("" when it
// prints nothing before it ends: the test gives it a moment).
struct UntilCtrlC {
  bool yes = false;
  std::string ready;
};
UntilCtrlC RunsUntilCtrlC(const std::string& command) {
  if (StartsWith(command, "airlab air")) return {true, "clients join"};
  if (StartsWith(command, "airlab serve")) return {true, "Ctrl-C stops it"};
  if (StartsWith(command, "airlab lab up")) return {true, "stops the lab."};
  if (StartsWith(command, "airlab gateway")) return {true, "airlab gateway "};
  if (StartsWith(command, "airlab node") && !Has(command, "--exit-when-done"))
    return {true, "airlab node "};
  if (StartsWith(command, "airlab sniff --hub")) return {true, ""};
  if (StartsWith(command, "airlab board")) return {true, "serial port"};
  if (StartsWith(command, "airlab portal")) return {true, "until Ctrl-C"};
  if (Has(command, "--keep-serving")) return {true, "until Ctrl-C"};
  if (Has(command, "--realtime")) return {true, ""};
  return {};
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

void ReplaceWord(std::string& text, const std::string& word, const std::string& to) {
  text = std::regex_replace(text, std::regex("\\b" + word + "\\b"), to);
}

struct Keys {
  std::string write;  // KEY, WRITEKEY
  std::string read;   // RKEY: the command channel's read key
};

Keys KeysPrinted(const std::string& out) {
  Keys keys;
  std::smatch m;
  if (std::regex_search(out, m, std::regex("write key +(\\S+)"))) keys.write = m[1];
  if (std::regex_search(out, m, std::regex("read key +(\\S+)"))) keys.read = m[1];
  return keys;
}

class CliExamples : public testing::Test {
 protected:
  // A scratch folder of each test's own, as a user's own folder would be: HOME, the data
  // folders and the working directory of every example.
  void SetUp() override {
    for (const char* name : kEnvironment) {
      const char* value = std::getenv(name);
      saved_environment_.emplace_back(name,
                                      value ? std::optional<std::string>(value) : std::nullopt);
    }
    const std::string home = dir_.path();
    const std::filesystem::path source = std::filesystem::current_path();  // ctest runs here
    std::filesystem::create_directory_symlink(source / "examples", home + "/examples");
    std::filesystem::create_directories(home + "/bin");
    std::filesystem::create_symlink(std::filesystem::absolute(testing_tools::AirlabBinary()),
                                    home + "/bin/airlab");
    setenv("PATH", (home + "/bin:" + std::getenv("PATH")).c_str(), 1);
    setenv("HOME", home.c_str(), 1);
    setenv("XDG_DATA_HOME", (home + "/.local/share").c_str(), 1);
    setenv("AIRLAB_DATA", (home + "/cloud").c_str(), 1);
    setenv("TMPDIR", home.c_str(), 1);  // `airlab demo` keeps its folder there
    // `airlab lab up` records its lab there: `airlab lab down` stops only this test's.
    setenv("XDG_RUNTIME_DIR", (home + "/run").c_str(), 1);
    readme_ = testing_tools::ReadText((source / "README.md").string());
    MakeCaptures();
    MakeChannels();
  }

  void TearDown() override {
    for (const auto& [name, value] : saved_environment_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

  std::string Home() const { return dir_.path(); }

  // capture.pcapng and capture.pcap (the lab on the simulated air) and capture.stream (the
  // same frames as a board's capture stream) for the examples that read one.
  void MakeCaptures() {
    for (const char* name : {"capture.pcapng", "capture.pcap"}) {
      const auto r = RunCommand("cd " + Home() +
                                " && airlab sim examples/lab.toml --duration 5 --pcap " + name);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    struct Bytes final : sniff::ByteSink {
      Status Write(ByteSpan b) override {
        data.insert(data.end(), b.begin(), b.end());
        return Status::Ok();
      }
      std::vector<std::byte> data;
    } wire;
    std::vector<std::byte> scratch(sniff::kStreamEncoderScratchSize);
    sniff::StreamEncoder encoder(wire, scratch);
    linux_port::CaptureFileReader reader(Home() + "/capture.pcapng");
    while (auto p = reader.Next()) {
      ASSERT_TRUE(
          encoder.WritePacket(sniff::Packet{p->ts_ns, p->link_type, p->data, p->origlen}).ok());
    }
    testing_tools::WriteBytes(Home() + "/capture.stream", wire.data.data(), wire.data.size());
  }

  // Channel 1 takes the lab's readings (a field for the slave and one for the examples' node2),
  // channel 2 holds commands: the channels the examples name, in the default data folder.
  void MakeChannels() {
    const auto readings = RunCommand("airlab channel create --name lab --fields slave,node2");
    const auto commands = RunCommand("airlab channel create --name commands --fields command");
    ASSERT_EQ(readings.exit_code, 0) << readings.err;
    ASSERT_EQ(commands.exit_code, 0) << commands.err;
    ASSERT_TRUE(Has(readings.out, "channel 1 ") && Has(commands.out, "channel 2 "))
        << readings.out << commands.out;
    keys_ = {KeysPrinted(readings.out).write, KeysPrinted(commands.out).read};
  }

  // Runs the lines of one block in order, as a user would in one terminal after another: a
  // line that ends by itself must exit 0; a line that runs until Ctrl-C keeps running beside
  // the next ones, and gets its Ctrl-C when the block is done, which it must answer with 130.
  void RunBlock(const std::vector<std::string>& lines) {
    const int hub_port = testing_tools::FreeLoopbackPort();
    const int server_port = testing_tools::FreeLoopbackPort();
    Keys keys = keys_;
    std::vector<std::pair<std::string, std::unique_ptr<ChildProcess>>>
        running;                                          // the block's, until its end
    std::vector<std::unique_ptr<ChildProcess>> services;  // the test's, for the block
    bool have_hub = false, have_server = false, have_gateway = false, have_board = false;
    for (const std::string& example : lines) {
      const std::string command = Adapted(example, hub_port, server_port, keys);
      SCOPED_TRACE(example + "\n  ran as: " + command);
      // What the line needs that the lines before did not start.
      const bool is_hub = StartsWith(command, "airlab air");
      const bool is_server = StartsWith(command, "airlab serve");
      if (!is_hub && !have_hub && Has(command, "127.0.0.1:" + std::to_string(hub_port))) {
        services.push_back(StartService({"air", "--port", std::to_string(hub_port)}, hub_port));
        have_hub = true;
      }
      if (!is_server && !have_server && Has(command, "127.0.0.1:" + std::to_string(server_port))) {
        services.push_back(StartService(
            {"serve", "--port", std::to_string(server_port), "--rate-limit", "0"}, server_port));
        have_server = true;
      }
      // A node's readings want a gateway to take them (`--exit-when-done` waits for it).
      if (StartsWith(command, "airlab node") && !have_gateway) {
        if (!have_server) {
          services.push_back(StartService(
              {"serve", "--port", std::to_string(server_port), "--rate-limit", "0"}, server_port));
          have_server = true;
        }
        services.push_back(std::make_unique<ChildProcess>(
            std::vector<std::string>{"gateway", "--hub", "127.0.0.1:" + std::to_string(hub_port),
                                     "--url", "http://127.0.0.1:" + std::to_string(server_port),
                                     "--channel-id", "1", "--write-key", keys_.write,
                                     "--rate-limit", "0", "--quiet"},
            dir_.File("service" + std::to_string(++count_) + ".log")));
        have_gateway = true;
      }
      // `airlab provision` wants a board on its port (dev.tty) that knows the router it names.
      if (StartsWith(command, "airlab provision") && !have_board) {
        if (!have_hub) {
          services.push_back(StartService({"air", "--port", std::to_string(hub_port)}, hub_port));
          have_hub = true;
        }
        services.push_back(std::make_unique<ChildProcess>(
            std::vector<std::string>{"board", "--name", "dev", "--mac", "02:00:00:00:00:10",
                                     "--router", "lab-router:lab-password:6", "--hub",
                                     "127.0.0.1:" + std::to_string(hub_port), "--fs",
                                     Home() + "/dev-flash", "--link", Home() + "/dev.tty"},
            dir_.File("service" + std::to_string(++count_) + ".log")));
        EXPECT_TRUE(WaitFor(*services.back(), "serial port")) << services.back()->output();
        have_board = true;
      }
      have_board = have_board || StartsWith(command, "airlab board");
      have_hub = have_hub || is_hub;
      have_server = have_server || is_server;
      have_gateway = have_gateway || StartsWith(command, "airlab gateway");

      const UntilCtrlC until = RunsUntilCtrlC(command);
      if (!until.yes) {
        if (ran_.count(command) != 0)
          continue;  // the same line elsewhere: its files are here already
        const auto r = RunCommand("cd " + Home() + " && " + command);
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        if (r.exit_code == 0) ran_.insert(command);
        if (StartsWith(command, "airlab channel create")) {
          const Keys made = KeysPrinted(r.out);
          keys.write = made.write;
          if (!made.read.empty()) keys.read = made.read;
        }
        continue;
      }
      const std::string log = dir_.File("example" + std::to_string(++count_) + ".log");
      auto child = std::make_unique<ChildProcess>(
          "/bin/sh", std::vector<std::string>{"-c", "cd " + Home() + " && exec " + command}, log);
      if (!WaitFor(*child, until.ready)) {
        ADD_FAILURE() << "not up (no \"" << until.ready << "\") or ended:\n" << child->output();
      }
      if (is_hub && Has(command, std::to_string(hub_port))) WaitForPort(hub_port);
      if (is_server && Has(command, std::to_string(server_port))) WaitForPort(server_port);
      running.emplace_back(command, std::move(child));
    }
    // The block works together: a node's readings reach the gateway's store.
    for (const auto& [command, child] : running) {
      if (!StartsWith(command, "airlab node")) continue;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!Has(child->output(), "is in the gateway's store") &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      EXPECT_TRUE(Has(child->output(), "is in the gateway's store")) << command << ":\n"
                                                                     << child->output();
    }
    // Ctrl-C, the last started first (the clients before the hub and the server).
    for (auto it = running.rbegin(); it != running.rend(); ++it) {
      EXPECT_EQ(it->second->Stop(SIGINT, std::chrono::seconds(60)), 130)
          << it->first << " after Ctrl-C:\n"
          << it->second->output();
    }
    for (auto& service : services) service->Stop(SIGTERM, std::chrono::seconds(30));
  }

  // The line as the test runs it (see the top of this file).
  std::string Adapted(std::string command, int hub_port, int server_port, const Keys& keys) const {
    const std::string hub = "127.0.0.1:" + std::to_string(hub_port);
    const std::string server = "127.0.0.1:" + std::to_string(server_port);
    ReplaceAll(command, "127.0.0.1:4610", hub);
    ReplaceAll(command, "--port 4610", "--port " + std::to_string(hub_port));
    ReplaceAll(command, "127.0.0.1:8080", server);
    ReplaceAll(command, "--port 8080", "--port " + std::to_string(server_port));
    ReplaceAll(command, "https://api.thingspeak.com", "http://" + server);
    ReplaceAll(command, "/tmp/lab", Home() + "/lab");
    ReplaceAll(command, "/dev/ttyUSB0", "capture.stream");
    ReplaceWord(command, "WRITEKEY", keys.write);
    ReplaceWord(command, "KEY", keys.write);
    ReplaceWord(command, "RKEY", keys.read);
    // The defaults the examples rely on.
    if (StartsWith(command, "airlab air") && !Has(command, "--port"))
      command += " --port " + std::to_string(hub_port);
    if (StartsWith(command, "airlab serve") && !Has(command, "--port"))
      command += " --port " + std::to_string(server_port);
    if ((StartsWith(command, "airlab gateway") || StartsWith(command, "airlab node") ||
         StartsWith(command, "airlab board")) &&
        !Has(command, "--hub")) {
      command += " --hub " + hub;
    }
    if (StartsWith(command, "airlab gateway") && !Has(command, "--url"))
      command += " --url http://" + server;
    return command;
  }

  std::unique_ptr<ChildProcess> StartService(std::vector<std::string> args, int port) {
    auto service = std::make_unique<ChildProcess>(
        args, dir_.File("service" + std::to_string(++count_) + ".log"));
    WaitForPort(port);
    return service;
  }

  static void WaitForPort(int port) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!testing_tools::AcceptsLoopbackConnections(port) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(testing_tools::AcceptsLoopbackConnections(port)) << "nothing listens on " << port;
  }

  // Until the child printed `ready` (or, with nothing to wait for, for a second); false when
  // it ended first or never printed it.
  static bool WaitFor(const ChildProcess& child, const std::string& ready) {
    const auto deadline = std::chrono::steady_clock::now() +
                          (ready.empty() ? std::chrono::seconds(1) : std::chrono::seconds(120));
    while (std::chrono::steady_clock::now() < deadline) {
      if (!child.running()) return false;
      if (!ready.empty() && Has(child.output(), ready)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ready.empty() && child.running();
  }

  static constexpr const char* kEnvironment[] = {"PATH",        "HOME",   "XDG_DATA_HOME",
                                                 "AIRLAB_DATA", "TMPDIR", "XDG_RUNTIME_DIR"};
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_environment_;
  testing_tools::TempDir dir_;
  std::string readme_;
  Keys keys_;
  std::set<std::string> ran_;  // lines that ran and ended well
  int count_ = 0;
};

TEST_F(CliExamples, EveryHelpExample_Runs) {
  std::vector<std::string> pending = {""};
  size_t examples = 0;
  while (!pending.empty()) {
    const std::string command = pending.back();
    pending.pop_back();
    const auto help = RunCommand("airlab" + command + " --help");
    ASSERT_EQ(help.exit_code, 0) << help.err;
    for (const std::string& example : HelpExamples(help.out)) {
      SCOPED_TRACE("from `airlab" + command + " --help`");
      RunBlock({example});  // each on its own: the lines of a help are alternatives
      ++examples;
    }
    for (const std::string& sub : Subcommands(help.out)) pending.push_back(command + " " + sub);
  }
  EXPECT_GE(examples, 30u);
}

TEST_F(CliExamples, EveryReadmeCommand_Runs) {
  const auto blocks = ReadmeBlocks(readme_);
  size_t lines = 0;
  for (const auto& block : blocks) {
    RunBlock(block);
    lines += block.size();
  }
  // The first block (demo, sim, sniff, espnow) and the two boards as processes.
  EXPECT_GE(blocks.size(), 2u);
  EXPECT_GE(lines, 10u);
}

}  // namespace
}  // namespace airlab
