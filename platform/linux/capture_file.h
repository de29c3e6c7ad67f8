#pragma once
// Capture files on a Linux host: read pcap or pcapng (told apart by their magic) as one
// stream of packets, and write either format to a file or a FIFO. The formats themselves
// are core/wire/pcap.h and core/wire/pcapng.h; this adds files, buffering and error
// sentences a user can act on (std::runtime_error naming the file, the offset, what is
// wrong and how to fix it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/wire/pcap.h"
#include "core/wire/pcapng.h"

namespace airlab::linux_port {

enum class CaptureFormat { kPcap, kPcapng };

// One packet, the same whichever format it came from or goes to.
struct CapturedPacket {
  int64_t ts_ns = 0;  // since the Unix epoch (0 for a pcapng Simple Packet Block)
  uint32_t link_type = wire::kLinkTypeIeee80211Radiotap;
  uint32_t interface_index = 0;  // across the whole file; always 0 in pcap
  ByteSpan data;
  uint32_t origlen = 0;      // length on the air; reading: >= data.size(); writing: 0 = data.size()
  std::string_view comment;  // pcapng opt_comment; pcap has no place for one
};

// Reads a whole capture file: regular files are memory-mapped (a million frames cost no
// copy), FIFOs and pipes are read to their end in chunks first.
class CaptureFileReader {
 public:
  // Throws std::runtime_error when the file cannot be opened, is empty, is neither pcap nor
  // pcapng, or its header is broken.
  explicit CaptureFileReader(std::string path);
  ~CaptureFileReader();
  CaptureFileReader(const CaptureFileReader&) = delete;
  CaptureFileReader& operator=(const CaptureFileReader&) = delete;

  // The next packet, std::nullopt at the clean end of the file. Its data and comment point
  // into the file's bytes and stay valid as long as the reader. Throws std::runtime_error
  // on a truncated or corrupt record or block; the packets before it were good.
  std::optional<CapturedPacket> Next();

  CaptureFormat format() const { return format_; }
  const std::string& path() const { return path_; }
  // Where the next record or block starts in the file.
  size_t offset() const;

 private:
  [[noreturn]] void Fail(size_t offset, const std::string& what) const;
  std::string RepairHint() const;
  [[noreturn]] void FailPcap(Status status) const;
  [[noreturn]] void FailPcapng(Status status) const;

  std::string path_;
  void* map_ = nullptr;  // the mmap of a regular file, else null
  size_t map_size_ = 0;
  std::vector<std::byte> stream_bytes_;  // a FIFO's or pipe's whole content
  ByteSpan bytes_;
  CaptureFormat format_ = CaptureFormat::kPcap;
  std::vector<wire::PcapngInterface> interfaces_;  // the pcapng reader's storage; never resized
  std::optional<wire::PcapReader> pcap_;
  std::optional<wire::PcapngReader> pcapng_;
};

// The format a file name asks for: a name ending in .pcap or .cap (any case) gets pcap,
// every other name pcapng ("-", /dev/null and FIFOs included).
CaptureFormat CaptureFormatForPath(const std::string& path);

// Where every airlab command writes an output file, by one convention that never destroys
// what the user has:
// - "-" is standard output;
// - an existing non-regular file (/dev/null, a FIFO, a terminal) is written directly;
// - anything else is written to a temporary file beside it (NAME.airlab-PID-N.part) that
//   Commit() renames into place, so a run that fails or is killed leaves NAME as it was;
// - a path naming the same file (device and inode) as one of the command's inputs is
//   refused, so `-r x.pcapng -w x.pcapng` cannot wipe its input.
// Open every input before constructing one, so a missing input fails first.
// Throws std::runtime_error when `output` exists and is the same file (device and inode)
// as one of `inputs`: what OutputFile checks, for a command that hands a path on.
void RefuseInputAsOutput(const std::string& output, const std::vector<std::string>& inputs);

class OutputFile {
 public:
  // Throws std::runtime_error naming the path and the fix when it cannot be created or is
  // one of `inputs`.
  explicit OutputFile(std::string path, const std::vector<std::string>& inputs = {});
  // Without Commit(): removes the temporary file (the destination is untouched).
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes all of `bytes`. Throws std::runtime_error saying why (a FIFO's reader gone:
  // EPIPE, with SIGPIPE ignored; a full disk).
  void Write(ByteSpan bytes);
  // Closes and renames the temporary file into place. Throws std::runtime_error.
  void Commit();
  // Closes and removes the temporary file; the destination stays as it was.
  void Abandon();

  const std::string& path() const { return path_; }
  // A reader waits at the other end (FIFO, pipe, terminal): write each packet at once.
  bool live() const { return live_; }
  bool is_stdout() const { return path_ == "-"; }

 private:
  std::string path_;
  std::string temporary_;  // empty: writing the destination directly
  int fd_ = -1;
  bool live_ = false;
};

struct CaptureWriterOptions {
  // The file's format; unset: CaptureFormatForPath.
  std::optional<CaptureFormat> format;
  uint32_t link_type = wire::kLinkTypeIeee80211Radiotap;  // of interface 0
  uint32_t snaplen = 262144;
  std::string interface_name;        // pcapng if_name of interface 0; empty: none
  std::string user_appl = "airlab";  // pcapng shb_userappl
  bool pcap_nanosecond = true;       // pcap magic a1b23c4d; false: microseconds (a1b2c3d4)
  // Write each packet out as soon as it is added (a live viewer on the other end). Always on
  // for a FIFO.
  bool flush_each_packet = false;
};

// Writes a capture file through an OutputFile (its convention: "-", FIFOs, a temporary
// file renamed into place, inputs refused), buffering writes and flushing when the buffer
// fills, on Flush(), after every packet when asked or live, and on Close(). Writing into a
// FIFO whose reader has gone raises SIGPIPE; ignore the signal to get that as a
// std::runtime_error instead.
class CaptureFileWriter {
 public:
  // Opens `path` as an OutputFile refusing `inputs` (a FIFO is opened, which waits for its
  // reader) and writes the file header (and pcapng's first interface). Throws
  // std::runtime_error.
  CaptureFileWriter(std::string path, const CaptureWriterOptions& options,
                    const std::vector<std::string>& inputs = {});
  // Leaving scope normally closes (errors are lost here, so call Close() to see them);
  // leaving it by an exception abandons the file, leaving the destination as it was.
  ~CaptureFileWriter();
  CaptureFileWriter(const CaptureFileWriter&) = delete;
  CaptureFileWriter& operator=(const CaptureFileWriter&) = delete;

  // pcapng: describes one more interface and returns its index. pcap has one link type per
  // file: throws std::runtime_error.
  uint32_t AddInterface(uint32_t link_type, std::string name);
  // Throws std::invalid_argument when the packet's interface does not exist or has another
  // link type, or its timestamp cannot be written (before 1970; pcap: after 2106);
  // std::runtime_error when writing fails. pcap drops the comment (it cannot hold one).
  void Write(const CapturedPacket& packet);
  void Flush();
  // Flushes and puts the file in place (OutputFile::Commit). Throws std::runtime_error.
  void Close();
  // Drops the file: the destination stays as it was.
  void Abandon();

  CaptureFormat format() const { return format_; }
  const std::string& path() const { return output_.path(); }

 private:
  // Runs `write` on the free end of the buffer, making room until it fits; a Status other
  // than kResourceExhausted becomes std::invalid_argument saying `what` went wrong.
  template <typename F>
  void Append(const char* what, F&& write);
  void WriteInterface(uint32_t link_type, const std::string& name);

  OutputFile output_;
  bool open_ = true;
  int uncaught_exceptions_;  // at construction: more at destruction means unwinding
  CaptureFormat format_;
  bool flush_each_packet_;
  wire::PcapHeader pcap_header_;
  uint32_t snaplen_;
  std::vector<wire::PcapngInterface> interfaces_;
  std::vector<std::byte> buffer_;
  size_t used_ = 0;
};

}  // namespace airlab::linux_port
