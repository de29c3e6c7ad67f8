// The helpers every test shares: tests/temp_dir.h and tests/run_command.h.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::testing_tools {
namespace {

TEST(TempDir, Destroyed_RemovesTheFolderWithWhatItHolds) {
  std::filesystem::path kept;
  {
    const TempDir dir;
    kept = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    EXPECT_TRUE(std::filesystem::is_empty(kept));
    std::filesystem::create_directory(kept / "sub");
    std::ofstream(dir.File("sub/file.txt")) << "x";
    ASSERT_TRUE(std::filesystem::exists(kept / "sub" / "file.txt"));
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(TempDir, TwoAtOnce_AreDifferentFoldersUnderTheTempDir) {
  const TempDir a, b;
  EXPECT_NE(a.path(), b.path());
  EXPECT_TRUE(
      std::filesystem::equivalent(a.path().parent_path(), std::filesystem::temp_directory_path()));
  EXPECT_EQ(a.File("x.pcap"), (a.path() / "x.pcap").string());
}

TEST(RunCommand, Apart_StdoutStderrAndExitCodeSeparately) {
  const CommandResult r = RunCommand("echo out; echo err >&2; exit 3");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RunCommand, Merged_BothStreamsInOneInTheirOrder) {
  const CommandResult r = RunCommand("echo one; echo two >&2; echo three", Stderr::kMerged);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "one\ntwo\nthree\n");
  EXPECT_EQ(r.err, "");
}

TEST(RunCommand, ListsAndPipelines_EveryPartsStderrCaught) {
  const CommandResult r = RunCommand("echo a >&2 | cat; echo b >&2 # a trailing comment");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "a\nb\n");
  EXPECT_EQ(RunCommand("echo x;").out, "x\n");
}

TEST(RunCommand, KilledBySignal_ExitCodeIsMinusOne) {
  const CommandResult r = RunCommand("echo before; kill -9 $$");
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.out, "before\n");
}

}  // namespace
}  // namespace airlab::testing_tools
