#include "host/room/board_processes.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace airlab::host::room {
namespace {

// In the child between fork and exec: async-signal-safe calls only (the lab has threads).
[[noreturn]] void ExecBoard(const char* program, char* const argv[], int out_fd, pid_t lab) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != lab) ::_exit(127);  // the lab died before prctl took effect
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the lab blocks its stop signals
  const int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(out_fd, 1) < 0) ::_exit(127);
  ::syscall(SYS_close_range, 3u, ~0u, 0u);  // the lab's sockets and other boards' pipes
  ::execv(program, argv);
  ::_exit(127);
}

}  // namespace

BoardProcesses::~BoardProcesses() { Stop(std::chrono::milliseconds(2000)); }

void BoardProcesses::Start(const std::vector<BoardLaunch>& launches) {
  const pid_t lab = ::getpid();
  for (const BoardLaunch& launch : launches) {
    // argv before fork: the child may not allocate.
    std::vector<std::string> args = {program_};
    args.insert(args.end(), launch.args.begin(), launch.args.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
      throw std::runtime_error(std::string("cannot start board ") + launch.name + ": " +
                               std::strerror(errno));
    }
    const pid_t pid = ::fork();
    if (pid == 0) ExecBoard(program_.c_str(), argv.data(), out[1], lab);
    ::close(out[1]);
    if (pid < 0) {
      ::close(out[0]);
      throw std::runtime_error(std::string("cannot start board ") + launch.name + ": " +
                               std::strerror(errno));
    }
    ::setpgid(pid, pid);  // as the child does: whichever runs first
    boards_.push_back({.name = launch.name, .pid = pid, .out_fd = out[0]});
  }
}

bool BoardProcesses::PollOnce(
    int stop_fd, std::chrono::milliseconds timeout,
    const std::function<void(BoardProcess&, const std::string&)>& on_line) {
  std::vector<pollfd> fds = {{stop_fd, POLLIN, 0}};
  std::vector<BoardProcess*> owners = {nullptr};
  for (BoardProcess& b : boards_) {
    if (b.out_fd < 0) continue;
    fds.push_back({b.out_fd, POLLIN, 0});
    owners.push_back(&b);
  }
  const int n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + strerror(errno));
  if (n > 0 && (fds[0].revents & POLLIN) != 0) return true;
  for (size_t i = 1; n > 0 && i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    BoardProcess& b = *owners[i];
    char chunk[4096];
    const ssize_t got = ::read(b.out_fd, chunk, sizeof chunk);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      ::close(b.out_fd);
      b.out_fd = -1;
      if (!b.pending.empty()) on_line(b, b.pending);
      b.pending.clear();
      continue;
    }
    b.pending.append(chunk, static_cast<size_t>(got));
    for (size_t end; (end = b.pending.find('\n')) != std::string::npos;) {
      const std::string line = b.pending.substr(0, end);
      b.pending.erase(0, end + 1);
      on_line(b, line);
    }
  }
  ReapEnded();
  return false;
}

void BoardProcesses::ReapEnded() {
  for (BoardProcess& b : boards_) {
    if (b.wait_status) continue;
    int status = 0;
    if (::waitpid(b.pid, &status, WNOHANG) == b.pid) b.wait_status = status;
  }
}

BoardProcesses::Ready BoardProcesses::WaitUntilReady(
    int stop_fd, std::chrono::steady_clock::time_point deadline,
    const std::function<void(size_t ready)>& progress) {
  auto ready = [&] {
    return static_cast<size_t>(std::count_if(
        boards_.begin(), boards_.end(), [](const BoardProcess& b) { return !b.port.empty(); }));
  };
  auto on_line = [&](BoardProcess& b, const std::string& line) {
    // `airlab board` prints "board NAME: serial port /dev/pts/N ..." once its port is open.
    const std::string marker = "serial port ";
    const size_t at = line.find(marker);
    if (!b.port.empty() || at == std::string::npos) return;
    const size_t start = at + marker.size();
    b.port = line.substr(start, line.find_first_of(" \t", start) - start);
    progress(ready());
  };
  while (ready() < boards_.size()) {
    for (const BoardProcess& b : boards_) {
      if (b.port.empty() && b.out_fd < 0) return Ready::kBoardEnded;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Ready::kTimedOut;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (PollOnce(stop_fd, std::min(left, std::chrono::milliseconds(200)), on_line))
      return Ready::kStopAsked;
  }
  return Ready::kAll;
}

void BoardProcesses::ServeUntil(int stop_fd,
                                const std::function<void(const std::string& line)>& print) {
  auto on_line = [&](BoardProcess& b, const std::string& line) { print(b.name + ": " + line); };
  while (!PollOnce(stop_fd, std::chrono::milliseconds(500), on_line)) {
    for (BoardProcess& b : boards_) {
      if (!b.wait_status || b.reported) continue;
      b.reported = true;
      print("board " + b.name + " " + DescribeEnd(*b.wait_status) +
            "; the others run on (airlab lab down stops the lab)");
    }
  }
}

void BoardProcesses::Stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  ReapEnded();
  for (BoardProcess& b : boards_) {
    if (!b.wait_status) ::kill(b.pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  auto all_ended = [&] {
    return std::all_of(boards_.begin(), boards_.end(),
                       [](const BoardProcess& b) { return b.wait_status.has_value(); });
  };
  while (!all_ended() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ReapEnded();
  }
  for (BoardProcess& b : boards_) {
    ::kill(-b.pid, SIGKILL);  // what is left of its group: its Node child, if it outlived it
    if (!b.wait_status) {
      int status = 0;
      ::waitpid(b.pid, &status, 0);
      b.wait_status = status;
    }
    if (b.out_fd >= 0) ::close(b.out_fd);
    b.out_fd = -1;
  }
}

std::string BoardProcesses::DescribeEnd(int wait_status) {
  if (WIFEXITED(wait_status))
    return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status))
    return "was killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "ended";
}

}  // namespace airlab::host::room
