#pragma once
// What runs: `airlab lab up` records its lab in a state file (its pid, the lab file, the
// data folder, the hub, the dashboard, each board's serial port) so that `airlab lab down`
// finds it and other tools (the notebooks' tests) find the ports. One file per running lab,
// in $XDG_RUNTIME_DIR/airlab/labs (or /tmp/airlab-<uid>/labs); a file whose process is gone
// counts as no lab.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace airlab::host::room {

struct BoardPort {
  std::string name;
  std::string mac;
  int channel = 1;
  std::string port;  // /dev/pts/N
  std::string link;  // a stable name of the port, "" when none
};

struct LabState {
  pid_t pid = 0;
  std::string file;       // the lab file, absolute
  std::string data;       // the data folder, absolute
  std::string hub;        // "127.0.0.1:PORT"
  std::string cloud;      // the URL the boards' cloud resolves to
  std::string dashboard;  // the embedded server's dashboard; "" with an outside cloud
  std::vector<BoardPort> boards;
};

// The folder of the state files (not created).
std::filesystem::path StateDir();

// Records `state` as state file of its pid (written aside, then renamed into place).
// Throws std::runtime_error naming the path when it cannot.
void WriteLabState(const LabState& state);
// Removes the state file of `pid`, if any.
void RemoveLabState(pid_t pid);
// True while `pid` is an `airlab lab up` that runs (a zombie does not: its work is done).
bool IsLabRunning(pid_t pid);
// The labs whose process still runs, oldest pid first; state files of ended processes are
// removed on the way.
std::vector<LabState> RunningLabs();

}  // namespace airlab::host::room
