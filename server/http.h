#pragma once
// The server's HTTP/1.1 layer, written for speed instead of using cpp-httplib: on this
// project's 2-core VMs a system call costs several microseconds, and cpp-httplib makes about
// ten per request (polls, getsockname, getpeername, two sends), which held /update to ~12k
// requests/s even with a trivial handler. Here a request costs one epoll_wait, one recv and one
// send in the steady state (pipelined requests share them).
//
// Threads: connections are non-blocking sockets in one epoll set (edge-triggered, so a request
// costs no epoll_ctl), and a pool of threads waits on that set. A thread that gets a ready
// connection reads what is there, answers every complete request in it (a slow handler, a
// large feeds.json, holds only that thread) and writes what the socket takes; the rest of an
// answer that did not fit goes when the socket reports room. A connection that is idle, or
// sends its request a byte at a time, holds no thread, only its socket and buffers; the thread
// that gets the listener accepts, and one that gets the timer closes connections past their
// timeouts. No thread waits on a client.
//
// Limits against many or hostile clients: connections per client address (more are answered
// 503 and closed, logged once per address), an idle timeout between requests, a time for a
// request to arrive whole, the same for an answer to leave.
//
// Scope: what devices, browsers and the tests send. Request line and headers with limits,
// Content-Length bodies (Transfer-Encoding is answered 501), keep-alive for HTTP/1.1 unless
// `Connection: close`, none for HTTP/1.0, percent-decoded query parameters and form bodies.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
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
  std::string peer;  // the client's address ("127.0.0.1", "::1"), set by the Server

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
  std::size_t max_body = 4 << 20;       // larger is 413
  std::size_t max_request_line = 8192;  // longer is 414
  std::size_t max_head = 16 << 10;      // request line and headers; more is 431
  std::size_t max_headers = 100;        // more is 431
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
  // Requests handled at once: a connection holds a thread only while its request is handled.
  int threads = 16;
  int max_connections_per_address = 64;  // more from one address are answered 503 and closed
  int idle_timeout_s = 5;                // a connection with no request begun is closed after this
  int request_timeout_s = 30;  // a request not whole this long after its first byte: closed
  int send_timeout_s = 30;     // an answer the client does not take for this long: closed
  // One line per noteworthy event (a client over its connection limit); may be empty.
  std::function<void(const std::string&)> log;
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

  // Connections open now (for tests).
  std::size_t connection_count() const;

 private:
  struct Loop;        // the epoll set, the connections and their bookkeeping (http.cc)
  struct Connection;  // a client's socket, buffers and phase (http.cc)

  void Run();  // each thread: waits on the set, serves what is ready
  void Accept();
  void Admit(int fd, std::string peer);
  void CloseExpired();
  void ServeReady(std::uint64_t id);
  enum class Next { kWait, kAgain, kClose };  // what a connection needs after Serve
  // Reads, answers every complete request, writes what the socket takes.
  Next Serve(Connection& c);

  ServerConfig config_;
  std::unique_ptr<Loop> loop_;
  std::vector<std::thread> threads_;
};

}  // namespace airlab::server::http
