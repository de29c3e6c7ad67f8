#include "platform/linux/pty.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace airlab::linux_port {
namespace {

std::runtime_error Failure(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

// Makes `link` point at `target` without ever leaving `link` missing or clobbering a
// file that is not a symlink.
void MakeLink(const std::filesystem::path& link, const std::string& target) {
  std::error_code error;
  const auto status = std::filesystem::symlink_status(link, error);
  if (!error && std::filesystem::exists(status) && !std::filesystem::is_symlink(status)) {
    throw std::runtime_error("--link " + link.string() +
                             " exists and is not a symlink: give another path");
  }
  const std::filesystem::path aside = link.string() + ".tmp" + std::to_string(::getpid());
  std::filesystem::remove(aside, error);
  std::filesystem::create_symlink(target, aside, error);
  if (!error) std::filesystem::rename(aside, link, error);
  if (error) {
    std::filesystem::remove(aside, error);
    throw std::runtime_error("cannot make the link " + link.string() + " (" + error.message() +
                             "): give a path in a folder you can write");
  }
}

}  // namespace

Pty::Pty(const std::filesystem::path& link) {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (master_ < 0) throw Failure("cannot open a pseudo-terminal");
  char name[128];
  if (::grantpt(master_) != 0 || ::unlockpt(master_) != 0 ||
      ::ptsname_r(master_, name, sizeof name) != 0) {
    const std::runtime_error error = Failure("cannot set up the pseudo-terminal");
    ::close(master_);
    throw error;
  }
  path_ = name;
  slave_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  termios tio{};
  if (slave_ < 0 || ::tcgetattr(slave_, &tio) != 0) {
    const std::runtime_error error = Failure("cannot open " + path_);
    Close();
    throw error;
  }
  ::cfmakeraw(&tio);
  ::cfsetspeed(&tio, B115200);
  ::tcsetattr(slave_, TCSANOW, &tio);
  watch_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch_ < 0 || ::inotify_add_watch(watch_, name, IN_OPEN | IN_CLOSE) < 0) {
    const std::runtime_error error = Failure("cannot watch " + path_);
    Close();
    throw error;
  }
  if (!link.empty()) {
    try {
      MakeLink(link, path_);
    } catch (...) {
      Close();
      throw;
    }
    link_ = link;
  }
}

Pty::~Pty() { Close(); }

void Pty::Close() {
  if (!link_.empty()) {
    std::error_code error;
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(link_, error)) &&
        std::filesystem::read_symlink(link_, error) == path_) {
      std::filesystem::remove(link_, error);
    }
    link_.clear();
  }
  if (watch_ >= 0) ::close(watch_);
  if (slave_ >= 0) ::close(slave_);
  if (master_ >= 0) ::close(master_);
  watch_ = slave_ = master_ = -1;
}

size_t Pty::Read(char* buffer, size_t size) {
  const ssize_t n = ::read(master_, buffer, size);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

size_t Pty::Write(const char* data, size_t size) {
  const ssize_t n = ::write(master_, data, size);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

void Pty::DropUnread() { ::tcflush(slave_, TCIFLUSH); }

int Pty::listeners() {
  alignas(inotify_event) char buffer[4096];
  for (ssize_t n; (n = ::read(watch_, buffer, sizeof buffer)) > 0;) {
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      if (event->mask & IN_OPEN) ++listeners_;
      if (event->mask & IN_CLOSE) --listeners_;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return listeners_;
}

}  // namespace airlab::linux_port
