#pragma once
// The lab's boards as child processes: one `airlab board` each, started with the flags the
// lab file gives it, watched until each printed its serial port, and stopped with the lab.
// Each board leads a process group of its own (with its Node.js child), so that the
// terminal's Ctrl-C reaches the lab alone, which then stops the boards in order; and each
// gets SIGTERM when the lab dies, however it dies (PR_SET_PDEATHSIG).
//
// Not thread-safe: one thread (the one that started them: PR_SET_PDEATHSIG follows the
// thread that forked) calls every method.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace airlab::host::room {

struct BoardLaunch {
  std::string name;
  std::vector<std::string> args;  // after the program: {"board", "--name", ...}
};

struct BoardProcess {
  std::string name;
  pid_t pid = 0;
  int out_fd = -1;                 // its standard output; -1 once it closed
  std::string pending;             // a line not complete yet
  std::string port;                // the serial port it printed; "" until then
  std::optional<int> wait_status;  // once reaped, as waitpid gives it
  bool reported = false;           // its end was told
};

class BoardProcesses {
 public:
  // `program` is the airlab executable the boards run.
  explicit BoardProcesses(std::string program) : program_(std::move(program)) {}
  ~BoardProcesses();  // stops what still runs, without waiting long
  BoardProcesses(const BoardProcesses&) = delete;
  BoardProcesses& operator=(const BoardProcesses&) = delete;

  // Starts one board per launch: standard input /dev/null, standard output read here,
  // standard error the lab's. Throws std::runtime_error when a pipe or fork fails (the
  // boards started until then keep running; Stop ends them).
  void Start(const std::vector<BoardLaunch>& launches);

  enum class Ready { kAll, kStopAsked, kBoardEnded, kTimedOut };
  // Reads the boards' output until each printed its "serial port" line; `progress` is
  // called with the number ready after each one. Ends early when stop_fd becomes readable
  // (a signalfd, say: it is not read here), when a board ends first (kBoardEnded: see
  // boards()), or at the deadline.
  Ready WaitUntilReady(int stop_fd, std::chrono::steady_clock::time_point deadline,
                       const std::function<void(size_t ready)>& progress);

  // Passes on what the boards print after their port line, "NAME: line", and says when one
  // ends, until stop_fd becomes readable.
  void ServeUntil(int stop_fd, const std::function<void(const std::string& line)>& print);

  // SIGTERM to every board still running; after `grace`, SIGKILL to the process group of
  // any left (its Node child too). Reaps them all. Once: Start after Stop is not supported.
  void Stop(std::chrono::milliseconds grace);

  const std::vector<BoardProcess>& boards() const { return boards_; }
  // What became of an ended board: "exited with status 1", "was killed by signal 9".
  static std::string DescribeEnd(int wait_status);

 private:
  // One poll round over stop_fd and the boards' outputs, up to `timeout`; lines go to
  // on_line(board, line). Returns true when stop_fd is readable.
  bool PollOnce(int stop_fd, std::chrono::milliseconds timeout,
                const std::function<void(BoardProcess&, const std::string&)>& on_line);
  void ReapEnded();

  std::string program_;
  std::vector<BoardProcess> boards_;
  bool stopped_ = false;  // Stop ran: every board is reaped
};

}  // namespace airlab::host::room
