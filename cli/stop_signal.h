#pragma once
// How every long-running command ends: Ctrl-C (SIGINT) or SIGTERM asks it to stop; it
// finishes its files, prints its summary and returns; main then exits with
// ExitStatusAfterStop(): 130 after Ctrl-C, as a shell reports a program Ctrl-C ended (so a
// script can tell an interrupted run from a finished one), and 0 after SIGTERM, the orderly
// stop a service manager or a test asks for.

namespace airlab::cli {

// Records that `signal` asked the command to stop. Async-signal-safe: a command's handler
// calls it, and so does a command that takes its signals with sigwait.
void NoteStopSignal(int signal);

// 130 when Ctrl-C stopped the command, else 0.
int ExitStatusAfterStop();

}  // namespace airlab::cli
