#pragma once
// MemoryCredentialStore: a port::CredentialStore in a member buffer, holding the record as
// the bytes credential_record.h defines (so what a test saves goes through the same codec a
// file or flash store uses). For unit tests, and for a device with nowhere durable to keep
// it. `fail` makes every call answer kUnavailable (a broken flash), `Corrupt` flips a byte
// of what is stored (a torn write), to test what the manager does then.
#include <array>
#include <cstddef>

#include "core/port/credential_store.h"
#include "core/wifi/credential_record.h"

namespace airlab::wifi {

class MemoryCredentialStore final : public port::CredentialStore {
 public:
  bool fail = false;
  size_t saves() const { return saves_; }
  size_t stored_size() const { return size_; }
  // Flips the bits of the stored byte at `offset` (nothing when nothing is stored there).
  void Corrupt(size_t offset) {
    if (offset < size_) bytes_[offset] ^= std::byte{0xff};
  }

 protected:
  Status DoLoad(port::Credentials& out) override {
    if (fail) return Status::Unavailable();
    if (size_ == 0) return Status::Ok();
    return DecodeCredentials(ByteSpan(bytes_.data(), size_), out);
  }
  Status DoSave(const port::Credentials& record) override {
    if (fail) return Status::Unavailable();
    const StatusWithSize written = EncodeCredentials(record, bytes_);
    if (!written.ok()) return written.status();
    size_ = written.size();
    ++saves_;
    return Status::Ok();
  }
  Status DoErase() override {
    if (fail) return Status::Unavailable();
    size_ = 0;
    return Status::Ok();
  }

 private:
  std::array<std::byte, kCredentialRecordMaxSize> bytes_{};
  size_t size_ = 0;
  size_t saves_ = 0;
};

}  // namespace airlab::wifi
