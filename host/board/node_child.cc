#include "host/board/node_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace airlab::host::board {
namespace {

constexpr int kChannelFd = 3;
constexpr int kInterruptFd = 4;

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

NodeChild::NodeChild(const RuntimePaths& paths) {
  int channel[2];
  int pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0) {
    throw std::runtime_error(std::string("cannot make a socketpair: ") + std::strerror(errno));
  }
  if (::pipe2(pipe, O_CLOEXEC) != 0) {
    ::close(channel[0]);
    ::close(channel[1]);
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  SetNonBlocking(pipe[0]);
  SetNonBlocking(pipe[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, channel[1], kChannelFd);
  posix_spawn_file_actions_adddup2(&actions, pipe[0], kInterruptFd);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::string node = paths.node;
  std::string script = paths.script.string();
  std::vector<char*> argv = {node.data(), script.data(), nullptr};
  const int rc = ::posix_spawnp(&pid_, node.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(channel[1]);
  socket_ = channel[0];
  interrupt_ = pipe[1];
  interrupt_read_ = pipe[0];
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot run " + paths.node + " (" + std::strerror(rc) +
                             "): install Node.js or give its path with --node");
  }
  SetNonBlocking(socket_);
}

NodeChild::~NodeChild() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (socket_ >= 0) ::close(socket_);
  if (interrupt_ >= 0) ::close(interrupt_);
  if (interrupt_read_ >= 0) ::close(interrupt_read_);
}

bool NodeChild::Send(FrameKind kind, std::string_view payload) {
  const std::string frame = EncodeFrame(kind, payload);
  size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = ::send(socket_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{socket_, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else {
      return false;
    }
  }
  return true;
}

bool NodeChild::Receive() {
  char buffer[65536];
  const ssize_t n = ::recv(socket_, buffer, sizeof buffer, 0);
  if (n > 0) reader_.Append(buffer, static_cast<size_t>(n));
  return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

void NodeChild::ClearInterrupts() {
  char scratch[64];
  while (::read(interrupt_read_, scratch, sizeof scratch) > 0) {
  }
}

void NodeChild::Interrupt() {
  const char ctrl_c = 3;
  [[maybe_unused]] const ssize_t n = ::write(interrupt_, &ctrl_c, 1);
}

}  // namespace airlab::host::board
