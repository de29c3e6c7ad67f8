// `airlab lab up FILE` / `airlab lab down`: the whole lab in one command. `up` reads a lab
// file (host/room/lab_file.h), starts the air hub in this process (as `airlab air`), the
// embedded server with the lab's channels (as `airlab serve`), and one `airlab board` child
// per board; prints each board's serial port and the dashboard; runs until Ctrl-C, SIGTERM
// or `airlab lab down`, which finds it through its state file (host/room/lab_state.h).

#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/app_output.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "cli/table.h"
#include "host/board/network_service.h"
#include "host/room/board_processes.h"
#include "host/room/lab_file.h"
#include "host/room/lab_state.h"
#include "host/room/router_hub.h"
#include "platform/air/hub.h"
#include "server/server.h"

namespace airlab::cli {
namespace {

namespace board = host::board;
namespace room = host::room;

struct LabArgs {
  std::string file;
  std::string data;
  double ready_timeout_s = 0;  // 0: 60 s and 3 s per board
  double stop_timeout_s = 30;  // lab down
};

std::filesystem::path DataFolder(const LabArgs& a, const room::LabFile& lab) {
  if (!a.data.empty()) return std::filesystem::absolute(a.data);
  if (!lab.data.empty()) return std::filesystem::absolute(lab.data);
  return room::DefaultLabDataDir(std::filesystem::path(a.file).stem().string());
}

room::LabFile LoadLab(const LabArgs& a) {
  try {
    return room::LoadLabFile(a.file);
  } catch (const room::LabFileError& e) {
    throw UserError(e.what());
  }
}

void RefuseSecondLab(const std::filesystem::path& data) {
  for (const room::LabState& running : room::RunningLabs()) {
    if (running.data == data.string()) {
      throw UserError("a lab runs on " + data.string() + " already (pid " +
                      std::to_string(running.pid) + ", from " + running.file +
                      "); stop it with `airlab lab down`, or give this one another --data");
    }
  }
}

// The lab's channels in the server's database: made with the file's ids and keys, or kept
// when a run before made them with the same keys.
void EnsureChannels(server::ChannelDatabase& db, const room::LabFile& lab) {
  for (const room::LabChannel& c : lab.cloud.channels) {
    const std::string where = lab.source + ": channel " + std::to_string(c.id) + ": ";
    if (std::optional<server::Channel> found = db.FindChannel(c.id)) {
      const bool same_keys = (c.write_key.empty() || c.write_key == found->write_key) &&
                             (c.read_keys.empty() || c.read_keys == found->read_keys);
      if (!same_keys) {
        throw UserError(where + "the lab's folder " + db.path().parent_path().string() +
                        " holds channel " + std::to_string(c.id) +
                        " with other keys; give the lab another --data, or remove that folder");
      }
      continue;
    }
    try {
      db.CreateChannel({.name = c.name,
                        .description = c.description,
                        .field_names = c.fields,
                        .public_flag = c.public_flag,
                        .rate_limit_s = c.rate_limit_s,
                        .id = c.id,
                        .write_key = c.write_key,
                        .read_keys = c.read_keys});
    } catch (const std::invalid_argument& e) {
      throw UserError(where + e.what());
    } catch (const server::ChannelConflict& e) {
      throw UserError(where + e.what() + " in " + db.path().parent_path().string());
    }
  }
}

std::unique_ptr<server::Server> StartServer(const room::LabFile& lab,
                                            const std::filesystem::path& data) {
  if (!lab.cloud.embedded()) return nullptr;
  server::ServerOptions options;
  options.port = lab.cloud.port;
  options.data_dir = data / "cloud";
  options.rate_limit_s = lab.cloud.rate_limit_s;
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "airlab lab: server: %s\n", line.c_str());
  };
  try {
    auto server = std::make_unique<server::Server>(options);
    EnsureChannels(server->database(), lab);
    server->Start();
    return server;
  } catch (const UserError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw UserError(std::string("the lab's server: ") + e.what());
  }
}

// The hub on a thread of its own, stopped and joined when this goes.
class HubThread {
 public:
  explicit HubThread(const room::LabFile& lab) {
    air::HubOptions options;
    options.port = static_cast<uint16_t>(lab.hub_port);
    options.simulation.seed = lab.seed;
    options.name = "airlab lab";
    try {
      hub_ = std::make_unique<room::RouterHub>(options, lab.routers);
    } catch (const std::exception& e) {
      throw UserError(std::string("the lab's air hub: ") + e.what());
    }
    thread_ = std::thread([this] { hub_->hub().Run(stop_); });
  }
  ~HubThread() {
    stop_ = true;
    thread_.join();
  }
  HubThread(const HubThread&) = delete;
  HubThread& operator=(const HubThread&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(hub_->hub().port()); }

 private:
  std::unique_ptr<room::RouterHub> hub_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string MacText(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

std::string FormatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::filesystem::path PortLink(const std::filesystem::path& data, const room::LabBoard& b) {
  return data / "ports" / b.name;
}

// `airlab board` for each board, with the flags the file gives it.
std::vector<room::BoardLaunch> Launches(const room::LabFile& lab, const std::filesystem::path& data,
                                        const std::string& hub, const std::string& cloud) {
  std::vector<room::BoardLaunch> launches;
  for (const room::LabBoard& b : lab.boards) {
    const std::filesystem::path fs = b.fs.empty() ? data / "boards" / b.name : b.fs;
    // --option=value: a value that starts with '-' (a position, a password) stays a value.
    std::vector<std::string> args = {"board",
                                     "--name=" + b.name,
                                     "--mac=" + MacText(b.mac),
                                     "--channel=" + std::to_string(b.channel),
                                     "--position=" + FormatNumber(b.x) + "," + FormatNumber(b.y),
                                     "--hub=" + hub,
                                     "--fs=" + fs.string(),
                                     "--link=" + PortLink(data, b).string(),
                                     "--quiet"};
    // The lab's routers are access points on the hub's air (RouterHub): boards join them
    // with the real exchange, so no --router model here.
    if (!cloud.empty()) args.push_back("--cloud=" + cloud);
    launches.push_back({b.name, std::move(args)});
  }
  return launches;
}

// The signals that stop the lab, taken through a file descriptor by the main thread: blocked
// in every thread (the hub's and the server's inherit the mask), so none dies of them.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    fd_ = signalfd(-1, &set_, SFD_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("signalfd failed");
  }
  ~StopSignals() { ::close(fd_); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int fd() const { return fd_; }
  // The signal that arrived (after poll said so), noted for the exit status.
  void Take() {
    signalfd_siginfo info{};
    if (::read(fd_, &info, sizeof info) == sizeof info)
      NoteStopSignal(static_cast<int>(info.ssi_signo));
  }

 private:
  sigset_t set_;
  int fd_ = -1;
};

// The state file of this lab from its start (so that `airlab lab down` stops a lab whose
// boards are still coming up) until everything stopped (so that it waits for all of it).
class StateRecord {
 public:
  explicit StateRecord(const room::LabState& state) : pid_(state.pid) { Update(state); }
  ~StateRecord() { room::RemoveLabState(pid_); }
  StateRecord(const StateRecord&) = delete;
  StateRecord& operator=(const StateRecord&) = delete;

  void Update(const room::LabState& state) {
    try {
      room::WriteLabState(state);
    } catch (const std::runtime_error& e) {
      throw UserError(std::string(e.what()) + "; set XDG_RUNTIME_DIR to a writable folder");
    }
  }

 private:
  pid_t pid_;
};

// Waits for every board's port, showing how many are up (redrawn in place on a terminal).
// False when a stop signal came first; throws UserError when a board ended or took too long.
bool WaitForBoards(room::BoardProcesses& boards, StopSignals& signals, const LabArgs& a) {
  const size_t total = boards.boards().size();
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  const double timeout_s = a.ready_timeout_s > 0 ? a.ready_timeout_s : 60.0 + 3.0 * total;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  auto show = [&](size_t ready) {
    std::printf("%sboards up: %zu of %zu%s", tty ? "\r" : "", ready, total, tty ? "\033[K" : "\n");
    std::fflush(stdout);
  };
  if (total > 0) show(0);
  const room::BoardProcesses::Ready how = boards.WaitUntilReady(signals.fd(), deadline, show);
  if (tty && total > 0) std::printf("\n");
  switch (how) {
    case room::BoardProcesses::Ready::kAll: return true;
    case room::BoardProcesses::Ready::kStopAsked: signals.Take(); return false;
    case room::BoardProcesses::Ready::kBoardEnded:
      for (const room::BoardProcess& b : boards.boards()) {
        if (b.port.empty() && b.out_fd < 0) {
          throw UserError("board " + b.name + " ended before its serial port was up" +
                          (b.wait_status
                               ? " (" + room::BoardProcesses::DescribeEnd(*b.wait_status) + ")"
                               : "") +
                          "; its messages are above");
        }
      }
      throw UserError("a board ended before its serial port was up; its messages are above");
    case room::BoardProcesses::Ready::kTimedOut: break;
  }
  std::string late;
  for (const room::BoardProcess& b : boards.boards()) {
    if (b.port.empty()) late += (late.empty() ? "" : ", ") + b.name;
  }
  throw UserError("no serial port from " + late + " after " + FormatNumber(timeout_s) +
                  " s; give them longer with --ready-timeout SECONDS");
}

void PrintTable(const room::LabState& state) {
  // Both MACs: the lab's cells print (and their peers name) the access point's.
  std::vector<std::vector<std::string>> rows = {
      {"BOARD", "STATION MAC", "AP MAC", "CHANNEL", "SERIAL PORT"}};
  for (const room::BoardPort& b : state.boards) {
    const Result<MacAddress> station = MacAddress::Parse(b.mac.c_str(), b.mac.size());
    const std::string ap =
        station.ok() ? MacText(board::NetworkService::AccessPointMac(*station)) : "?";
    rows.push_back({b.name, b.mac, ap, std::to_string(b.channel), b.port});
  }
  if (!state.boards.empty()) {
    std::fputs(AlignedTable(rows).c_str(), stdout);
    std::printf("ports also as %s/ports/NAME\n", state.data.c_str());
  }
  if (!state.dashboard.empty()) std::printf("dashboard  %s\n", state.dashboard.c_str());
  std::printf("cloud      %s\nair hub    %s (airlab sniff --hub %s watches the air)\n",
              state.cloud.c_str(), state.hub.c_str(), state.hub.c_str());
  std::printf("Ctrl-C or `airlab lab down` stops the lab.\n");
  std::fflush(stdout);
}

room::LabState MakeState(const LabArgs& a, const room::LabFile& lab,
                         const std::filesystem::path& data, const std::string& hub,
                         const std::string& cloud, const server::Server* server,
                         const room::BoardProcesses& boards) {
  room::LabState state{.pid = ::getpid(),
                       .file = std::filesystem::absolute(a.file).string(),
                       .data = data.string(),
                       .hub = hub,
                       .cloud = cloud,
                       .dashboard = server ? server->url() + "/" : ""};
  for (size_t i = 0; i < lab.boards.size(); ++i) {
    const room::LabBoard& b = lab.boards[i];
    state.boards.push_back(
        {b.name, MacText(b.mac), b.channel, boards.boards()[i].port, PortLink(data, b).string()});
  }
  return state;
}

void RunLabUp(const LabArgs& a) {
  const room::LabFile lab = LoadLab(a);
  const std::filesystem::path data = DataFolder(a, lab);
  RefuseSecondLab(data);
  std::error_code error;
  std::filesystem::create_directories(data / "ports", error);
  if (error) {
    throw UserError("cannot make the lab's folder " + data.string() + " (" + error.message() +
                    "); choose a writable folder with --data DIR");
  }
  StopSignals signals;
  std::unique_ptr<server::Server> server = StartServer(lab, data);
  const std::string cloud = server ? server->url() : lab.cloud.url;
  HubThread hub(lab);
  std::printf("airlab lab: %s: %zu board%s on the air at %s, cloud %s\n", a.file.c_str(),
              lab.boards.size(), lab.boards.size() == 1 ? "" : "s", hub.address().c_str(),
              cloud.c_str());
  room::BoardProcesses boards(std::filesystem::read_symlink("/proc/self/exe").string());
  boards.Start(Launches(lab, data, hub.address(), cloud));
  StateRecord record(MakeState(a, lab, data, hub.address(), cloud, server.get(), boards));
  if (WaitForBoards(boards, signals, a)) {
    const room::LabState state =
        MakeState(a, lab, data, hub.address(), cloud, server.get(), boards);
    record.Update(state);
    PrintTable(state);
    boards.ServeUntil(signals.fd(), [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
    signals.Take();
  }
  std::printf("airlab lab: stopping\n");
  std::fflush(stdout);
  boards.Stop(std::chrono::seconds(10));
  if (server) server->Stop();
  std::printf("airlab lab: stopped\n");
}

void RunLabDown(const LabArgs& a) {
  std::vector<room::LabState> labs = room::RunningLabs();
  if (!a.file.empty()) {
    const std::string file = std::filesystem::absolute(a.file).string();
    std::erase_if(labs, [&](const room::LabState& s) { return s.file != file; });
  }
  if (labs.empty()) {
    std::printf("airlab lab down: no lab runs%s; nothing to stop\n",
                a.file.empty() ? "" : (" from " + a.file).c_str());
    return;
  }
  if (labs.size() > 1) {
    std::string which;
    for (const room::LabState& s : labs)
      which += " " + s.file + " (pid " + std::to_string(s.pid) + ")";
    throw UserError(std::to_string(labs.size()) + " labs run:" + which +
                    "; name the one to stop: airlab lab down FILE");
  }
  const room::LabState& lab = labs.front();
  ::kill(lab.pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(a.stop_timeout_s * 1000));
  while (room::IsLabRunning(lab.pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (room::IsLabRunning(lab.pid)) {
    throw UserError("the lab (pid " + std::to_string(lab.pid) + ") still runs after " +
                    FormatNumber(a.stop_timeout_s) + " s; kill -9 " + std::to_string(lab.pid) +
                    " ends it");
  }
  std::printf("airlab lab down: stopped the lab from %s (pid %d)\n", lab.file.c_str(), lab.pid);
}

}  // namespace

void AddLabCommand(CLI::App& app) {
  CLI::App* lab = app.add_subcommand(
      "lab",
      "The lab in one command: the air, the server with the lab's channels, and a virtual "
      "ESP32 per board of a lab file");
  lab->require_subcommand(1);
  lab->footer(
      "Examples:\n"
      "  airlab lab up examples/lab/lab.toml   (until Ctrl-C or airlab lab down)\n"
      "  airlab lab down");

  auto up_args = std::make_shared<LabArgs>();
  CLI::App* up = lab->add_subcommand(
      "up",
      "Start the lab of a lab file: prints each board's serial port and the dashboard, then "
      "runs until Ctrl-C, SIGTERM or `airlab lab down`");
  up->add_option("FILE", up_args->file,
                 "The lab file (TOML; the format is in examples/lab/README.md)")
      ->required();
  up->add_option("--data", up_args->data,
                 "Folder of the lab's server database and boards' flash folders (default: the "
                 "file's data, else ~/.local/share/airlab/labs/<file name>)");
  up->add_option("--ready-timeout", up_args->ready_timeout_s,
                 "Seconds to wait for every board's serial port (default: 60 + 3 per board)")
      ->check(NonNegative());
  up->footer(
      "Examples:\n"
      "  airlab lab up examples/lab/lab.toml\n"
      "  airlab lab up examples/lab/lab.toml --data /tmp/lab2 --ready-timeout 300");
  up->callback([up_args] { RunLabUp(*up_args); });

  auto down_args = std::make_shared<LabArgs>();
  CLI::App* down = lab->add_subcommand(
      "down", "Stop the running lab (the one started from FILE, when several run) and wait for it");
  down->add_option("FILE", down_args->file, "The lab file it was started from");
  down->add_option("--timeout", down_args->stop_timeout_s, "Seconds to wait for it to end")
      ->capture_default_str()
      ->check(NonNegative());
  down->footer("Example:\n  airlab lab down");
  down->callback([down_args] { RunLabDown(*down_args); });
}

}  // namespace airlab::cli
