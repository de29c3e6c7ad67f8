#pragma once
// CredentialStore port: where a device keeps the Wi-Fi networks it knows and the
// application's custom settings (the ThingSpeak channel and write key), as one record that
// is loaded whole and saved whole. On Linux, linux_port::FileCredentialStore (a file written
// aside and renamed into place); in tests and on devices without storage,
// wifi::MemoryCredentialStore; on an ESP32, a flash partition later.
//
// Contract:
// - Load fills the record as last saved; with nothing saved yet (or after Erase), an empty
//   record and kOk. kDataLoss: what is stored is corrupt (the record is left empty);
//   kUnavailable: the storage failed (I/O error).
// - Save replaces the record atomically: after a crash or power loss, Load returns either
//   the old record or the new one, never a mix. kInvalidArgument: a count over its
//   capacity, an empty SSID, a passphrase port::IsValidPassphrase refuses, or a parameter id
//   that is empty or not [A-Za-z0-9_-]; kUnavailable: the storage failed (then nothing
//   changed).
// - Erase forgets the record (Load then returns an empty one). kUnavailable on failure.
//
// Calling context: one user (the Wi-Fi manager, from the application's context); calls may
// block for the storage (a flash write, an fsync), so they happen on user actions and joins,
// never per frame.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/port/wifi_station.h"

namespace airlab::port {

// Bytes of at most N, inline (no heap): a passphrase, a parameter's id or value.
template <size_t N>
class BoundedBytes {
 public:
  static constexpr size_t kMaxSize = N;
  constexpr BoundedBytes() = default;
  // False (and the value left empty) when `bytes` is longer than kMaxSize.
  constexpr bool Assign(ByteSpan bytes) {
    size_ = 0;
    if (bytes.size() > N) return false;
    std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    size_ = static_cast<uint8_t>(bytes.size());
    return true;
  }
  bool Assign(std::string_view text) { return Assign(AsBytes(text.data(), text.size())); }
  constexpr ByteSpan bytes() const { return ByteSpan(bytes_.data(), size_); }
  std::string_view view() const {
    return std::string_view(reinterpret_cast<const char*>(bytes_.data()), size_);
  }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }

 private:
  static_assert(N <= 255);
  std::array<std::byte, N> bytes_{};
  uint8_t size_ = 0;
};

// 8..63 characters or 64 hex digits; empty for an open network.
using Passphrase = BoundedBytes<64>;

struct StoredNetwork {
  Ssid ssid;
  Passphrase passphrase;
  // Which join was the last to succeed with this network: a number from the record's
  // join counter (larger is more recent), 0 when it never joined. A count, not a time:
  // a device's clock starts again at every boot.
  uint32_t last_joined = 0;
};

// An application setting the portal collects (wifi::PortalParameter describes its field).
struct StoredParameter {
  BoundedBytes<24> id;  // [A-Za-z0-9_-]+
  BoundedBytes<64> value;
};

// The whole record. Fixed capacity: several networks (a home, an office, a phone's
// hotspot) and a handful of settings.
struct Credentials {
  static constexpr size_t kMaxNetworks = 8;
  static constexpr size_t kMaxParameters = 6;

  std::array<StoredNetwork, kMaxNetworks> networks{};
  size_t network_count = 0;
  std::array<StoredParameter, kMaxParameters> parameters{};
  size_t parameter_count = 0;
  uint32_t join_counter = 0;  // the last StoredNetwork::last_joined handed out

  std::span<StoredNetwork> stored_networks() { return {networks.data(), network_count}; }
  std::span<const StoredNetwork> stored_networks() const {
    return {networks.data(), network_count};
  }
  std::span<StoredParameter> stored_parameters() { return {parameters.data(), parameter_count}; }
  std::span<const StoredParameter> stored_parameters() const {
    return {parameters.data(), parameter_count};
  }
};

// [A-Za-z0-9_-]+: safe as an HTML form field's name and in a URL without escaping.
constexpr bool IsValidParameterId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// What Save accepts (the contract above).
inline bool IsValidCredentials(const Credentials& c) {
  if (c.network_count > Credentials::kMaxNetworks) return false;
  if (c.parameter_count > Credentials::kMaxParameters) return false;
  for (const StoredNetwork& n : c.stored_networks()) {
    if (n.ssid.empty() || !IsValidPassphrase(n.passphrase.bytes())) return false;
  }
  for (const StoredParameter& p : c.stored_parameters()) {
    if (!IsValidParameterId(p.id.view())) return false;
  }
  return true;
}

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  Status Load(Credentials& out) {
    out = Credentials{};
    Status status = DoLoad(out);
    if (!status.ok()) out = Credentials{};
    return status;
  }
  Status Save(const Credentials& record) {
    if (!IsValidCredentials(record)) return Status::InvalidArgument();
    return DoSave(record);
  }
  Status Erase() { return DoErase(); }

 protected:
  // `out` is empty on entry; `record` is valid.
  virtual Status DoLoad(Credentials& out) = 0;
  virtual Status DoSave(const Credentials& record) = 0;
  virtual Status DoErase() = 0;
};

}  // namespace airlab::port
