#pragma once
// The client's side of Improv Wi-Fi over serial (core/wifi/improv.h), as `airlab provision`
// runs it on a board's serial port: ask the state and the device's information, list the
// networks it sees, send credentials and follow the join. The port carries the board's
// console too; its text is skipped, never mistaken for answers.
//
//   linux_port::SerialLine line("/dev/ttyUSB0", 115200);
//   ImprovClient client(line);
//   uint8_t state = client.RequestState(5s);           // wifi::ImprovState values
//   auto outcome = client.Provision("lab-router", "lab-password", 30s, on_state, on_wait);
//
// Every request throws ImprovTimeout when the device does not answer in time, and
// ImprovRefused when it answers with an Improv error (invalid or unknown RPC).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/wifi/improv.h"
#include "platform/linux/serial_line.h"

namespace airlab::host {

struct ImprovTimeout : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ImprovRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ImprovDeviceDetails {
  std::string firmware, version, hardware, name;
};

struct ImprovNetwork {
  std::string ssid;  // raw bytes
  int rssi_dbm = 0;
  bool secured = false;
};

struct ImprovOutcome {
  bool provisioned = false;
  uint8_t error = 0;              // the Improv error when not provisioned (0: timed out)
  std::vector<std::string> urls;  // the device's redirect URL(s), when provisioned
};

class ImprovClient {
 public:
  explicit ImprovClient(linux_port::SerialLine& line) : line_(line) {}

  // The device's state (asked again every second until `timeout`: a board that is
  // resetting or busy answers when it can).
  uint8_t RequestState(std::chrono::milliseconds timeout);
  ImprovDeviceDetails RequestDeviceInfo(std::chrono::milliseconds timeout);
  std::vector<ImprovNetwork> Scan(std::chrono::milliseconds timeout);
  // Sends the credentials, then follows the states (each reported to `on_state`) until
  // "provisioned", an error, or `timeout` (then outcome.provisioned false, error 0); every
  // second without news, `on_wait` gets the time waited so far.
  ImprovOutcome Provision(const std::string& ssid, const std::string& password,
                          std::chrono::milliseconds timeout,
                          const std::function<void(uint8_t state)>& on_state,
                          const std::function<void(std::chrono::seconds waited)>& on_wait);

 private:
  struct Packet {
    wifi::ImprovType type;
    std::string data;
  };
  struct Collector;

  void Send(wifi::ImprovCommand command, std::string_view data = {});
  // The next packet before `deadline`, or nothing.
  std::optional<Packet> Next(std::chrono::steady_clock::time_point deadline);
  // The strings of the next RPC result for `command`; error packets (other than "no error")
  // throw ImprovRefused.
  std::optional<std::vector<std::string>> NextResult(
      wifi::ImprovCommand command, std::chrono::steady_clock::time_point deadline);

  linux_port::SerialLine& line_;
  wifi::ImprovStreamParser parser_;
  std::deque<Packet> packets_;
};

}  // namespace airlab::host
