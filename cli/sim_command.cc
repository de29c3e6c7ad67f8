// `airlab sim SCENARIO.toml`: runs a scenario file on the simulated air and prints what
// became of every message, per node and per link, and how busy the air was.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "host/air_capture.h"
#include "scenario/report.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace airlab::cli {
namespace {

using port::TimeNs;

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct SimArgs {
  std::string scenario;
  std::string pcap;
  std::string pcap_at;
  std::optional<uint64_t> seed;
  std::string duration;
  std::optional<double> realtime;
  bool progress = false;
};

void DrawProgress(TimeNs now, TimeNs end) {
  constexpr int kWidth = 30;
  const double done = end > 0 ? static_cast<double>(now) / static_cast<double>(end) : 1.0;
  const int filled = static_cast<int>(done * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '-');
  std::fprintf(stderr, "\r[%s] %3d%%  %.1f / %.1f s simulated", bar.c_str(),
               static_cast<int>(done * 100), static_cast<double>(now) / 1e9,
               static_cast<double>(end) / 1e9);
  std::fflush(stderr);
}

// The scenario file with --seed, --duration and --realtime applied.
scenario::Scenario LoadWithOverrides(const SimArgs& args) {
  scenario::Scenario s;
  try {
    s = scenario::LoadScenario(args.scenario);
  } catch (const scenario::ScenarioError& e) {
    throw UserError(e.what());
  }
  if (args.seed) s.seed = *args.seed;
  if (!args.duration.empty()) {
    const std::optional<TimeNs> duration = scenario::ParseDuration(args.duration);
    if (!duration || *duration <= 0) {
      throw UserError("--duration " + args.duration +
                      " is not a duration; give seconds or a unit, e.g. --duration 30 "
                      "or --duration 500ms");
    }
    s.duration = *duration;
  }
  if (args.realtime) {
    if (!(*args.realtime > 0)) {
      throw UserError("--realtime takes a speed above 0, e.g. --realtime (1x) or --realtime=4");
    }
    s.speed = *args.realtime;
  }
  return s;
}

// The capture's vantage point: the node --pcap-at names, else the whole air.
host::AirCaptureOptions CaptureOptions(const SimArgs& args, const scenario::Scenario& s) {
  host::AirCaptureOptions capture;
  if (!args.pcap_at.empty()) {
    auto it = std::find_if(s.nodes.begin(), s.nodes.end(),
                           [&](const scenario::NodeSpec& n) { return n.name == args.pcap_at; });
    if (it == s.nodes.end()) {
      std::string names;
      for (const scenario::NodeSpec& n : s.nodes) names += (names.empty() ? "" : ", ") + n.name;
      throw UserError("--pcap-at " + args.pcap_at + ": no such node in " + args.scenario +
                      "; its nodes: " + names);
    }
    // The runner adds the scenario's nodes to the simulation in file order.
    capture.tap.vantage_node = static_cast<uint32_t>(it - s.nodes.begin());
  }
  return capture;
}

std::unique_ptr<host::AirCapture> OpenCapture(const SimArgs& args, scenario::Runner& runner,
                                              const host::AirCaptureOptions& capture) {
  if (args.pcap.empty()) return nullptr;
  // The capture file follows every command's convention (linux_port::OutputFile): it
  // appears whole when the run ends, Ctrl-C included; - is standard output.
  try {
    return std::make_unique<host::AirCapture>(runner.simulation(), args.pcap, capture,
                                              std::vector<std::string>{args.scenario});
  } catch (const std::runtime_error& e) {
    throw UserError(std::string("--pcap ") + e.what());
  }
}

// Runs to the scenario's end or Ctrl-C; returns the wall time it took, in seconds.
double RunSteps(scenario::Runner& runner, const scenario::Scenario& s, bool progress) {
  // Steps of 1% of the run; paced runs in steps of at most 100 ms so that Ctrl-C answers.
  TimeNs step = std::max<TimeNs>(s.duration / 100, 1);
  if (s.speed > 0) step = std::min<TimeNs>(step, static_cast<TimeNs>(100e6 * s.speed));
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const auto wall_start = std::chrono::steady_clock::now();
  for (TimeNs t = 0; t < s.duration && !g_stop;) {
    t = std::min(t + step, s.duration);
    runner.RunUntil(t);
    if (progress) DrawProgress(t, s.duration);
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (progress) std::fputs("\r\x1b[K", stderr);
  return wall_s;
}

void CloseCapture(const SimArgs& args, host::AirCapture& tap) {
  try {
    tap.Close();
  } catch (const std::runtime_error& e) {
    throw UserError("writing " + args.pcap + " failed: " + e.what());
  }
  std::fprintf(stderr, "wrote %llu frames to %s\n",
               static_cast<unsigned long long>(tap.frames_written()),
               args.pcap == "-" ? "standard output" : args.pcap.c_str());
}

void RunSim(const SimArgs& args) {
  const scenario::Scenario s = LoadWithOverrides(args);
  const host::AirCaptureOptions capture = CaptureOptions(args, s);
  scenario::Runner runner(s);
  std::unique_ptr<host::AirCapture> tap = OpenCapture(args, runner, capture);
  // With --pcap -, the capture owns standard output and the tables go to stderr.
  FILE* text_out = args.pcap == "-" ? stderr : stdout;

  const bool progress = args.progress || ::isatty(STDERR_FILENO) != 0;
  const double wall_s = RunSteps(runner, s, progress);

  const scenario::Results results = runner.results();
  std::fputs(scenario::FormatResults(s, results).c_str(), text_out);
  std::fflush(text_out);
  // Wall-clock figures go to stderr: stdout stays the same for the same scenario and seed.
  std::fprintf(stderr, "%s%.3f s simulated in %.3f s of wall time (%.0fx real time)\n",
               g_stop ? "stopped early: " : "", static_cast<double>(results.simulated) / 1e9,
               wall_s, wall_s > 0 ? static_cast<double>(results.simulated) / 1e9 / wall_s : 0.0);
  if (tap) CloseCapture(args, *tap);
}

}  // namespace

void AddSimCommand(CLI::App& app) {
  auto args = std::make_shared<SimArgs>();
  CLI::App* sim = app.add_subcommand("sim",
                                     "Run a scenario file on the simulated air: per-node, per-link "
                                     "and air tables, a pcapng of every frame");
  sim->add_option("scenario", args->scenario,
                  "The scenario, a TOML file (schema: examples/README.md)")
      ->required();
  sim->add_option("--pcap", args->pcap,
                  "Write every frame on the air to this capture file (radiotap; time 0 of the run "
                  "is 1970-01-01): "
                  "pcap if its name ends in .pcap, else pcapng; - for standard output (the tables "
                  "then go to stderr)");
  sim->add_option(
         "--pcap-at", args->pcap_at,
         "Write the air as this node hears it instead: its frames with RSSI and noise, bad "
         "ones flagged, missed ones absent (a sniffer standing there)")
      ->needs("--pcap");
  sim->add_option("--seed", args->seed, "The random seed (default: the file's seed, else 1)")
      ->check(NonNegative());
  sim->add_option("--duration", args->duration,
                  "Simulated time to run, e.g. 30 or 500ms (default: the file's)")
      ->check(NonNegative());
  sim->add_option("--realtime", args->realtime,
                  "Pace the run to the wall clock, SPEED times real time (--realtime alone: 1)")
      ->expected(0, 1)
      ->default_str("1");
  sim->add_flag("--progress", args->progress,
                "Draw the progress bar even when stderr is not a terminal");
  sim->footer(
      "Examples:\n"
      "  airlab sim examples/lab.toml                      the lab's two boards for the file's 60 "
      "s\n"
      "  airlab sim examples/room200.toml --duration 10 --seed 3 --pcap room.pcapng\n"
      "  airlab sim examples/lab.toml --pcap master.pcapng --pcap-at master   (with RSSI)\n"
      "  airlab sim examples/star20.toml --realtime=4       four times real time (Ctrl-C stops, "
      "prints)\n"
      "\n"
      "Tables: sent = acked + lost + queued. acked: the delivery report said success (the peer's\n"
      "ACK; for broadcast, on the air). lost: no ACK after every retry, or refused (queue full).\n"
      "queued: no report yet when the run ended. recv: messages the receiving application got;\n"
      "a link's delivery is recv/sent (broadcast: over every other ESP-NOW node on the channel).\n"
      "Latency: send() to the delivery report. collisions: receptions lost to overlapping frames.\n"
      "The same scenario and seed print the same tables.");
  sim->callback([args] { RunSim(*args); });
}

}  // namespace airlab::cli
