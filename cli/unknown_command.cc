#include "cli/unknown_command.h"

#include <algorithm>

namespace airlab::cli {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters each cost 1.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string NearestName(std::string_view word, const std::vector<std::string>& names) {
  // Short words allow one typo, longer ones two: "snif" is sniff, "sm" is not sim.
  const size_t allowed = word.size() <= 4 ? 1 : 2;
  std::string best;
  size_t best_distance = allowed + 1;
  for (const std::string& name : names) {
    const bool starts_it = word.size() >= 3 && name.compare(0, word.size(), word) == 0;
    const size_t distance = starts_it ? 1 : EditDistance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::string UnknownCommandMessage(CLI::App& app) {
  CLI::App* at = &app;
  std::string path = app.get_name();
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (CLI::App* sub : at->get_subcommands()) {  // the ones the line chose
      at = sub;
      path += " " + sub->get_name();
      deeper = true;
      break;
    }
  }
  const std::vector<CLI::App*> subcommands = at->get_subcommands([](CLI::App*) { return true; });
  if (subcommands.empty()) return "";
  std::string word;
  for (const std::string& arg : at->remaining()) {
    if (!arg.empty() && arg[0] != '-') {
      word = arg;
      break;
    }
  }
  if (word.empty()) return "";
  std::vector<std::string> names;
  for (const CLI::App* sub : subcommands) names.push_back(sub->get_name());
  const std::string nearest = NearestName(word, names);
  if (!nearest.empty()) {
    return "unknown command '" + word + "' for " + path + "; did you mean '" + nearest + "'?";
  }
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  return "unknown command '" + word + "' for " + path + "; its commands: " + list;
}

}  // namespace airlab::cli
