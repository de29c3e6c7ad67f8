#pragma once
// A child process for the end-to-end tests that need one alive while they work (a hub, a
// gateway, `airlab serve`, a mosquitto broker): the airlab program of this build, another
// program, or a fork running a function. A program's stdout and stderr go to a file,
// appended, so a program restarted on the same file keeps its history.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/espnow_tools.h"

extern char** environ;

namespace airlab::testing_tools {

class ChildProcess {
 public:
  // Runs `airlab args...`. Throws std::runtime_error when it cannot be started.
  ChildProcess(std::vector<std::string> args, const std::string& out)
      : ChildProcess(AirlabBinary(), std::move(args), out) {}
  // Runs the program at path `program` with `args`. Throws std::runtime_error when it cannot
  // be started.
  ChildProcess(const std::string& program, std::vector<std::string> args, const std::string& out)
      : out_(out) {
    args.insert(args.begin(), program);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot run " + program);
  }
  // Forks; the child runs `body` and exits with what it returns, without running the
  // parent's destructors. Fork before starting any thread. Throws std::runtime_error when
  // fork fails.
  explicit ChildProcess(const std::function<int()>& body) {
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) ::_exit(body());
  }
  ~ChildProcess() {
    if (pid_ > 0) Kill();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void Kill() {
    if (pid_ <= 0) return;  // kill(-1) would signal every process we may signal
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Sends `signal` without waiting (SIGSTOP and SIGCONT freeze and thaw it).
  void Signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
  }
  // Sends `signal` (SIGTERM: as Ctrl-C would end it) and waits for the exit.
  int Stop(int signal, std::chrono::seconds timeout) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    return Wait(timeout);
  }
  // Waits for the exit; its code, or -1 (killed, or still running at the timeout).
  int Wait(std::chrono::seconds timeout) {
    if (pid_ <= 0) return -1;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  // Whether it has not exited yet; an exit is left for Wait to collect.
  bool running() const {
    if (pid_ <= 0) return false;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      return false;
    return info.si_pid == 0;
  }
  std::string output() const { return ReadText(out_); }

 private:
  std::string out_;
  pid_t pid_ = -1;
};

}  // namespace airlab::testing_tools
