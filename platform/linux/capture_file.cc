#include "platform/linux/capture_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <utility>

namespace airlab::linux_port {
namespace {

// IDBs one section may hold; mergecap of many captures stays far below.
constexpr size_t kMaxInterfacesPerSection = 4096;
constexpr size_t kWriteBufferSize = 256 * 1024;
constexpr size_t kFlushThreshold = 64 * 1024;
constexpr size_t kReadChunk = 1 << 20;

std::string Hex32(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", v);
  return text;
}

std::string FirstBytes(ByteSpan bytes) {
  std::string text;
  for (size_t i = 0; i < bytes.size() && i < 4; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%s%02x", i ? " " : "", load_u8(bytes, i));
    text += hex;
  }
  return text;
}

std::string BlockName(uint32_t type) {
  switch (type) {
    case wire::kPcapngSectionHeader: return "Section Header Block";
    case wire::kPcapngInterfaceDescription: return "Interface Description Block";
    case wire::kPcapngPacket: return "Packet Block";
    case wire::kPcapngSimplePacket: return "Simple Packet Block";
    case wire::kPcapngEnhancedPacket: return "Enhanced Packet Block";
    default: return "block of type " + Hex32(type);
  }
}

constexpr const char* kPacketProblem =
    "a packet: its timestamp is before 1970 or past what the format holds (pcap: 2106), or "
    "its comment is over 65535 bytes";

bool IsPcapMagic(uint32_t magic) {
  return magic == wire::kPcapMagicMicroseconds || magic == wire::kPcapMagicNanoseconds;
}

}  // namespace

CaptureFileReader::CaptureFileReader(std::string path) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(path_ + ": cannot open it: " + std::strerror(errno) +
                             "; check the path and that you may read it");
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    map_size_ = static_cast<size_t>(st.st_size);
    if (map_size_ != 0) {
      void* map = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map == MAP_FAILED) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error(path_ + ": cannot map it into memory: " + std::strerror(error));
      }
      map_ = map;
      ::madvise(map_, map_size_, MADV_SEQUENTIAL);
      bytes_ = AsBytes(map_, map_size_);
    }
  } else {
    // A FIFO or pipe cannot be mapped: read it to its end.
    size_t size = 0;
    while (true) {
      stream_bytes_.resize(size + kReadChunk);
      const ssize_t n = ::read(fd, stream_bytes_.data() + size, kReadChunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error(path_ + ": reading failed: " + std::strerror(error));
      }
      if (n == 0) break;
      size += static_cast<size_t>(n);
    }
    stream_bytes_.resize(size);
    bytes_ = stream_bytes_;
  }
  ::close(fd);

  try {
    if (bytes_.empty()) {
      throw std::runtime_error(path_ +
                               ": the file is empty; the capture wrote nothing to it "
                               "(stopped before its header?)");
    }
    if (bytes_.size() >= 4 && load_le32(bytes_, 0) == wire::kPcapngSectionHeader) {
      format_ = CaptureFormat::kPcapng;
      interfaces_.resize(kMaxInterfacesPerSection);
      Result<wire::PcapngReader> reader = wire::PcapngReader::Open(bytes_, interfaces_);
      if (!reader.ok()) FailPcapng(reader.status());
      pcapng_ = *reader;
    } else if (bytes_.size() >= 4 &&
               (IsPcapMagic(load_le32(bytes_, 0)) || IsPcapMagic(load_be32(bytes_, 0)))) {
      format_ = CaptureFormat::kPcap;
      Result<wire::PcapReader> reader = wire::PcapReader::Open(bytes_);
      if (!reader.ok()) FailPcap(reader.status());
      pcap_ = *reader;
    } else if (bytes_.size() >= 2 && load_u8(bytes_, 0) == 0x1f && load_u8(bytes_, 1) == 0x8b) {
      Fail(0,
           "the file is gzip-compressed; decompress it first (gunzip, or let Wireshark "
           "save it uncompressed)");
    } else {
      Fail(0, "not a pcap or pcapng capture (it starts with " + FirstBytes(bytes_) +
                  "; pcap starts a1b2c3d4 or a1b23c4d in either byte order, pcapng 0a0d0d0a); "
                  "convert it with `editcap -F pcapng " +
                  path_ + " out.pcapng` if Wireshark reads it");
    }
  } catch (...) {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    throw;
  }
}

CaptureFileReader::~CaptureFileReader() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

size_t CaptureFileReader::offset() const { return pcap_ ? pcap_->offset() : pcapng_->offset(); }

std::optional<CapturedPacket> CaptureFileReader::Next() {
  CapturedPacket packet;
  if (pcap_) {
    Result<wire::PcapRecord> record = pcap_->Next();
    if (!record.ok()) {
      if (record.status() == Status::OutOfRange() && pcap_->at_end()) return std::nullopt;
      FailPcap(record.status());
    }
    packet.ts_ns = record->ts_ns;
    packet.link_type = pcap_->header().link_type;
    packet.data = record->data;
    packet.origlen = record->origlen;
    return packet;
  }
  Result<wire::PcapngPacket> block = pcapng_->Next();
  if (!block.ok()) {
    if (block.status() == Status::OutOfRange() && pcapng_->at_end()) return std::nullopt;
    FailPcapng(block.status());
  }
  packet.ts_ns = block->ts_ns;
  packet.link_type = block->link_type;
  packet.interface_index = block->interface_index;
  packet.data = block->data;
  packet.origlen = block->origlen;
  packet.comment = block->comment;
  return packet;
}

std::string CaptureFileReader::RepairHint() const {
  return "the packets before it are intact: `editcap " + path_ + " repaired." +
         (format_ == CaptureFormat::kPcap ? "pcap" : "pcapng") + "` copies them into a clean file";
}

void CaptureFileReader::Fail(size_t offset, const std::string& what) const {
  throw std::runtime_error(path_ + ": offset " + std::to_string(offset) + ": " + what);
}

void CaptureFileReader::FailPcap(Status status) const {
  if (!pcap_) {  // the file header
    if (status == Status::OutOfRange()) {
      Fail(0, "the file is " + std::to_string(bytes_.size()) +
                  " bytes, shorter than the 24-byte pcap header: it was cut off");
    }
    const bool big = IsPcapMagic(load_be32(bytes_, 0));
    Fail(0, "pcap version " + std::to_string(big ? load_be16(bytes_, 4) : load_le16(bytes_, 4)) +
                " is not one this reader knows (2.x): re-save it with `editcap -F pcap " + path_ +
                " out.pcap`");
  }
  const size_t at = pcap_->offset();
  const ByteSpan rest = bytes_.subspan(at);
  const wire::ByteOrder order = pcap_->header().byte_order;
  if (rest.size() < wire::kPcapRecordHeaderSize) {
    Fail(at, "the file ends " + std::to_string(rest.size()) +
                 " bytes into a 16-byte record header: it was cut off; " + RepairHint());
  }
  const uint32_t caplen = wire::LoadU32(order, rest, 8);
  const uint32_t origlen = wire::LoadU32(order, rest, 12);
  const std::string fields = "record with caplen " + std::to_string(caplen) + ", origlen " +
                             std::to_string(origlen) + ", file snaplen " +
                             std::to_string(pcap_->header().snaplen);
  if (status == Status::OutOfRange()) {
    Fail(at, fields + " needs " + std::to_string(16 + uint64_t{caplen}) +
                 " bytes but the file ends after " + std::to_string(rest.size()) +
                 ": it was cut off while being written; " + RepairHint());
  }
  Fail(at, fields +
               ": the record header is corrupt (caplen above snaplen or origlen); "
               "nothing after it can be trusted, " +
               RepairHint());
}

void CaptureFileReader::FailPcapng(Status status) const {
  const size_t at = pcapng_ ? pcapng_->offset() : 0;
  const ByteSpan rest = bytes_.subspan(at);
  if (rest.size() < 8) {
    Fail(at, "the file ends " + std::to_string(rest.size()) +
                 " bytes into a block header: it was cut off; " + RepairHint());
  }
  if (load_le32(rest, 0) == wire::kPcapngSectionHeader) {
    if (status == Status::Unimplemented()) {
      Fail(at,
           "Section Header Block of a pcapng version this reader does not know "
           "(it reads 1.x); re-save it with `editcap -F pcapng " +
               path_ + " out.pcapng`");
    }
    if (status == Status::OutOfRange()) {
      Fail(at, "the Section Header Block is cut off: the file is truncated");
    }
    Fail(at,
         "the Section Header Block is corrupt (byte-order magic, length or options); "
         "nothing from here on can be read");
  }
  const wire::ByteOrder order = pcapng_->section().byte_order;
  const uint32_t type = wire::LoadU32(order, rest, 0);
  const uint32_t length = wire::LoadU32(order, rest, 4);
  const std::string block = BlockName(type) + " of " + std::to_string(length) + " bytes";
  if (status == Status::OutOfRange()) {
    Fail(at, block + ", but only " + std::to_string(rest.size()) +
                 " bytes remain: the file was cut off while being written, or the length is "
                 "corrupt; " +
                 RepairHint());
  }
  if (status == Status::NotFound()) {
    Fail(at, block + " names an interface its section has not described (it has " +
                 std::to_string(pcapng_->interfaces().size()) +
                 "): an Interface Description Block is missing, as when files are "
                 "concatenated instead of merged; use `mergecap -w out.pcapng A B`");
  }
  if (status == Status::ResourceExhausted()) {
    Fail(at, "a section describes more than " + std::to_string(kMaxInterfacesPerSection) +
                 " interfaces; split the capture with editcap");
  }
  if (status == Status::Unimplemented()) {
    Fail(at, block +
                 ": its if_tsresol is finer than 64-bit timestamps can carry; re-save "
                 "it with `editcap -F pcapng " +
                 path_ + " out.pcapng`");
  }
  if (!wire::ParsePcapngBlock(rest, order).ok()) {
    Fail(at, block +
                 ": the length is invalid (under 12, not a multiple of 4, or the trailing "
                 "copy differs): the block structure is corrupt from here on; " +
                 RepairHint());
  }
  Fail(at, block +
               ": its contents are inconsistent (shorter than its fixed fields, caplen "
               "past the block or above origlen, an option running past the block or of "
               "the wrong size, or a timestamp out of range); " +
               RepairHint());
}

CaptureFormat CaptureFormatForPath(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto ends_with = [&](std::string_view suffix) {
    return lower.size() >= suffix.size() &&
           lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".pcap") || ends_with(".cap") ? CaptureFormat::kPcap : CaptureFormat::kPcapng;
}

void RefuseInputAsOutput(const std::string& output, const std::vector<std::string>& inputs) {
  struct stat out {};
  const bool exists =
      output == "-" ? ::fstat(STDOUT_FILENO, &out) == 0 : ::stat(output.c_str(), &out) == 0;
  if (!exists || S_ISCHR(out.st_mode)) return;  // /dev/null is everyone's
  for (const std::string& input : inputs) {
    struct stat in {};
    if (::stat(input == "-" ? "/dev/stdin" : input.c_str(), &in) == 0 && in.st_dev == out.st_dev &&
        in.st_ino == out.st_ino) {
      throw std::runtime_error(
          output + " is also this command's input " + input +
          ": writing it would destroy what is being read; choose another output file");
    }
  }
}

OutputFile::OutputFile(std::string path, const std::vector<std::string>& inputs)
    : path_(std::move(path)) {
  if (path_.empty()) {
    throw std::runtime_error("an output file needs a name: give a path, or - for standard output");
  }
  RefuseInputAsOutput(path_, inputs);
  struct stat existing {};
  const bool exists =
      is_stdout() ? ::fstat(STDOUT_FILENO, &existing) == 0 : ::stat(path_.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) {
    throw std::runtime_error(path_ + " is a directory; name a file in it, e.g. " + path_ +
                             "/out.pcapng");
  }
  if (is_stdout()) {
    fd_ = STDOUT_FILENO;
  } else if (exists && !S_ISREG(existing.st_mode)) {
    // /dev/null, a FIFO, a terminal: nothing to keep, and a FIFO's reader waits on it.
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  } else {
    static std::atomic<unsigned> counter{0};
    do {
      temporary_ = path_ + ".airlab-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter++) + ".part";
      fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    } while (fd_ < 0 && errno == EEXIST);
    // A file replaced keeps its permissions.
    if (fd_ >= 0 && exists) ::fchmod(fd_, existing.st_mode & 07777);
  }
  if (fd_ < 0) {
    const int error = errno;
    temporary_.clear();
    throw std::runtime_error(path_ + ": cannot create it: " + std::strerror(error) +
                             "; check that the directory exists and you may write there");
  }
  struct stat st {};
  live_ = (::fstat(fd_, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) ||
          ::isatty(fd_) != 0;
}

OutputFile::~OutputFile() { Abandon(); }

void OutputFile::Write(ByteSpan bytes) {
  if (fd_ < 0) throw std::logic_error(path_ + ": written after Commit() or Abandon()");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      throw std::runtime_error(path_ + ": writing failed: " + std::strerror(error) +
                               (error == EPIPE    ? " (the reader at the other end has gone)"
                                : error == ENOSPC ? " (free some disk space)"
                                                  : ""));
    }
    done += static_cast<size_t>(n);
  }
}

void OutputFile::Commit() {
  if (fd_ < 0) return;
  const int fd = std::exchange(fd_, -1);
  if (fd != STDOUT_FILENO && ::close(fd) != 0) {
    const int error = errno;
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
    temporary_.clear();
    throw std::runtime_error(path_ + ": closing failed: " + std::strerror(error));
  }
  if (!temporary_.empty()) {
    const std::string temporary = std::exchange(temporary_, {});
    if (::rename(temporary.c_str(), path_.c_str()) != 0) {
      const int error = errno;
      ::unlink(temporary.c_str());
      throw std::runtime_error(path_ +
                               ": cannot put the written file in place: " + std::strerror(error));
    }
  }
}

void OutputFile::Abandon() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

CaptureFileWriter::CaptureFileWriter(std::string path, const CaptureWriterOptions& options,
                                     const std::vector<std::string>& inputs)
    : output_(std::move(path), inputs),
      uncaught_exceptions_(std::uncaught_exceptions()),
      format_(options.format ? *options.format : CaptureFormatForPath(output_.path())),
      flush_each_packet_(options.flush_each_packet || output_.live()),
      snaplen_(options.snaplen),
      buffer_(kWriteBufferSize) {
  if (format_ == CaptureFormat::kPcap) {
    pcap_header_.nanosecond = options.pcap_nanosecond;
    pcap_header_.snaplen = options.snaplen;
    pcap_header_.link_type = options.link_type;
    Append("the pcap header", [&](ByteBuilder& out) {
      wire::WritePcapHeader(out, pcap_header_);
      return out.status();
    });
  } else {
    Append("the section header: shb_userappl is over 65535 bytes", [&](ByteBuilder& out) {
      return wire::WritePcapngSectionHeader(out, wire::ByteOrder::kLittle, options.user_appl);
    });
    WriteInterface(options.link_type, options.interface_name);
  }
  // The header goes out at once: a reader on a FIFO waits for it before anything else.
  Flush();
}

CaptureFileWriter::~CaptureFileWriter() {
  if (std::uncaught_exceptions() > uncaught_exceptions_) {
    Abandon();  // the command failed: what it wrote is not what the user asked for
    return;
  }
  try {
    Close();
  } catch (const std::exception&) {
    // Close() is the place to see this; a destructor must not throw.
  }
}

template <typename F>
void CaptureFileWriter::Append(const char* what, F&& write) {
  while (true) {
    ByteBuilder out(MutableByteSpan(buffer_).subspan(used_));
    const Status status = write(out);
    if (status.ok()) {
      used_ += out.size();
      return;
    }
    if (status != Status::ResourceExhausted()) {
      throw std::invalid_argument(path() + ": cannot write " + what + " (" + status.str() + ")");
    }
    // Make room: send what is buffered, or grow for a packet bigger than the buffer.
    if (used_ > 0) {
      Flush();
    } else {
      buffer_.resize(buffer_.size() * 2);
    }
  }
}

void CaptureFileWriter::WriteInterface(uint32_t link_type, const std::string& name) {
  if (link_type > 0xffff) {
    throw std::invalid_argument(path() + ": link type " + std::to_string(link_type) +
                                " does not fit pcapng's 16 bits");
  }
  wire::PcapngInterface iface;
  iface.link_type = static_cast<uint16_t>(link_type);
  iface.snaplen = snaplen_;
  iface.tsresol = wire::kTsresolNanoseconds;
  iface.name = name;
  Append("the interface: its name is over 65535 bytes", [&](ByteBuilder& out) {
    return wire::WritePcapngInterface(out, wire::ByteOrder::kLittle, iface);
  });
  iface.name = {};  // only the IDB needed it
  interfaces_.push_back(iface);
}

uint32_t CaptureFileWriter::AddInterface(uint32_t link_type, std::string name) {
  if (format_ == CaptureFormat::kPcap) {
    throw std::runtime_error(path() +
                             ": a pcap file has a single interface and link type; "
                             "write pcapng for several");
  }
  WriteInterface(link_type, name);
  return static_cast<uint32_t>(interfaces_.size() - 1);
}

void CaptureFileWriter::Write(const CapturedPacket& packet) {
  if (!open_) throw std::logic_error(path() + ": written after Close()");
  const size_t interfaces = format_ == CaptureFormat::kPcap ? 1 : interfaces_.size();
  if (packet.interface_index >= interfaces) {
    throw std::invalid_argument(path() + ": no interface " +
                                std::to_string(packet.interface_index) + " (AddInterface first)");
  }
  const uint32_t link_type = format_ == CaptureFormat::kPcap
                                 ? pcap_header_.link_type
                                 : interfaces_[packet.interface_index].link_type;
  if (packet.link_type != link_type) {
    throw std::invalid_argument(
        path() + ": packet of link type " + std::to_string(packet.link_type) + " for interface " +
        std::to_string(packet.interface_index) + " of link type " + std::to_string(link_type));
  }
  if (format_ == CaptureFormat::kPcap) {
    Append(kPacketProblem, [&](ByteBuilder& out) {
      return wire::WritePcapRecord(out, pcap_header_, packet.ts_ns, packet.data, packet.origlen);
    });
  } else {
    wire::PcapngPacket block;
    block.interface_id = packet.interface_index;  // one section: index and id agree
    block.ts_ns = packet.ts_ns;
    block.data = packet.data;
    block.origlen = packet.origlen;
    block.comment = packet.comment;
    Append(kPacketProblem, [&](ByteBuilder& out) {
      return wire::WritePcapngPacket(out, wire::ByteOrder::kLittle,
                                     interfaces_[packet.interface_index], block);
    });
  }
  if (flush_each_packet_ || used_ >= kFlushThreshold) Flush();
}

void CaptureFileWriter::Flush() {
  if (used_ == 0) return;
  const size_t used = std::exchange(used_, 0);
  output_.Write(ByteSpan(buffer_.data(), used));
}

void CaptureFileWriter::Close() {
  if (!open_) return;
  open_ = false;
  try {
    Flush();
  } catch (...) {
    output_.Abandon();  // half a file is not what was asked for
    throw;
  }
  output_.Commit();
}

void CaptureFileWriter::Abandon() {
  open_ = false;
  used_ = 0;
  output_.Abandon();
}

}  // namespace airlab::linux_port
