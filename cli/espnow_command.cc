#include "cli/commands.h"

namespace airlab::cli {

void AddEspnowCommand(CLI::App& app) {
  app.add_subcommand("espnow", "Encode and decode ESP-NOW frames");
}

}  // namespace airlab::cli
