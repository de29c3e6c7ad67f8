// The credential store's file: round trips through a real file, the bytes checked by an
// independent reader (Python's zlib CRC-32 and struct), atomic replacement, and a corrupt
// file kept aside rather than overwritten.
#include "platform/linux/file_credential_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::linux_port {
namespace {

using testing_tools::RunCommand;
using testing_tools::TempDir;

port::Credentials Sample() {
  port::Credentials c;
  c.network_count = 2;
  c.networks[0].ssid.Assign(AsBytes("home", 4));
  c.networks[0].passphrase.Assign(std::string_view("correct horse"));
  c.networks[0].last_joined = 2;
  c.networks[1].ssid.Assign(AsBytes("caf\xc3\xa9", 5));
  c.join_counter = 2;
  c.parameter_count = 1;
  c.parameters[0].id.Assign(std::string_view("ts_channel"));
  c.parameters[0].value.Assign(std::string_view("1234567"));
  return c;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FileCredentialStore, MissingFile_LoadsEmpty) {
  TempDir dir;
  FileCredentialStore store(dir.File("wifi.cred"));
  port::Credentials c = Sample();
  ASSERT_TRUE(store.Load(c).ok());
  EXPECT_EQ(c.network_count, 0u);
  EXPECT_TRUE(store.Erase().ok());  // nothing to erase is fine
}

TEST(FileCredentialStore, SaveThenLoad_AndPythonReadsTheSameRecord) {
  TempDir dir;
  const std::string path = dir.File("wifi.cred");
  FileCredentialStore store(path);
  ASSERT_TRUE(store.Save(Sample()).ok());
  port::Credentials back;
  ASSERT_TRUE(FileCredentialStore(path).Load(back).ok());
  ASSERT_EQ(back.network_count, 2u);
  EXPECT_EQ(back.networks[0].passphrase.view(), "correct horse");
  EXPECT_EQ(back.networks[1].ssid, Sample().networks[1].ssid);
  EXPECT_EQ(back.parameters[0].value.view(), "1234567");
  EXPECT_EQ(back.join_counter, 2u);

  // The layout credential_record.h documents, read by a program that is not ours.
  const auto python = RunCommand(
      "/usr/bin/python3 -c \"import sys,struct,zlib\n"
      "b=open(sys.argv[1],'rb').read()\n"
      "assert b[:4]==b'AWCR' and b[4]==1, b[:5]\n"
      "assert struct.unpack('<I',b[-4:])[0]==zlib.crc32(b[:-4]), 'crc'\n"
      "o=12\n"
      "for _ in range(b[5]):\n"
      "  n=b[o]; s=b[o+1:o+1+n]; o+=1+n; m=b[o]; p=b[o+1:o+1+m]; o+=1+m+4\n"
      "  print(s.hex(), p.decode())\n"
      "for _ in range(b[6]):\n"
      "  n=b[o]; i=b[o+1:o+1+n]; o+=1+n; m=b[o]; v=b[o+1:o+1+m]; o+=1+m\n"
      "  print(i.decode(), v.decode())\n"
      "assert o==len(b)-4\" '" +
      path + "'");
  ASSERT_EQ(python.exit_code, 0) << python.err;
  EXPECT_EQ(python.out, "686f6d65 correct horse\n636166c3a9 \nts_channel 1234567\n");

  // Only the owner reads it: it holds passphrases.
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(FileCredentialStore, Save_ReplacesAtomically_LeavingNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.File("wifi.cred");
  FileCredentialStore store(path);
  ASSERT_TRUE(store.Save(Sample()).ok());
  port::Credentials second = Sample();
  second.network_count = 1;
  ASSERT_TRUE(store.Save(second).ok());
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "wifi.cred");
  }
  EXPECT_EQ(files, 1u);
  port::Credentials back;
  ASSERT_TRUE(store.Load(back).ok());
  EXPECT_EQ(back.network_count, 1u);
}

TEST(FileCredentialStore, SaveFailure_LeavesTheOldFile) {
  TempDir dir;
  const std::string path = dir.File("wifi.cred");
  ASSERT_TRUE(FileCredentialStore(path).Save(Sample()).ok());
  const std::string before = ReadFile(path);
  // The temporary file's name taken by a folder: the write fails before any rename.
  std::filesystem::create_directory(path + ".tmp-" + std::to_string(::getpid()));
  port::Credentials other;
  EXPECT_EQ(FileCredentialStore(path).Save(other), Status::Unavailable());
  EXPECT_EQ(ReadFile(path), before);
  FileCredentialStore in_missing_folder(dir.File("no/such/folder/wifi.cred"));
  EXPECT_EQ(in_missing_folder.Save(Sample()), Status::Unavailable());
}

TEST(FileCredentialStore, CorruptFile_IsDataLoss_AndKeptAsideBySave) {
  TempDir dir;
  const std::string path = dir.File("wifi.cred");
  { std::ofstream(path, std::ios::binary) << "ssid=home\npassword=hunter22\n"; }
  FileCredentialStore store(path);
  port::Credentials c;
  EXPECT_EQ(store.Load(c), Status::DataLoss());
  EXPECT_EQ(c.network_count, 0u);
  ASSERT_TRUE(store.Save(Sample()).ok());
  EXPECT_EQ(ReadFile(path + ".corrupt"), "ssid=home\npassword=hunter22\n");
  ASSERT_TRUE(store.Load(c).ok());
  EXPECT_EQ(c.network_count, 2u);
}

TEST(FileCredentialStore, TooLongFile_IsDataLoss) {
  TempDir dir;
  const std::string path = dir.File("wifi.cred");
  { std::ofstream(path, std::ios::binary) << std::string(100000, 'x'); }
  port::Credentials c;
  EXPECT_EQ(FileCredentialStore(path).Load(c), Status::DataLoss());
}

TEST(FileCredentialStore, Erase_RemovesTheFile) {
  TempDir dir;
  const std::string path = dir.File("wifi.cred");
  FileCredentialStore store(path);
  ASSERT_TRUE(store.Save(Sample()).ok());
  ASSERT_TRUE(store.Erase().ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  port::Credentials c;
  ASSERT_TRUE(store.Load(c).ok());
  EXPECT_EQ(c.network_count, 0u);
}

}  // namespace
}  // namespace airlab::linux_port
