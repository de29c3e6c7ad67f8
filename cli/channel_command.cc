// `airlab channel create|list|keys`: the channels of the local ThingSpeak-compatible server.
// They work on the database folder directly, beside a running `airlab serve` or without one.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/table.h"
#include "server/channel_database.h"
#include "server/server.h"
#include "server/text.h"

namespace airlab::cli {
namespace {

using server::Channel;

struct ChannelArgs {
  std::string data;
  std::string name;
  std::string description;
  std::string fields;  // "a,,c": an empty name leaves that field off
  bool public_flag = false;
  double rate_limit_s = -1;               // unset: the server's --rate-limit
  std::int64_t id = 0;                    // keys: the channel to show
  std::optional<std::int64_t> chosen_id;  // create: the id to give (none: the next)
  std::string write_key;
  std::vector<std::string> read_keys;
};

std::filesystem::path DataDir(const ChannelArgs& a) {
  return a.data.empty() ? server::DefaultDataDir() : std::filesystem::path(a.data);
}

// Opens the store; for reading commands only when it exists, so they create nothing.
std::unique_ptr<server::ChannelDatabase> OpenStore(const ChannelArgs& a, bool create) {
  std::filesystem::path dir = DataDir(a);
  if (!create && !std::filesystem::exists(server::DatabasePath(dir))) return nullptr;
  try {
    return std::make_unique<server::ChannelDatabase>(server::DatabasePath(dir));
  } catch (const std::runtime_error& e) {
    throw UserError(std::string(e.what()) + "; choose a writable folder with --data DIR");
  }
}

// Names come from users and devices: keep control characters off the terminal.
std::string Printable(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string FieldList(const Channel& c) {
  std::string out;
  for (int f = 0; f < server::kFieldCount; ++f) {
    if (!c.field_names[f]) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(f + 1) + ":" + Printable(*c.field_names[f]);
  }
  return out.empty() ? "-" : out;
}

void PrintKeys(const Channel& c) {
  std::printf("channel %lld \"%s\" (%s)\n", static_cast<long long>(c.id), Printable(c.name).c_str(),
              c.public_flag ? "public" : "private");
  std::printf("  write key  %s\n", c.write_key.c_str());
  for (const std::string& key : c.read_keys) std::printf("  read key   %s\n", key.c_str());
}

void RunCreate(const ChannelArgs& a) {
  server::ChannelSpec spec{
      .name = a.name, .description = a.description, .public_flag = a.public_flag};
  // Split by hand: CLI11's delimiter drops the empty names that leave a field off.
  for (size_t start = 0; !a.fields.empty();) {
    size_t comma = a.fields.find(',', start);
    spec.field_names.push_back(a.fields.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (spec.field_names.empty()) spec.field_names = {"Field 1"};
  if (a.rate_limit_s >= 0) spec.rate_limit_s = a.rate_limit_s;
  spec.id = a.chosen_id;
  spec.write_key = a.write_key;
  spec.read_keys = a.read_keys;
  std::unique_ptr<server::ChannelDatabase> store = OpenStore(a, true);
  Channel c;
  try {
    c = store->CreateChannel(spec);
  } catch (const std::invalid_argument& e) {
    throw UserError(std::string(e.what()) + "; check --name, --fields, --id and the keys");
  } catch (const server::ChannelConflict& e) {
    throw UserError(DataDir(a).string() + ": " + e.what());
  }
  PrintKeys(c);
  std::printf("  fields     %s\n", FieldList(c).c_str());
  std::printf("Write to it: curl 'http://127.0.0.1:8080/update?api_key=%s&field1=21.5'\n",
              c.write_key.c_str());
}

void RunList(const ChannelArgs& a) {
  std::unique_ptr<server::ChannelDatabase> store = OpenStore(a, false);
  std::vector<Channel> channels = store ? store->ListChannels() : std::vector<Channel>{};
  if (channels.empty()) {
    std::printf(
        "no channels in %s yet; make one with: airlab channel create --name NAME --fields a,b\n",
        DataDir(a).c_str());
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "ACCESS", "ENTRIES", "LAST ENTRY", "FIELDS"}};
  for (const Channel& c : channels) {
    rows.push_back({std::to_string(c.id), Printable(c.name), c.public_flag ? "public" : "private",
                    std::to_string(c.last_entry_id),
                    c.last_entry_id ? server::FormatTimestamp(c.updated_at) : "-", FieldList(c)});
  }
  std::fputs(AlignedTable(rows).c_str(), stdout);
}

void RunKeys(const ChannelArgs& a) {
  std::unique_ptr<server::ChannelDatabase> store = OpenStore(a, false);
  std::optional<Channel> c = store ? store->FindChannel(a.id) : std::nullopt;
  if (!c) {
    throw UserError("no channel " + std::to_string(a.id) + " in " + DataDir(a).string() +
                    "; `airlab channel list` shows the channels there");
  }
  PrintKeys(*c);
}

void AddDataOption(CLI::App* command, ChannelArgs& args) {
  command->add_option(
      "--data", args.data,
      "Folder of the channel database (default: $AIRLAB_DATA or ~/.local/share/airlab/cloud)");
}

}  // namespace

void AddChannelCommand(CLI::App& app) {
  CLI::App* channel = app.add_subcommand(
      "channel", "Make and list the channels of the local ThingSpeak-compatible server");
  channel->footer(
      "Examples:\n"
      "  airlab channel create --name weather --fields temperature,humidity --public\n"
      "  airlab channel list");
  channel->require_subcommand(1);

  auto create_args = std::make_shared<ChannelArgs>();
  CLI::App* create =
      channel->add_subcommand("create", "Make a channel and print its id, write key and read key");
  create->add_option("--name", create_args->name, "The channel's name")->required();
  create->add_option(
      "--fields", create_args->fields,
      "Names of field1, field2, ... (at most 8), comma-separated; a,,c leaves field2 off");
  create->add_flag("--public", create_args->public_flag,
                   "Anyone may read it without a key (default: private)");
  create->add_option("--description", create_args->description, "A line about the channel");
  create
      ->add_option(
          "--rate-limit", create_args->rate_limit_s,
          "Seconds between accepted writes to this channel (default: the server's --rate-limit)")
      ->check(NonNegative());
  create->add_option(
      "--id", create_args->chosen_id,
      "The channel's id, e.g. the real ThingSpeak channel's (default: the next free)");
  create->add_option("--write-key", create_args->write_key,
                     "Its write key, 4 to 64 letters and digits (default: a fresh one)");
  create->add_option("--read-key", create_args->read_keys,
                     "A read key of it, as --write-key; again for more (default: one fresh)");
  AddDataOption(create, *create_args);
  create->footer(
      "Examples:\n"
      "  airlab channel create --name weather --fields temperature,humidity --public\n"
      "  airlab channel create --name bench --fields rssi,,loss --rate-limit 1 --data /tmp/lab\n"
      "  airlab channel create --name lab --id 179 --write-key E13BHXREJ6K0V1DQ --data "
      "/tmp/lab");
  create->callback([create_args] { RunCreate(*create_args); });

  auto list_args = std::make_shared<ChannelArgs>();
  CLI::App* list = channel->add_subcommand("list", "List the channels with their entry counts");
  AddDataOption(list, *list_args);
  list->footer("Example:\n  airlab channel list --data /tmp/lab");
  list->callback([list_args] { RunList(*list_args); });

  auto keys_args = std::make_shared<ChannelArgs>();
  CLI::App* keys = channel->add_subcommand("keys", "Print a channel's write key and read keys");
  keys->add_option("ID", keys_args->id, "The channel's id (airlab channel list shows them)")
      ->required();
  AddDataOption(keys, *keys_args);
  keys->footer("Example:\n  airlab channel keys 1");
  keys->callback([keys_args] { RunKeys(*keys_args); });
}

}  // namespace airlab::cli
