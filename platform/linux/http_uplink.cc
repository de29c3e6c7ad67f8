#include "platform/linux/http_uplink.h"

#include <httplib.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

namespace airlab::linux_port {
namespace {

std::string_view Text(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// What an exchange that cpp-httplib gave up on means in the port's terms.
Status FromHttplibError(httplib::Error error, bool timed_out) {
  switch (error) {
    case httplib::Error::Success: return Status::Ok();
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:  // the connect itself took too long
    case httplib::Error::BindIPAddress:
    case httplib::Error::SSLConnection: return Status::Unavailable();
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: return Status::PermissionDenied();
    case httplib::Error::Canceled: return Status::ResourceExhausted();  // our receiver: full
    case httplib::Error::Compression: return Status::DataLoss();
    case httplib::Error::Read:
      // cpp-httplib reports a read that timed out like a broken connection; the time tells.
      return timed_out ? Status::DeadlineExceeded() : Status::Aborted();
    default: return Status::Aborted();
  }
}

struct BaseUrl {
  std::string scheme_host_port;  // what httplib::Client takes
  std::string path;              // "" or "/prefix"
};

BaseUrl ParseBaseUrl(const std::string& url) {
  auto fail = [&url]() -> BaseUrl {
    throw std::invalid_argument("the base URL '" + url +
                                "' is not http://host[:port][/path] or https://...; write it "
                                "like http://127.0.0.1:8080 or https://api.thingspeak.com");
  };
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return fail();
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return fail();
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find('/', host_start);
  std::string host_port = url.substr(host_start, path_start - host_start);
  if (host_port.empty() || host_port.find_first_of("?#@ ") != std::string::npos) return fail();
  std::string path = path_start == std::string::npos ? "" : url.substr(path_start);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return {scheme + "://" + host_port, path};
}

// Why an exchange failed, in words a user can act on (cpp-httplib's own are terse:
// "Connection").
std::string Reason(httplib::Error error, bool timed_out) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect: nothing listens there, or the host is unreachable";
    case httplib::Error::ConnectionTimeout: return "the connection timed out";
    case httplib::Error::SSLConnection: return "the TLS handshake failed";
    case httplib::Error::SSLServerVerification: return "the server's certificate is not trusted";
    case httplib::Error::SSLLoadingCerts: return "cannot load the CA certificates";
    case httplib::Error::Read: return timed_out ? "no answer in time" : "the connection broke off";
    case httplib::Error::Write: return "could not send the request";
    default: return httplib::to_string(error);
  }
}

}  // namespace

HttpUplink::HttpUplink(HttpUplinkOptions options) : options_(std::move(options)) {
  BaseUrl base = ParseBaseUrl(options_.base_url);
  path_prefix_ = base.path;
  client_ = std::make_unique<httplib::Client>(base.scheme_host_port);
  if (!client_->is_valid()) {
    throw std::invalid_argument("cannot use the base URL '" + options_.base_url + "'");
  }
  client_->set_keep_alive(options_.keep_alive);
  client_->set_follow_location(false);  // a redirect is an answer; the client decides
  client_->set_connection_timeout(options_.connect_timeout);
  client_->set_read_timeout(options_.read_timeout);
  client_->set_write_timeout(options_.write_timeout);
  if (!options_.ca_file.empty()) client_->set_ca_cert_path(options_.ca_file);
  client_->enable_server_certificate_verification(options_.verify_tls);
  worker_ = std::thread([this] { Run(); });
}

HttpUplink::~HttpUplink() { Stop(); }

void HttpUplink::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  client_->stop();  // breaks the exchange under way, if any
  if (worker_.joinable()) worker_.join();
}

Status HttpUplink::DoSend(const port::HttpRequest& request) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::FailedPrecondition();
    if (queue_.size() >= options_.max_queued) return Status::ResourceExhausted();
    queue_.push_back(request);
  }
  wake_.notify_one();
  return Status::Ok();
}

void HttpUplink::Run() {
  for (;;) {
    port::HttpRequest request;
    bool stopping;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      request = queue_.front();
      queue_.pop_front();
      stopping = stopping_;
    }
    port::HttpAnswer answer;
    if (stopping) {
      answer.tag = request.tag;
      answer.status = Status::Aborted();
    } else {
      answer = Exchange(request);
    }
    request.listener->OnHttpDone(answer);
  }
}

port::HttpAnswer HttpUplink::Exchange(const port::HttpRequest& request) {
  httplib::Request req;
  req.method = request.method == port::HttpMethod::kPost ? "POST" : "GET";
  req.path = path_prefix_ + std::string(request.target);
  req.headers.emplace("User-Agent", options_.user_agent);
  for (const port::HttpHeader& h : request.headers) {
    req.headers.emplace(std::string(h.name), std::string(h.value));
  }
  if (!request.content_type.empty()) {
    req.headers.emplace("Content-Type", std::string(request.content_type));
  }
  req.body = std::string(Text(request.body));
  // The answer goes straight into the caller's buffer; one that does not fit stops the
  // read (Error::Canceled), keeping its first bytes.
  size_t size = 0;
  bool truncated = false;
  req.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
    size_t room = request.answer.size() - size;
    size_t n = length < room ? length : room;
    if (n > 0) std::memcpy(request.answer.data() + size, data, n);
    size += n;
    truncated = n < length;
    return !truncated;
  };

  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  auto start = std::chrono::steady_clock::now();
  bool ok = client_->send(req, res, error);
  bool timed_out = std::chrono::steady_clock::now() - start >= options_.read_timeout;

  port::HttpAnswer answer;
  answer.tag = request.tag;
  answer.status = ok ? Status::Ok() : FromHttplibError(error, timed_out);
  // Our own receiver stopping the read (a full answer buffer) says nothing about the link.
  if (error != httplib::Error::Canceled) NoteReachable(ok, ok ? "" : Reason(error, timed_out));
  if (ok || truncated) answer.http_status = res.status;
  answer.body = ByteSpan(request.answer.first(size));
  return answer;
}

void HttpUplink::NoteReachable(bool reached, const std::string& why) {
  if (reached == !unreachable_) return;
  if (!reached) {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // Stop() cut the exchange short; the URL is not to blame
  }
  unreachable_ = !reached;
  if (!options_.log) return;
  options_.log(reached ? "reached " + options_.base_url + " again"
                       : "cannot reach " + options_.base_url + " (" + why + ")");
}

}  // namespace airlab::linux_port
