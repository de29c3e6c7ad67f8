// `airlab serve`: the ThingSpeak-compatible server with its dashboard, until Ctrl-C.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "server/server.h"

namespace airlab::cli {
namespace {

struct ServeArgs {
  int port = 8080;
  std::string bind = "127.0.0.1";
  std::string data;
  double rate_limit_s = 15;
  std::string mqtt;
  std::size_t max_body = 4 << 20;
  int threads = 16;
};

void Validate(const ServeArgs& a) {
  if (a.port < 0 || a.port > 65535) {
    throw UserError("--port " + std::to_string(a.port) +
                    " is not a TCP port; use 1 to 65535, or 0 for a free one");
  }
  if (!(a.rate_limit_s >= 0)) {
    throw UserError(
        "--rate-limit is seconds between writes to a channel; use 0 or more (0: no limit)");
  }
  if (a.max_body < 1024) throw UserError("--max-body is in bytes and must be at least 1024");
  if (a.threads < 2 || a.threads > 1024) throw UserError("--threads must be between 2 and 1024");
}

server::ServerOptions MakeOptions(const ServeArgs& a) {
  server::ServerOptions options;
  options.bind = a.bind;
  options.port = a.port;
  options.data_dir = a.data.empty() ? server::DefaultDataDir() : std::filesystem::path(a.data);
  options.rate_limit_s = a.rate_limit_s;
  options.mqtt_url = a.mqtt;
  options.max_body_bytes = a.max_body;
  options.threads = a.threads;
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "airlab serve: %s\n", line.c_str());
  };
  return options;
}

void PrintBanner(server::Server& server, const ServeArgs& a) {
  size_t channels = server.database().ListChannels().size();
  std::printf("airlab serve: %s/\n", server.url().c_str());
  std::printf("  data        %s (%zu channel%s)\n", server.data_dir().c_str(), channels,
              channels == 1 ? "" : "s");
  if (a.rate_limit_s > 0) {
    std::printf("  rate limit  %g s between writes to a channel (--rate-limit 0 for none)\n",
                a.rate_limit_s);
  } else {
    std::printf("  rate limit  none\n");
  }
  if (a.mqtt.empty()) {
    std::printf("  mqtt        off (--mqtt mqtt://127.0.0.1:1883 takes updates from a broker)\n");
  } else {
    std::printf("  mqtt        %s, topics channels/<id>/publish[/fields/field<n>][/<write key>]\n",
                a.mqtt.c_str());
  }
  if (channels == 0)
    std::printf("  no channels yet: airlab channel create --name NAME --fields a,b\n");
  std::printf("Ctrl-C stops it.\n");
  std::fflush(stdout);
}

void RunServe(const ServeArgs& a) {
  Validate(a);
  const server::ServerOptions options = MakeOptions(a);

  // The server's threads inherit this mask, so SIGINT and SIGTERM reach sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<server::Server> server;
  try {
    server = std::make_unique<server::Server>(options);
    server->Start();
  } catch (const std::runtime_error& e) {
    std::string why = e.what();
    if (why.find("--") == std::string::npos) why += "; choose a writable folder with --data DIR";
    throw UserError(why);
  }
  PrintBanner(*server, a);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  NoteStopSignal(signal_number);
  server->Stop();
  std::printf("airlab serve: stopped\n");
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve",
                                       "Run the ThingSpeak-compatible server (same endpoints, "
                                       "keys, errors and limits) with its live dashboard");
  serve->add_option("--port", args->port, "TCP port; 0 picks a free one")->capture_default_str();
  serve->add_option("--bind", args->bind, "Address to listen on (0.0.0.0 for every interface)")
      ->capture_default_str();
  serve->add_option(
      "--data", args->data,
      "Folder of the channel database (default: $AIRLAB_DATA or ~/.local/share/airlab/cloud)");
  serve
      ->add_option("--rate-limit", args->rate_limit_s,
                   "Seconds between accepted writes to a channel without its own limit (15 like a "
                   "free ThingSpeak account; 0: none)")
      ->capture_default_str()
      ->check(NonNegative());
  serve->add_option(
      "--mqtt", args->mqtt,
      "Broker to take updates from and publish entries to, e.g. mqtt://127.0.0.1:1883");
  serve
      ->add_option("--max-body", args->max_body,
                   "Largest request body in bytes; larger ones are answered 413")
      ->capture_default_str();
  serve
      ->add_option("--threads", args->threads,
                   "HTTP requests handled at once (idle and slow connections hold no thread)")
      ->capture_default_str();
  serve->footer(
      "Examples:\n"
      "  airlab channel create --name weather --fields temperature,humidity --public\n"
      "  airlab serve --port 8080\n"
      "  curl 'http://127.0.0.1:8080/update?api_key=WRITEKEY&field1=21.5'\n"
      "  airlab serve --port 0 --rate-limit 0 --data /tmp/lab --mqtt mqtt://127.0.0.1:1883");
  serve->callback([args] { RunServe(*args); });
}

}  // namespace airlab::cli
