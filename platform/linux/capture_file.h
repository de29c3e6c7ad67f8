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
  uint32_t origlen = 0;  // length on the air; reading: >= data.size(); writing: 0 = data.size()
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

// The format a file name asks for: .pcapng -> pcapng, .pcap or .cap -> pcap (any case).
// Throws std::runtime_error for any other name.
CaptureFormat CaptureFormatForPath(const std::string& path);

struct CaptureWriterOptions {
  // The file's format; unset: CaptureFormatForPath (a FIFO's name rarely tells: set it).
  std::optional<CaptureFormat> format;
  uint32_t link_type = wire::kLinkTypeIeee80211Radiotap;  // of interface 0
  uint32_t snaplen = 262144;
  std::string interface_name;  // pcapng if_name of interface 0; empty: none
  std::string user_appl = "airlab";  // pcapng shb_userappl
  bool pcap_nanosecond = true;  // pcap magic a1b23c4d; false: microseconds (a1b2c3d4)
  // Write each packet out as soon as it is added (a live viewer on the other end). Always on
  // for a FIFO.
  bool flush_each_packet = false;
};

// Writes a capture file, or streams one into a FIFO (Wireshark's extcap reads that way),
// buffering writes and flushing when the buffer fills, on Flush(), after every packet when
// asked, and on Close(). Writing into a FIFO whose reader has gone raises SIGPIPE; ignore
// the signal to get that as a std::runtime_error instead.
class CaptureFileWriter {
 public:
  // Creates or truncates `path` (a FIFO is opened, which waits for its reader) and writes
  // the file header (and pcapng's first interface). Throws std::runtime_error.
  CaptureFileWriter(std::string path, const CaptureWriterOptions& options);
  // Closes; errors are lost here, so call Close() to see them.
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
  void Close();

  CaptureFormat format() const { return format_; }
  const std::string& path() const { return path_; }

 private:
  // Runs `write` on the free end of the buffer, making room until it fits; a Status other
  // than kResourceExhausted becomes std::invalid_argument saying `what` went wrong.
  template <typename F>
  void Append(const char* what, F&& write);
  void WriteInterface(uint32_t link_type, const std::string& name);

  std::string path_;
  int fd_ = -1;
  CaptureFormat format_;
  bool flush_each_packet_;
  wire::PcapHeader pcap_header_;
  uint32_t snaplen_;
  std::vector<wire::PcapngInterface> interfaces_;
  std::vector<std::byte> buffer_;
  size_t used_ = 0;
};

}  // namespace airlab::linux_port
