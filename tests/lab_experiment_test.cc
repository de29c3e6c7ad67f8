// The lab's experiment (host/lab_experiment.h) against airlab's server over real HTTP, as
// fast as the air runs: the script gives the counts `airlab demo` prints, the verdict holds,
// and a stop mid-run leaves the pcapng whole for tshark and the gateway's SQLite store
// closed (no -wal or -shm left beside it).

#include "host/lab_experiment.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "server/server.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab {
namespace {

using testing_tools::RunCommand;
using testing_tools::TempDir;

// The server on the experiment's clock, with the two channels `airlab demo` makes.
class Cloud {
 public:
  Cloud(const host::LabExperiment& experiment, const std::filesystem::path& data) {
    server::ServerOptions options;
    options.data_dir = data;
    options.rate_limit_s = 15;
    options.clock = [&experiment] { return experiment.cloud_ms(); };
    server_ = std::make_unique<server::Server>(options);
    server_->Start();
    const server::Channel readings = server_->database().CreateChannel(
        {.name = "readings", .field_names = {"slave", "node2", "node3"}, .public_flag = true});
    const server::Channel commands = server_->database().CreateChannel(
        {.name = "commands", .field_names = {"command"}, .public_flag = true, .rate_limit_s = 0.0});
    channels = {.url = server_->url(),
                .readings_channel = readings.id,
                .readings_write_key = readings.write_key,
                .commands_channel = commands.id,
                .commands_write_key = commands.write_key};
  }
  ~Cloud() { server_->Stop(); }

  host::ExperimentCloud channels;

 private:
  std::unique_ptr<server::Server> server_;
};

// Stops the run (as Ctrl-C would) when a headline containing `at` comes.
class StopAt final : public host::ExperimentListener {
 public:
  StopAt(std::atomic<bool>& stop, std::string at) : stop_(stop), at_(std::move(at)) {}
  void OnHeadline(port::TimeNs, const std::string& line) override {
    ++headlines;
    if (!at_.empty() && line.find(at_) != std::string::npos) stop_ = true;
  }
  int headlines = 0;

 private:
  std::atomic<bool>& stop_;
  std::string at_;
};

// SQLite removes these when the last connection to `db` closes cleanly.
bool WalOrShmBeside(const std::filesystem::path& db) {
  return std::filesystem::exists(db.string() + "-wal") ||
         std::filesystem::exists(db.string() + "-shm");
}

TEST(LabExperiment, Run_TheDemosCounts_NothingLostNothingTwice) {
  TempDir dir;
  std::atomic<bool> stop{false};
  host::LabExperiment experiment({.speed = 0,
                                  .store = dir.path() / "gateway.db",
                                  .pcap = dir.File("air.pcapng"),
                                  .stop = &stop});
  Cloud cloud(experiment, dir.path());
  StopAt listener(stop, "");
  const host::ExperimentOutcome o = experiment.Run(cloud.channels, listener);

  EXPECT_FALSE(o.interrupted);
  EXPECT_TRUE(o.passed());
  EXPECT_EQ(listener.headlines, 7);
  ASSERT_EQ(o.nodes.size(), 3u);
  EXPECT_EQ(o.sent, 56);  // the slave's 5 + 17 readings from each of the three
  EXPECT_EQ(o.in_channel, 56);
  EXPECT_EQ(o.twice, 0);
  EXPECT_EQ(o.lost, 0);
  EXPECT_EQ(o.nodes[0].name, "slave");
  EXPECT_EQ(o.nodes[0].sent, 22);
  EXPECT_EQ(o.nodes[0].field, 1);
  EXPECT_EQ(o.commands_written, 3u);
  EXPECT_EQ(o.commands_received, 9u);
  EXPECT_EQ(o.commands_expected, 9u);
  EXPECT_GT(o.uplink_errors, 0);  // the uplink was down for 20 s
  EXPECT_GT(o.pcap_frames, 100u);
  EXPECT_FALSE(WalOrShmBeside(dir.path() / "gateway.db"));  // the server still runs
}

TEST(LabExperiment, Stop_FilesWholeAndClosed_NoVerdict) {
  TempDir dir;
  std::atomic<bool> stop{false};
  const std::string pcap = dir.File("air.pcapng");
  host::LabExperiment experiment(
      {.speed = 0, .store = dir.path() / "gateway.db", .pcap = pcap, .stop = &stop});
  Cloud cloud(experiment, dir.path());
  StopAt listener(stop, "the router switches");
  const host::ExperimentOutcome o = experiment.Run(cloud.channels, listener);

  EXPECT_TRUE(o.interrupted);
  EXPECT_FALSE(o.passed());
  EXPECT_GE(o.simulated, 35 * port::kSecond);  // the router moves at 35 s
  EXPECT_LT(o.simulated, 36 * port::kSecond);
  EXPECT_TRUE(o.nodes.empty());  // no read-back
  ASSERT_GT(o.pcap_frames, 0u);
  const testing_tools::CommandResult count = RunCommand("tshark -r " + pcap + " | wc -l");
  EXPECT_EQ(RunCommand("tshark -r " + pcap + " >/dev/null").exit_code, 0);
  EXPECT_EQ(std::stoull(count.out), o.pcap_frames);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "gateway.db"));
  EXPECT_FALSE(WalOrShmBeside(dir.path() / "gateway.db"));  // the server still runs
}

}  // namespace
}  // namespace airlab
