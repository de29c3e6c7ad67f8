#pragma once
// A pseudo-terminal that plays a board's USB serial port: tools open the slave side
// (/dev/pts/N, or a stable symlink to it) as they open /dev/ttyUSB0; the board reads and
// writes the master side. The slave is raw (no echo, no line discipline: the board's REPL
// echoes) and this object keeps it open itself, so the master never sees EOF or EIO while
// no tool has the port open, and a tool may open and close it as often as it likes.

#include <cstddef>
#include <filesystem>
#include <string>

namespace airlab::linux_port {

class Pty {
 public:
  // Opens a new pseudo-terminal; with a non-empty `link`, also makes `link` a symlink to
  // its slave (replacing an existing symlink, never another kind of file). Throws
  // std::runtime_error naming the cause and the fix.
  explicit Pty(const std::filesystem::path& link = {});
  // Closes both sides and removes the link.
  ~Pty();
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  // The master side, non-blocking, for poll().
  int fd() const { return master_; }
  // "/dev/pts/N".
  const std::string& path() const { return path_; }

  // Reads what tools wrote: the count, 0 when nothing waits. Never blocks.
  size_t Read(char* buffer, size_t size);
  // Writes what it can without blocking; returns the count taken.
  size_t Write(const char* data, size_t size);
  // Drops output written to the port that no tool has read: a board's UART output is
  // lost when nobody listens, and a port nobody reads must not stop the board.
  void DropUnread();
  // How many times tools have the slave open now (inotify counts opens and closes of the
  // device; this object's own open is not counted).
  int listeners();

 private:
  void Close();

  int master_ = -1;
  int slave_ = -1;
  int watch_ = -1;  // inotify on the slave's device
  int listeners_ = 0;
  std::string path_;
  std::filesystem::path link_;
};

}  // namespace airlab::linux_port
