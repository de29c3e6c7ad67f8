// airlab: the command line. Each command lives in its own file and registers itself here;
// this file only parses, dispatches and turns a failure into one clear line.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "cli/unknown_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "airlab: Wi-Fi experiments with ESP32 boards, ESP-NOW, a ThingSpeak-style cloud and a "
      "sniffer, on a simulated air or real radios.\n\n"
      "Example:\n"
      "  airlab espnow decode --hex "
      "d00000004c11ae89bdd54c11ae89bc95ffffffffffff00007f18fe3400000000"
      "dd0a18fe34040168656c6c6f5a6189e7\n",
      "airlab"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "airlab 0.1.0");
  airlab::cli::AddEspnowCommand(app);
  airlab::cli::AddServeCommand(app);
  airlab::cli::AddChannelCommand(app);
  airlab::cli::AddSniffCommand(app);
  airlab::cli::AddAirCommand(app);
  airlab::cli::AddSimCommand(app);
  airlab::cli::AddDemoCommand(app);
  airlab::cli::AddGatewayCommand(app);
  airlab::cli::AddNodeCommand(app);
  airlab::cli::AddBoardCommand(app);
  airlab::cli::AddLabCommand(app);
  airlab::cli::AddIfaceCommand(app);
  airlab::cli::AddPortalCommand(app);
  airlab::cli::AddProvisionCommand(app);

  // Commands run inside parse (CLI11 callbacks); a command fails by throwing.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (const std::string unknown = airlab::cli::UnknownCommandMessage(app); !unknown.empty()) {
      std::fprintf(stderr, "airlab: %s\n", unknown.c_str());
      return e.get_exit_code();
    }
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "airlab: error: %s\n", e.what());
    return 1;
  }
  return airlab::cli::ExitStatusAfterStop();
}
