#pragma once
// FileCredentialStore: the Wi-Fi manager's port::CredentialStore in one file on Linux,
// holding the record as credential_record.h's bytes (the same a board's flash would hold).
// Save writes "<file>.tmp-<pid>" beside it, fsyncs it, renames it over the file and fsyncs
// the folder, so a crash or a power cut leaves the old record or the new one, never a torn
// file. A file that does not decode is never overwritten: Load reports kDataLoss and the
// next Save first moves it to "<file>.corrupt" for a person to look at.
//
// Calling context: one user; each call blocks for the disk (Save: two fsyncs).
#include <filesystem>

#include "core/port/credential_store.h"

namespace airlab::linux_port {

class FileCredentialStore final : public port::CredentialStore {
 public:
  // The folder must exist when Save is called (Save does not create it).
  explicit FileCredentialStore(std::filesystem::path path) : path_(std::move(path)) {}
  const std::filesystem::path& path() const { return path_; }

 protected:
  // kOk with an empty record when the file does not exist; kDataLoss when it does not
  // decode; kUnavailable when it cannot be read.
  Status DoLoad(port::Credentials& out) override;
  // kUnavailable when the file cannot be written, synced or renamed (the old one is then
  // as it was).
  Status DoSave(const port::Credentials& record) override;
  // kOk when the file is gone (or was not there); kUnavailable otherwise.
  Status DoErase() override;

 private:
  std::filesystem::path path_;
  bool keep_corrupt_ = false;  // the file at path_ did not decode: move it aside before saving
};

}  // namespace airlab::linux_port
