#include "server/http.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <charconv>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>

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

Server::Server(ServerConfig config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

int Server::Start(const std::string& host, int port) {
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
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
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
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int bound = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(addr).sin6_port
                                               : reinterpret_cast<sockaddr_in&>(addr).sin_port);
  listen_fd_ = fd;
  stopping_ = false;
  for (int i = 0; i < std::max(config_.threads, 1); ++i) workers_.emplace_back([this] { WorkerLoop(); });
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return bound;
}

void Server::Stop() {
  if (!acceptor_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // Wakes the blocked accept and recvs; the threads close their own descriptors.
    shutdown(listen_fd_, SHUT_RDWR);
    for (int fd : serving_) shutdown(fd, SHUT_RDWR);
  }
  ready_.notify_all();
  acceptor_.join();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  for (int fd : waiting_) close(fd);
  waiting_.clear();
  close(listen_fd_);
  listen_fd_ = -1;
}

void Server::AcceptLoop() {
  while (!stopping_) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      break;  // shut down by Stop
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval timeout{config_.idle_timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        close(fd);
        break;
      }
      waiting_.push_back(fd);
    }
    ready_.notify_one();
  }
}

void Server::WorkerLoop() {
  while (true) {
    int fd;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      fd = waiting_.front();
      waiting_.pop_front();
      serving_.insert(fd);
    }
    Serve(fd);
    {
      std::lock_guard lock(mutex_);
      serving_.erase(fd);
    }
    close(fd);
  }
}

namespace {

// Received bytes not yet answered. Unlike a std::string it leaves the room recv fills
// uninitialised, so a connection that once took a large body reads no slower afterwards.
class InBuffer {
 public:
  std::string_view bytes() const { return {data_.get() + begin_, end_ - begin_}; }
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
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

}  // namespace

void Server::Serve(int fd) {
  InBuffer in;
  std::string out;
  Request req;
  bool open = true;
  while (open && !stopping_) {
    // Answers every complete request in the buffer (pipelining), then writes them at once.
    out.clear();
    while (open) {
      ParseResult parsed = ParseRequest(in.bytes(), config_.limits, req);
      if (parsed.state == ParseState::kIncomplete) break;
      Response res;
      bool head_request = false;
      if (parsed.state == ParseState::kError) {
        res.status = parsed.error_status;
        open = false;  // the stream cannot be trusted past a malformed request
      } else {
        in.Consume(parsed.consumed);
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
      AppendResponse(out, res, open, head_request);
    }
    for (size_t sent = 0; sent < out.size();) {
      ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        return;
      }
      sent += static_cast<size_t>(n);
    }
    if (!open) return;
    auto [room, room_size] = in.Room(64 << 10);
    ssize_t n;
    do {
      n = recv(fd, room, room_size, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return;  // closed, reset, idle timeout or Stop
    in.Filled(static_cast<size_t>(n));
  }
}

}  // namespace airlab::server::http
