#include "server/http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/base/ascii.h"
#include "server/text.h"

namespace airlab::server::http {
namespace {

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// RFC 9110 token characters (methods, header names).
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated header value lists token (Connection: keep-alive, close).
bool ListsToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsIgnoreCase(Trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

ParseResult Error(int status) { return {ParseState::kError, 0, status}; }

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

ParseResult ParseRequest(std::string_view bytes, const Limits& limits, Request& out) {
  // The head's lines end in CRLF (a bare LF is accepted, as most servers do).
  size_t pos = 0;
  std::vector<std::string_view> lines;
  while (true) {
    size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (lines.empty() && bytes.size() > limits.max_request_line) return Error(414);
      if (bytes.size() > limits.max_head) return Error(431);
      return {};
    }
    std::string_view line = bytes.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (lines.empty() && line.size() > limits.max_request_line) return Error(414);
    if (pos > limits.max_head) return Error(431);
    if (line.empty()) {
      if (lines.empty()) return Error(400);  // no request line
      break;
    }
    if (lines.size() > limits.max_headers) return Error(431);
    lines.push_back(line);
  }
  const size_t head_size = pos;

  // Request line: method SP target SP HTTP/1.x
  std::string_view request_line = lines.front();
  size_t sp1 = request_line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Error(400);
  std::string_view method = request_line.substr(0, sp1);
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = request_line.substr(sp2 + 1);
  if (!IsToken(method) || target.empty()) return Error(400);
  for (unsigned char c : target) {
    if (c <= ' ' || c == 0x7f) return Error(400);
  }
  if (target.front() != '/' && target != "*") return Error(400);
  bool http11 = version == "HTTP/1.1";
  if (!http11 && version != "HTTP/1.0") return Error(400);

  out = Request{};
  out.method = method;
  out.target = target;
  size_t question = target.find('?');
  out.path = PercentDecode(target.substr(0, question), false);
  if (question != std::string_view::npos) out.params = ParseForm(target.substr(question + 1));

  std::string_view content_length;
  bool has_length = false;
  out.headers.reserve(lines.size() - 1);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) return Error(400);
    std::string_view name = line.substr(0, colon);
    std::string_view value = Trim(line.substr(colon + 1));
    for (unsigned char c : value) {
      if ((c < ' ' && c != '\t') || c == 0x7f) return Error(400);
    }
    if (EqualsIgnoreCase(name, "Content-Length")) {
      if (has_length && value != content_length) return Error(400);
      has_length = true;
      content_length = value;
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return Error(501);  // no chunked bodies: devices and browsers send Content-Length
    }
    out.headers.emplace_back(name, value);
  }

  size_t body_size = 0;
  if (has_length) {
    if (content_length.empty() || content_length.size() > 18) {
      return Error(content_length.empty() ? 400 : 413);
    }
    auto [end, ec] = std::from_chars(content_length.data(),
                                     content_length.data() + content_length.size(), body_size);
    if (ec != std::errc() || end != content_length.data() + content_length.size()) {
      return Error(400);
    }
    if (body_size > limits.max_body) return Error(413);
  }
  if (bytes.size() - head_size < body_size) return {};
  out.body = bytes.substr(head_size, body_size);
  if (StartsWithIgnoreCase(out.Header("Content-Type"), "application/x-www-form-urlencoded")) {
    for (auto& pair : ParseForm(out.body)) out.params.push_back(std::move(pair));
  }
  std::string_view connection = out.Header("Connection");
  out.keep_alive = http11 && !ListsToken(connection, "close");
  return {ParseState::kComplete, head_size + body_size, 0};
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void AppendResponse(std::string& out, const Response& res, bool keep_alive, bool head_request) {
  out += "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += ReasonPhrase(res.status);
  out += "\r\n";
  for (const auto& [name, value] : res.headers) {
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool bodiless = res.status == 204 || res.status == 304 || res.status < 200;
  if (!res.content_type.empty()) out.append("Content-Type: ").append(res.content_type) += "\r\n";
  if (!bodiless) out.append("Content-Length: ").append(std::to_string(res.body.size())) += "\r\n";
  out += keep_alive ? "Connection: Keep-Alive\r\nKeep-Alive: timeout=5, max=100000\r\n"
                    : "Connection: close\r\n";
  out += "\r\n";
  if (!bodiless && !head_request) out += res.body;
}

namespace {

using Clock = std::chrono::steady_clock;

// epoll data of the set's members that are not connections; connections count up from
// kFirstConnectionId and are never reused, so an event for a closed one finds nothing.
constexpr std::uint64_t kListenerId = 0;
constexpr std::uint64_t kTimerId = 1;
constexpr std::uint64_t kWakeId = 2;
constexpr std::uint64_t kFirstConnectionId = 3;

constexpr auto kSweepPeriod = std::chrono::milliseconds(250);  // timeouts are seconds

// Received bytes not yet answered. Unlike a std::string it leaves the room recv fills
// uninitialised, so a connection that once took a large body reads no slower afterwards; a
// room over kKeptCapacity is given back once empty, so idle connections stay small.
class InBuffer {
 public:
  static constexpr size_t kKeptCapacity = 64 << 10;

  std::string_view bytes() const { return {data_.get() + begin_, end_ - begin_}; }
  bool empty() const { return begin_ == end_; }
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ != end_) return;
    begin_ = end_ = 0;
    if (capacity_ > kKeptCapacity) {
      data_.reset();
      capacity_ = 0;
    }
  }
  // Room for at least n more bytes after the unanswered ones.
  std::pair<char*, size_t> Room(size_t n) {
    if (capacity_ - end_ < n) {
      const size_t used = end_ - begin_;
      if (capacity_ - used < n) {
        capacity_ = std::max(capacity_ * 2, used + n);
        std::unique_ptr<char[]> bigger(new char[capacity_]);  // not zeroed, unlike make_unique
        if (used) std::memcpy(bigger.get(), data_.get() + begin_, used);
        data_ = std::move(bigger);
      } else if (used) {
        std::memmove(data_.get(), data_.get() + begin_, used);
      }
      begin_ = 0;
      end_ = used;
    }
    return {data_.get() + end_, capacity_ - end_};
  }
  void Filled(size_t n) { end_ += n; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// What a connection waits for, which decides its timeout.
enum class Phase {
  kIdle,     // no byte of a next request: idle_timeout_s since the last answer
  kReading,  // part of a request: request_timeout_s since it began
  kSending,  // an answer the socket did not take at once: send_timeout_s since the last progress
};

}  // namespace

struct Server::Connection {
  int fd = -1;
  std::string peer;
  InBuffer in;
  std::string out;  // answers not sent yet (kSending)
  size_t out_sent = 0;
  Phase phase = Phase::kIdle;
  Clock::time_point since;  // when the phase began (kSending: the last progress)
  bool busy = false;        // a thread serves it; the sweeper leaves it alone
  bool again = false;       // readiness reported while busy: the serving thread looks again
  bool close_after_send = false;

  // Writes what the socket takes of out; false when the connection failed.
  bool Flush();
};

namespace {

std::string AddressText(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {  // a v4 client of a "::" listener counts as its v4 address
      inet_ntop(AF_INET, a.s6_addr + 12, text, sizeof text);
    } else {
      inet_ntop(AF_INET6, &a, text, sizeof text);
    }
  }
  return text;
}

}  // namespace

struct Server::Loop {
  ~Loop() {
    for (auto& [id, c] : connections) close(c->fd);
    for (int fd : {epoll_fd, listen_fd, timer_fd, wake_fd}) {
      if (fd >= 0) close(fd);
    }
  }

  void Arm(int fd, std::uint64_t id, std::uint32_t events) const {
    epoll_event ev{};
    ev.events = events | EPOLLONESHOT;
    ev.data.u64 = id;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
  }
  bool Add(int fd, std::uint64_t id, std::uint32_t events) const {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = id;
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
  }

  // Holding mutex.
  void CloseLocked(std::unordered_map<std::uint64_t, std::unique_ptr<Connection>>::iterator it) {
    Connection& c = *it->second;
    close(c.fd);
    if (auto count = per_address.find(c.peer); count != per_address.end() && --count->second <= 0) {
      per_address.erase(count);
      over_limit_logged.erase(c.peer);
    }
    connections.erase(it);
  }

  int epoll_fd = -1;
  int listen_fd = -1;
  int timer_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;  // guards what follows, and a connection's busy flag
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;
  std::unordered_map<std::string, int> per_address;   // open connections by client address
  std::unordered_set<std::string> over_limit_logged;  // refused since their count was last 0
  std::uint64_t next_id = kFirstConnectionId;
  bool out_of_descriptors_logged = false;
};

Server::Server(ServerConfig config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

namespace {

int Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0) {
    throw std::runtime_error("cannot resolve " + host);
  }
  int fd = -1;
  for (addrinfo* ai = found; ai && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR only (restart while old connections linger); never SO_REUSEPORT, which
    // would let a second server share a port that is in use.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) throw std::runtime_error("cannot bind " + host + ":" + service);
  return fd;
}

}  // namespace

int Server::Start(const std::string& host, int port) {
  auto loop = std::make_unique<Loop>();
  loop->listen_fd = Listen(host, port);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(loop->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int bound = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(addr).sin6_port
                                               : reinterpret_cast<sockaddr_in&>(addr).sin_port);
  loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  loop->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->epoll_fd < 0 || loop->timer_fd < 0 || loop->wake_fd < 0) {
    throw std::runtime_error(std::string("cannot set up the event loop: ") + std::strerror(errno));
  }
  constexpr long kPeriodNs = std::chrono::nanoseconds(kSweepPeriod).count();
  itimerspec period{{0, kPeriodNs}, {0, kPeriodNs}};
  timerfd_settime(loop->timer_fd, 0, &period, nullptr);
  // The wake descriptor stays level-triggered: once Stop writes it, every waiting thread sees it.
  loop->Add(loop->listen_fd, kListenerId, EPOLLIN | EPOLLONESHOT);
  loop->Add(loop->timer_fd, kTimerId, EPOLLIN | EPOLLONESHOT);
  loop->Add(loop->wake_fd, kWakeId, EPOLLIN);
  loop_ = std::move(loop);
  for (int i = 0; i < std::max(config_.threads, 1); ++i) threads_.emplace_back([this] { Run(); });
  return bound;
}

void Server::Stop() {
  if (!loop_) return;
  loop_->stopping = true;
  std::uint64_t one = 1;
  (void)!write(loop_->wake_fd, &one, sizeof one);
  // A thread in a handler finishes it first; none waits on a client.
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  loop_.reset();  // closes the listener and every connection
}

std::size_t Server::connection_count() const {
  if (!loop_) return 0;
  std::lock_guard lock(loop_->mutex);
  return loop_->connections.size();
}

void Server::Run() {
  while (!loop_->stopping) {
    epoll_event ev{};
    // One event at a time: a thread never sits on ready connections while it handles another.
    int n = epoll_wait(loop_->epoll_fd, &ev, 1, -1);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0 || loop_->stopping) continue;
    switch (ev.data.u64) {
      case kListenerId: Accept(); break;
      case kTimerId: CloseExpired(); break;
      case kWakeId: break;  // Stop
      default: ServeReady(ev.data.u64); break;
    }
  }
}

void Server::Accept() {
  // A bounded batch, so that one thread does not accept a flood while requests wait.
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = accept4(loop_->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                     SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      Admit(fd, AddressText(addr));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE) {
      // The waiting connection stays in the backlog: retry once some have closed.
      bool first;
      {
        std::lock_guard lock(loop_->mutex);
        first = !std::exchange(loop_->out_of_descriptors_logged, true);
      }
      if (first && config_.log) {
        config_.log("http: out of file descriptors; new connections wait (raise `ulimit -n`)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    break;  // EAGAIN: none left
  }
  loop_->Arm(loop_->listen_fd, kListenerId, EPOLLIN);
}

void Server::Admit(int fd, std::string peer) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int limit = config_.max_connections_per_address;
  bool first_refusal = false;
  {
    std::lock_guard lock(loop_->mutex);
    auto count = loop_->per_address.find(peer);
    if (count == loop_->per_address.end() || count->second < limit) {
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      c->peer = peer;
      c->since = Clock::now();
      const std::uint64_t id = loop_->next_id++;
      if (!loop_->Add(fd, id, EPOLLIN | EPOLLOUT | EPOLLET)) {
        close(fd);
        return;
      }
      ++loop_->per_address[peer];
      loop_->connections.emplace(id, std::move(c));
      return;
    }
    first_refusal = loop_->over_limit_logged.insert(peer).second;
  }
  // A clear answer instead of a silent close; the socket is new, so it takes it at once.
  Response res;
  res.status = 503;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "too many connections from " + peer + " (at most " + std::to_string(limit) + ")";
  if (config_.finish) config_.finish(res);
  std::string out;
  AppendResponse(out, res, false, false);
  (void)!send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  // Closing with the client's request unread would reset the connection, and the client could
  // lose the answer: read what has come first (a bounded amount, against a flood).
  shutdown(fd, SHUT_WR);
  char discard[4096];
  for (int i = 0; i < 16 && recv(fd, discard, sizeof discard, 0) > 0; ++i) {
  }
  close(fd);
  if (first_refusal && config_.log) {
    config_.log("http: refusing connections from " + peer + ": it has " + std::to_string(limit) +
                " open (not logged again until they close)");
  }
}

void Server::CloseExpired() {
  std::uint64_t expirations;
  (void)!read(loop_->timer_fd, &expirations, sizeof expirations);
  const Clock::time_point now = Clock::now();
  auto limit = [this](Phase phase) {
    switch (phase) {
      case Phase::kIdle: return std::chrono::seconds(config_.idle_timeout_s);
      case Phase::kReading: return std::chrono::seconds(config_.request_timeout_s);
      case Phase::kSending: break;
    }
    return std::chrono::seconds(config_.send_timeout_s);
  };
  {
    std::lock_guard lock(loop_->mutex);
    for (auto it = loop_->connections.begin(); it != loop_->connections.end();) {
      const Connection& c = *it->second;
      auto next = std::next(it);
      if (!c.busy && now - c.since > limit(c.phase)) loop_->CloseLocked(it);
      it = next;
    }
  }
  loop_->Arm(loop_->timer_fd, kTimerId, EPOLLIN);
}

void Server::ServeReady(std::uint64_t id) {
  Connection* c;
  {
    std::lock_guard lock(loop_->mutex);
    auto it = loop_->connections.find(id);
    if (it == loop_->connections.end()) return;  // closed by the sweeper meanwhile
    c = it->second.get();
    if (c->busy) {  // the thread serving it looks again before it lets go
      c->again = true;
      return;
    }
    c->busy = true;
  }
  while (true) {
    const Next next = Serve(*c);
    std::lock_guard lock(loop_->mutex);
    if (next == Next::kClose) return loop_->CloseLocked(loop_->connections.find(id));
    if (next == Next::kWait && !std::exchange(c->again, false)) {
      c->busy = false;
      return;
    }
  }
}

bool Server::Connection::Flush() {
  while (out_sent < out.size()) {
    ssize_t n = send(fd, out.data() + out_sent, out.size() - out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent += static_cast<size_t>(n);
      since = Clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
  out.clear();
  out_sent = 0;
  return true;
}

Server::Next Server::Serve(Connection& c) {
  if (c.phase == Phase::kSending) {
    if (!c.Flush()) return Next::kClose;
    if (!c.out.empty()) return Next::kWait;
    if (c.close_after_send) return Next::kClose;
    c.phase = Phase::kIdle;
    c.since = Clock::now();
  }
  // Reads what has arrived. A full room may mean more is waiting, up to the largest request
  // (a client sending without pause cannot make the buffer grow past that).
  // A read shorter than the room emptied the socket; a later arrival is a new edge.
  bool peer_closed = false;
  bool more_waiting = false;
  const size_t most = config_.limits.max_head + config_.limits.max_body;
  while (true) {
    auto [room, room_size] = c.in.Room(16 << 10);
    ssize_t n = recv(c.fd, room, room_size, 0);
    if (n > 0) {
      c.in.Filled(static_cast<size_t>(n));
      if (static_cast<size_t>(n) < room_size) break;
      if (c.in.bytes().size() < most) continue;
      more_waiting = true;  // read on once the requests in the buffer are answered
      break;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) return Next::kClose;  // reset
    peer_closed = true;              // it may have sent whole requests before closing its side
    break;
  }
  // Answers every complete request in the buffer (pipelining), then writes them at once.
  Request req;
  bool open = true;
  while (open) {
    ParseResult parsed = ParseRequest(c.in.bytes(), config_.limits, req);
    if (parsed.state == ParseState::kIncomplete) break;
    Response res;
    bool head_request = false;
    if (parsed.state == ParseState::kError) {
      res.status = parsed.error_status;
      open = false;  // the stream cannot be trusted past a malformed request
    } else {
      c.in.Consume(parsed.consumed);
      req.peer = c.peer;
      head_request = req.method == "HEAD";
      open = req.keep_alive;
      try {
        config_.handler(req, res);
      } catch (...) {
        res = Response{};
        res.status = 500;
      }
    }
    if (config_.finish) config_.finish(res);
    AppendResponse(c.out, res, open, head_request);
  }
  const bool answered = !c.out.empty();
  if (!c.Flush()) return Next::kClose;
  if (!c.out.empty()) {  // the rest when the socket's writable edge comes
    c.phase = Phase::kSending;
    c.close_after_send = !open || peer_closed;
    return Next::kWait;
  }
  if (!open || peer_closed) return Next::kClose;
  if (c.in.empty()) {
    if (answered || c.phase != Phase::kIdle) c.since = Clock::now();
    c.phase = Phase::kIdle;
  } else if (answered || c.phase != Phase::kReading) {
    c.phase = Phase::kReading;  // a new request began
    c.since = Clock::now();
  }
  return more_waiting ? Next::kAgain : Next::kWait;
}

}  // namespace airlab::server::http
