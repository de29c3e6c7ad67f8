// `airlab espnow send|recv --iface IF`: ESP-NOW by hand on a Linux monitor interface, through
// the same Stack and MicroPython-style facade the boards use.

#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/app_output.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "core/base/ascii.h"
#include "core/espnow/espnow.h"
#include "core/espnow/stack.h"
#include "core/port/rng.h"
#include "host/monitor_iface.h"
#include "platform/mbedtls/mbedtls_aes128.h"

namespace airlab::cli {
namespace {

using linux_port::InterfaceError;

std::atomic<bool> g_stop{false};

void OnStopSignal(int signal) {
  NoteStopSignal(signal);
  g_stop = true;
}

espnow::Key ParseKey(const std::string& text, const std::string& option) {
  espnow::Key key{};
  if (text.size() != 2 * key.size()) {
    throw UserError(option + " needs 16 bytes as 32 hex digits, e.g. " + option +
                    " 00112233445566778899aabbccddeeff");
  }
  for (size_t i = 0; i < key.size(); ++i) {
    const int hi = HexDigitValue(text[2 * i]), lo = HexDigitValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) throw UserError(option + " has a character that is not a hex digit");
    key[i] = static_cast<std::byte>(hi << 4 | lo);
  }
  return key;
}

std::string ToHex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::byte b : bytes) {
    out += kDigits[static_cast<uint8_t>(b) >> 4];
    out += kDigits[static_cast<uint8_t>(b) & 0xf];
  }
  return out;
}

bool Printable(ByteSpan payload) {
  for (std::byte b : payload) {
    if (static_cast<uint8_t>(b) < 0x20 || static_cast<uint8_t>(b) >= 0x7f) return false;
  }
  return true;
}

struct RadioArgs {
  std::string iface, mac, pmk, lmk;
  int channel = 0;
};

void AddRadioOptions(CLI::App* cmd, RadioArgs& a) {
  cmd->add_option("--iface", a.iface,
                  "A monitor interface made by `airlab iface setup` (needs CAP_NET_RAW: sudo)")
      ->required();
  cmd->add_option("--channel", a.channel,
                  "Move the interface to this channel first (needs CAP_NET_ADMIN)");
  cmd->add_option("--mac", a.mac,
                  "Give the interface this MAC first (needs CAP_NET_ADMIN); default: its own");
  cmd->add_option("--pmk", a.pmk, "The primary master key, 32 hex digits (encrypted peers)");
  cmd->add_option("--lmk", a.lmk,
                  "The peer's local master key, 32 hex digits: encrypts (send) or decrypts "
                  "(recv, with --peer) its messages");
}

// The radio, the Stack and the facade on it, with the interface's errors as UserErrors.
class Station {
 public:
  explicit Station(const RadioArgs& a) {
    if (a.channel != 0 && (a.channel < 1 || a.channel > 14)) {
      throw UserError("--channel " + std::to_string(a.channel) + " is not 1 to 14");
    }
    std::optional<MacAddress> mac;
    if (!a.mac.empty()) mac = ParseMacOption(a.mac, "--mac");
    try {
      link_ = host::OpenMonitor(a.iface,
                                a.channel ? std::optional<uint8_t>(a.channel) : std::nullopt, mac);
    } catch (const InterfaceError& e) {
      throw UserError(e.what());
    }
    stack_ = std::make_unique<espnow::StaticStack<20, 24, 16384>>(*link_.radio, rng_, aes_);
    waiter_ = link_.loop->NewWaiter();
    facade_ = std::make_unique<espnow::ESPNow>(stack_->stack(), link_.loop->clock(), *waiter_);
    espnow::ConfigUpdate config;
    config.rxbuf = 16384;
    Check(facade_->config(config), "configure ESP-NOW");
    Check(facade_->active(true), "start ESP-NOW");
    if (!a.pmk.empty()) Check(facade_->set_pmk(ParseKey(a.pmk, "--pmk")), "set the PMK");
  }
  ~Station() {
    facade_.reset();
    waiter_.reset();
    stack_.reset();
  }

  espnow::ESPNow& e() { return *facade_; }
  linux_port::MonitorRadio& radio() { return *link_.radio; }
  // The interface's error when the loop failed, else `fallback`.
  void Check(Status status, const std::string& what) {
    if (status.ok()) return;
    if (link_.loop->failed()) throw UserError(link_.loop->error());
    throw UserError("cannot " + what + " (" + status.str() + ")");
  }
  void ThrowIfLost() {
    if (link_.loop->failed()) throw UserError(link_.loop->error());
  }

 private:
  host::MonitorLink link_;
  port::SplitMix64 rng_{static_cast<uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ull};
  mbedtls::MbedtlsAes128 aes_;
  std::unique_ptr<espnow::StaticStack<20, 24, 16384>> stack_;
  std::unique_ptr<port::Waiter> waiter_;
  std::unique_ptr<espnow::ESPNow> facade_;
};

struct SendArgs {
  RadioArgs radio;
  std::string to = "ff:ff:ff:ff:ff:ff", payload;
  int count = 1, version = 1;
  double interval_s = 0.1;
};

void RunSend(const SendArgs& a) {
  const MacAddress to = ParseMacOption(a.to, "--to");
  if (a.version != 1 && a.version != 2) throw UserError("--version is 1 or 2");
  const auto version = static_cast<espnow::Version>(a.version);
  if (a.payload.size() > espnow::MaxPayload(version)) {
    throw UserError("the payload has " + std::to_string(a.payload.size()) +
                    " bytes, more than ESP-NOW v" + std::to_string(a.version) + " carries (" +
                    std::to_string(espnow::MaxPayload(version)) + ")");
  }
  if (!a.radio.lmk.empty() && to.is_multicast()) {
    throw UserError("--lmk encrypts unicast only; give --to the peer's MAC");
  }
  Station station(a.radio);
  espnow::PeerOptions peer;
  peer.version = version;
  if (!a.radio.lmk.empty()) peer.lmk = ParseKey(a.radio.lmk, "--lmk");
  station.Check(station.e().add_peer(to, peer), "add the peer " + a.to);
  std::printf("airlab espnow send: %s (%s) on channel %u to %s\n", a.radio.iface.c_str(),
              MacText(station.radio().hardware_address()).c_str(), station.radio().channel(),
              a.to.c_str());
  std::fflush(stdout);
  int failed = 0;
  for (int i = 0; i < a.count; ++i) {
    if (i > 0) usleep(static_cast<useconds_t>(a.interval_s * 1e6));
    Result<bool> delivered = station.e().send(to, a.payload, true);
    station.ThrowIfLost();
    if (!delivered.ok()) station.Check(delivered.status(), "send");
    const char* outcome = to.is_multicast() ? "sent (broadcast, no ACK)"
                          : *delivered      ? "delivered (ACKed)"
                                            : "NOT delivered (no ACK)";
    if (!to.is_multicast() && !*delivered) ++failed;
    std::printf("%d/%d: %zu bytes %s\n", i + 1, a.count, a.payload.size(), outcome);
    std::fflush(stdout);
  }
  if (failed > 0) {
    throw UserError(std::to_string(failed) + " of " + std::to_string(a.count) +
                    " messages were not acknowledged by " + a.to + "; is it on channel " +
                    std::to_string(station.radio().channel()) + " and listening on that MAC?");
  }
}

struct RecvArgs {
  RadioArgs radio;
  std::string peer;
  int count = 0;
  double timeout_s = 0;
  bool json = false;
};

void PrintMessage(const espnow::Message& m, const RecvArgs& a) {
  const ByteSpan msg = *m.msg;
  if (a.json) {
    nlohmann::ordered_json line = {{"from", MacText(*m.mac)},  {"rssi_dbm", m.rssi_dbm},
                                   {"broadcast", m.broadcast}, {"encrypted", m.encrypted},
                                   {"length", msg.size()},     {"payload_hex", ToHex(msg)}};
    if (Printable(msg)) {
      line["payload_text"] = std::string(reinterpret_cast<const char*>(msg.data()), msg.size());
    }
    std::printf("%s\n", line.dump().c_str());
  } else {
    const std::string text =
        Printable(msg)
            ? "\"" + std::string(reinterpret_cast<const char*>(msg.data()), msg.size()) + "\""
            : ToHex(msg);
    std::printf("from %s  %d dBm  %s%s  %zu bytes  %s\n", MacText(*m.mac).c_str(), m.rssi_dbm,
                m.broadcast ? "broadcast" : "unicast", m.encrypted ? " encrypted" : "", msg.size(),
                text.c_str());
  }
  std::fflush(stdout);
}

void RunRecv(const RecvArgs& a) {
  if (!a.radio.lmk.empty() && a.peer.empty()) {
    throw UserError("--lmk decrypts one peer's messages; give its MAC with --peer");
  }
  Station station(a.radio);
  if (!a.peer.empty()) {
    espnow::PeerOptions peer;
    if (!a.radio.lmk.empty()) peer.lmk = ParseKey(a.radio.lmk, "--lmk");
    station.Check(station.e().add_peer(ParseMacOption(a.peer, "--peer"), peer), "add the peer");
  }
  std::fprintf(stderr, "airlab espnow recv: listening on %s (%s), channel %u; Ctrl-C stops it\n",
               a.radio.iface.c_str(), MacText(station.radio().hardware_address()).c_str(),
               station.radio().channel());
  g_stop = false;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  const auto start = std::chrono::steady_clock::now();
  int received = 0;
  while (!g_stop && (a.count == 0 || received < a.count)) {
    if (a.timeout_s > 0 &&
        std::chrono::steady_clock::now() - start >= std::chrono::duration<double>(a.timeout_s)) {
      break;
    }
    Result<espnow::Message> m = station.e().irecv(100);  // short, to see Ctrl-C and --timeout
    station.ThrowIfLost();
    if (!m.ok()) station.Check(m.status(), "receive");
    if (!m->mac) continue;
    ++received;
    PrintMessage(*m, a);
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  const linux_port::MonitorRadioCounters c = station.radio().counters();
  std::fprintf(stderr,
               "airlab espnow recv: %d messages; %llu frames captured, %llu skipped (bad "
               "radiotap or too short), %llu dropped by the kernel\n",
               received, (unsigned long long)c.captured,
               (unsigned long long)(c.bad_radiotap + c.too_short),
               (unsigned long long)c.kernel_dropped);
  if (a.count > 0 && received < a.count && !g_stop) {
    throw UserError("only " + std::to_string(received) + " of " + std::to_string(a.count) +
                    " messages came within --timeout " + std::to_string(a.timeout_s) +
                    " s; is the sender on channel " + std::to_string(station.radio().channel()) +
                    "?");
  }
}

}  // namespace

void AddEspnowRadioCommands(CLI::App& espnow) {
  auto send_args = std::make_shared<SendArgs>();
  CLI::App* send = espnow.add_subcommand(
      "send",
      "Send ESP-NOW messages from a Linux monitor interface and say whether each was "
      "ACKed (needs CAP_NET_RAW: sudo)");
  AddRadioOptions(send, send_args->radio);
  send->add_option("--to", send_args->to, "The peer's MAC (default: broadcast)")
      ->capture_default_str();
  send->add_option("--payload", send_args->payload, "The message, as text")->required();
  send->add_option("--count", send_args->count, "How many times")
      ->capture_default_str()
      ->check(NonNegative());
  send->add_option("--interval", send_args->interval_s, "Seconds between messages")
      ->capture_default_str()
      ->check(NonNegative());
  send->add_option("--version", send_args->version, "ESP-NOW version 1 (250 bytes) or 2 (1470)")
      ->capture_default_str();
  send->footer(
      "Exits 1 when a unicast message was not ACKed.\n"
      "Example:\n"
      "  sudo airlab espnow send --iface wlan0 --to 02:00:00:00:01:00 --payload hello --count 3");
  send->callback([send_args] { RunSend(*send_args); });

  auto recv_args = std::make_shared<RecvArgs>();
  CLI::App* recv = espnow.add_subcommand(
      "recv",
      "Print the ESP-NOW messages a Linux monitor interface receives (needs CAP_NET_RAW: "
      "sudo); runs until Ctrl-C, --count or --timeout");
  AddRadioOptions(recv, recv_args->radio);
  recv->add_option("--peer", recv_args->peer, "Register this sender (with --lmk: to decrypt)");
  recv->add_option("--count", recv_args->count,
                   "Stop after this many messages (exit 1 if "
                   "--timeout comes first)")
      ->check(NonNegative());
  recv->add_option("--timeout", recv_args->timeout_s, "Stop after this many seconds")
      ->check(NonNegative());
  recv->add_flag("--json", recv_args->json, "One JSON object per message");
  recv->footer(
      "Example:\n"
      "  sudo airlab espnow recv --iface wlan1 --count 3 --timeout 10");
  recv->callback([recv_args] { RunRecv(*recv_args); });
}

}  // namespace airlab::cli
