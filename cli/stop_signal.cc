#include "cli/stop_signal.h"

#include <csignal>

namespace airlab::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

}  // namespace

void NoteStopSignal(int signal) {
  if (signal == SIGINT) g_interrupted = 1;
}

int ExitStatusAfterStop() { return g_interrupted != 0 ? 128 + SIGINT : 0; }

}  // namespace airlab::cli
