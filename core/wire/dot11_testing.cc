#include "core/wire/dot11_testing.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::wire::testing {
namespace {

void PutLe(std::string& out, uint32_t v, int size) {
  for (int i = 0; i < size; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The pcap format is written inline on purpose: core/wire's own pcap writer is tested
// elsewhere, and these tests should not depend on it.
std::string Pcap(const std::vector<Bytes>& frames) {
  std::string file;
  PutLe(file, 0xa1b2c3d4, 4);  // magic, microsecond timestamps
  PutLe(file, 2, 2);           // version 2.4
  PutLe(file, 4, 2);
  PutLe(file, 0, 4);      // thiszone
  PutLe(file, 0, 4);      // sigfigs
  PutLe(file, 65535, 4);  // snaplen
  PutLe(file, 105, 4);    // LINKTYPE_IEEE802_11
  uint32_t second = 0;
  for (const Bytes& frame : frames) {
    PutLe(file, ++second, 4);
    PutLe(file, 0, 4);
    PutLe(file, static_cast<uint32_t>(frame.size()), 4);
    PutLe(file, static_cast<uint32_t>(frame.size()), 4);
    file.append(reinterpret_cast<const char*>(frame.data()), frame.size());
  }
  return file;
}

std::map<std::string, Bytes> LoadGolden() {
  // ctest runs every test from the source root (airlab_add_test); __FILE__ would not do, as
  // ccache's base_dir turns it into a path relative to the build directory.
  const std::filesystem::path path = "tests/data/dot11/golden.txt";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::map<std::string, Bytes> frames;
  std::string name, hex;
  while (in >> name >> hex) frames[name] = FromHex(hex);
  if (frames.empty()) throw std::runtime_error("no frames in " + path.string());
  return frames;
}

}  // namespace

Bytes FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Hex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::byte b : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(b) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(b) & 0xf]);
  }
  return out;
}

std::string ToString(const MacAddress& mac) {
  std::array<char, MacAddress::kStringSize + 1> text;
  mac.Format(text);
  return text.data();
}

const std::map<std::string, Bytes>& GoldenFrames() {
  static const std::map<std::string, Bytes> frames = LoadGolden();
  return frames;
}

const Bytes& Golden(const std::string& name) { return GoldenFrames().at(name); }

std::vector<std::string> Tshark(const std::vector<Bytes>& frames,
                                const std::vector<std::string>& fields, bool fcs,
                                const std::string& options) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("frames.pcap");
  std::ofstream(path, std::ios::binary) << Pcap(frames);
  std::string command = "tshark -r " + path + " -T fields -E separator='|'";
  for (const std::string& f : fields) command += " -e " + f;
  command +=
      fcs ? " -o wlan.check_fcs:TRUE -o wlan.check_checksum:TRUE" : " -o wlan.check_fcs:FALSE";
  if (!options.empty()) command += " " + options;
  const testing_tools::CommandResult r = testing_tools::RunCommand(command);
  if (r.exit_code != 0) throw std::runtime_error("tshark failed: " + command + "\n" + r.err);
  std::vector<std::string> lines;
  std::istringstream stream(r.out);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

}  // namespace airlab::wire::testing
