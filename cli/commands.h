#pragma once
// The commands of the airlab program. Each Add*Command registers a subcommand whose callback
// does the work inside CLI::App::parse; a callback reports a user error by throwing cli::UserError with a sentence
// that names the fix, which main prints as one line before exiting non-zero.

#include <CLI/CLI.hpp>

#include <stdexcept>

namespace airlab::cli {

struct UserError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void AddEspnowCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);
void AddChannelCommand(CLI::App& app);
void AddSniffCommand(CLI::App& app);
void AddAirCommand(CLI::App& app);
void AddSimCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);
void AddGatewayCommand(CLI::App& app);
void AddNodeCommand(CLI::App& app);
void AddBoardCommand(CLI::App& app);
void AddLabCommand(CLI::App& app);
void AddIfaceCommand(CLI::App& app);
// `espnow send|recv` on a Linux monitor interface (espnow_radio_command.cc).
void AddEspnowRadioCommands(CLI::App& espnow);
void AddPortalCommand(CLI::App& app);
void AddProvisionCommand(CLI::App& app);

}  // namespace airlab::cli
