#pragma once
// The server's HTTP/1.1 layer, written for speed instead of using cpp-httplib: on this
// project's 2-core VMs a system call costs several microseconds, and cpp-httplib makes about
// ten per request (polls, getsockname, getpeername, two sends), which held /update to ~12k
// requests/s even with a trivial handler. Here each keep-alive connection is served by one
// pool thread with blocking reads: one recv and one send per request in the steady state
// (pipelined requests share both), and a slow handler (a large feeds.json) holds only its own
// connection's thread.
//
// Scope: what devices, browsers and the tests send. Request line and headers with limits,
// Content-Length bodies (Transfer-Encoding is answered 501), keep-alive for HTTP/1.1 unless
// `Connection: close`, none for HTTP/1.0, percent-decoded query parameters and form bodies.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace airlab::server::http {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  Pairs headers;
  // The query's parameters, then a form-urlencoded body's, in order, percent-decoded.
  Pairs params;
  std::string body;
  bool keep_alive = false;
  std::smatch matches;  // left to the application's router

  // The first header of that name (case-insensitive); empty when there is none.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct Response {
  int status = 200;
  Pairs headers;  // besides Content-Type, Content-Length and Connection
  std::string content_type;
  std::string body;
};

struct Limits {
  std::size_t max_body = 4 << 20;     // larger is 413
  std::size_t max_request_line = 8192;  // longer is 414
  std::size_t max_head = 16 << 10;    // request line and headers; more is 431
  std::size_t max_headers = 100;      // more is 431
};

enum class ParseState { kIncomplete, kComplete, kError };

struct ParseResult {
  ParseState state = ParseState::kIncomplete;
  std::size_t consumed = 0;  // bytes of the request (head and body) when kComplete
  int error_status = 0;      // 400, 413, 414, 431 or 501 when kError
};

// Parses the request at the start of bytes into out. kIncomplete when more bytes are needed
// (never for a head over the limits: that is kError).
ParseResult ParseRequest(std::string_view bytes, const Limits& limits, Request& out);

std::string_view ReasonPhrase(int status);

// Appends the status line, headers and body (none for HEAD requests, 204 and 304).
void AppendResponse(std::string& out, const Response& res, bool keep_alive, bool head_request);

using Handler = std::function<void(Request&, Response&)>;

struct ServerConfig {
  Handler handler;  // may throw: the client gets 500
  // Runs on every response before it is written, also on the layer's own errors (which come
  // with an empty body): the place for default headers and error bodies.
  std::function<void(Response&)> finish;
  Limits limits;
  int threads = 16;          // connections served at once; more wait to be accepted
  int idle_timeout_s = 5;    // an idle keep-alive connection is closed after this
};

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port (port 0: a free one), starts serving and returns the port. Throws
  // std::runtime_error when the address cannot be bound.
  int Start(const std::string& host, int port);
  // Closes the listener and every connection, and waits for the threads; idempotent.
  void Stop();

 private:
  void AcceptLoop();
  void WorkerLoop();
  void Serve(int fd);

  ServerConfig config_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<int> waiting_;  // accepted connections no worker has taken yet
  std::set<int> serving_;    // connections workers hold, shut down by Stop
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace airlab::server::http
