// HttpUplink against real servers on loopback: cpp-httplib's Server and SSLServer (with a
// certificate made by the openssl program for the test), a bare TCP socket that speaks no
// HTTP, and a port where nothing listens.

#include "platform/linux/http_uplink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/loopback.h"
#include "tests/temp_dir.h"

namespace airlab::linux_port {
namespace {

using namespace std::chrono_literals;

std::string Str(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
ByteSpan Bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// Collects answers (copied: their views die with the call) from the worker thread.
class Answers final : public port::HttpListener {
 public:
  struct Got {
    uint32_t tag;
    Status status;
    int http_status;
    std::string body;
  };
  void OnHttpDone(const port::HttpAnswer& a) override {
    std::lock_guard lock(mutex_);
    got_.push_back({a.tag, a.status, a.http_status, Str(a.body)});
    cv_.notify_all();
  }
  // Waits for n answers in all (up to 10 s) and returns them.
  std::vector<Got> Wait(size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return got_.size() >= n; });
    return got_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Got> got_;
};

// One request with its buffers, kept alive until its answer.
struct Call {
  std::string target;
  std::string body;
  std::vector<std::byte> answer = std::vector<std::byte>(4096);
  port::HttpRequest Request(Answers& listener, uint32_t tag,
                            port::HttpMethod method = port::HttpMethod::kGet) {
    port::HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = Bytes(body);
    if (!body.empty()) r.content_type = "application/x-www-form-urlencoded";
    r.answer = answer;
    r.listener = &listener;
    r.tag = tag;
    return r;
  }
};

class TestServer {
 public:
  explicit TestServer(httplib::Server& server) : server_(server) {
    server_.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("GET " + req.path + " key=" + req.get_header_value("X-THINGSPEAKAPIKEY") +
                          " ua=" + req.get_header_value("User-Agent") +
                          " port=" + std::to_string(req.remote_port),
                      "text/plain");
    });
    server_.Get("/prefix/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("prefixed " + req.path + "?" + req.get_param_value("a"), "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("POST " + req.get_header_value("Content-Type") + " " + req.body,
                      "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(10000, 'b'), "text/plain");
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("{\"status\":\"404\"}", "application/json");
    });
    server_.Get("/gate", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mutex_);
      ++gate_waiting_;
      cv_.notify_all();
      cv_.wait_for(lock, 10s, [this] { return gate_open_; });
      res.set_content("through", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~TestServer() {
    OpenGate();
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  void WaitGateReached() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [this] { return gate_waiting_ > 0; });
  }
  void OpenGate() {
    std::lock_guard lock(mutex_);
    gate_open_ = true;
    cv_.notify_all();
  }

 private:
  httplib::Server& server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int gate_waiting_ = 0;
  bool gate_open_ = false;
};

std::string Url(int port, const char* scheme = "http") {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
}

TEST(HttpUplink, GetAndPost_HeadersAndKeepAlive) {
  httplib::Server server;
  TestServer peer(server);
  HttpUplink uplink({.base_url = Url(peer.port()), .user_agent = "airlab-test"});
  Answers answers;
  Call get{"/echo"};
  Call post{"/echo", "api_key=K&field1=73"};
  Call again{"/echo"};
  port::HttpHeader key{"X-THINGSPEAKAPIKEY", "WK"};
  port::HttpRequest first = get.Request(answers, 1);
  first.headers = {&key, 1};
  ASSERT_TRUE(uplink.Send(first).ok());
  ASSERT_TRUE(uplink.Send(post.Request(answers, 2, port::HttpMethod::kPost)).ok());
  ASSERT_TRUE(uplink.Send(again.Request(answers, 3)).ok());
  auto got = answers.Wait(3);
  ASSERT_EQ(got.size(), 3u);
  // In order, on one connection (the same client port at the server).
  EXPECT_EQ(got[0].tag, 1u);
  EXPECT_EQ(got[1].tag, 2u);
  EXPECT_EQ(got[2].tag, 3u);
  for (const auto& g : got) {
    EXPECT_EQ(g.status, Status::Ok());
    EXPECT_EQ(g.http_status, 200);
  }
  EXPECT_EQ(got[0].body.substr(0, got[0].body.find(" port=")), "GET /echo key=WK ua=airlab-test");
  EXPECT_EQ(got[1].body, "POST application/x-www-form-urlencoded api_key=K&field1=73");
  std::string port_first = got[0].body.substr(got[0].body.find(" port="));
  std::string port_third = got[2].body.substr(got[2].body.find(" port="));
  EXPECT_EQ(port_first, port_third) << "the connection was not kept alive";
}

TEST(HttpUplink, BaseUrlPath_IsPrefixed) {
  httplib::Server server;
  TestServer peer(server);
  HttpUplink uplink({.base_url = Url(peer.port()) + "/prefix/"});
  Answers answers;
  Call call{"/echo?a=1"};
  ASSERT_TRUE(uplink.Send(call.Request(answers, 1)).ok());
  auto got = answers.Wait(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "prefixed /prefix/echo?1");
}

TEST(HttpUplink, ErrorStatusesAreAnswers_LargeBodiesAreCut) {
  httplib::Server server;
  TestServer peer(server);
  HttpUplink uplink({.base_url = Url(peer.port())});
  Answers answers;
  Call missing{"/missing"};
  Call big{"/big"};
  big.answer.resize(1000);
  ASSERT_TRUE(uplink.Send(missing.Request(answers, 1)).ok());
  ASSERT_TRUE(uplink.Send(big.Request(answers, 2)).ok());
  auto got = answers.Wait(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].status, Status::Ok());
  EXPECT_EQ(got[0].http_status, 404);
  EXPECT_EQ(got[0].body, "{\"status\":\"404\"}");
  EXPECT_EQ(got[1].status, Status::ResourceExhausted());
  EXPECT_EQ(got[1].http_status, 200);
  EXPECT_EQ(got[1].body, std::string(1000, 'b'));
  // The connection is usable after a cut answer.
  Call after{"/echo"};
  ASSERT_TRUE(uplink.Send(after.Request(answers, 3)).ok());
  got = answers.Wait(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].status, Status::Ok());
}

TEST(HttpUplink, NothingListening_Unavailable) {
  HttpUplink uplink({.base_url = Url(testing_tools::FreeLoopbackPort())});
  Answers answers;
  Call call{"/update"};
  ASSERT_TRUE(uplink.Send(call.Request(answers, 7)).ok());
  auto got = answers.Wait(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].tag, 7u);
  EXPECT_EQ(got[0].status, Status::Unavailable());
  EXPECT_EQ(got[0].http_status, 0);
}

// The log names the URL once per outage, however many requests fail, and says when the URL
// answers again.
TEST(HttpUplink, NothingListening_LogNamesTheUrlOncePerOutage) {
  const int port = testing_tools::FreeLoopbackPort();
  std::mutex mutex;
  std::vector<std::string> lines;
  HttpUplink uplink({.base_url = Url(port), .log = [&](const std::string& line) {
                       std::lock_guard lock(mutex);
                       lines.push_back(line);
                     }});
  Answers answers;
  Call first{"/update"}, second{"/update"};
  ASSERT_TRUE(uplink.Send(first.Request(answers, 1)).ok());
  ASSERT_TRUE(uplink.Send(second.Request(answers, 2)).ok());
  ASSERT_EQ(answers.Wait(2).size(), 2u);
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0],
              "cannot reach " + Url(port) +
                  " (could not connect: nothing listens there, or the host is unreachable)");
  }
  httplib::Server server;
  server.Get("/echo", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("up", "text/plain");
  });
  ASSERT_TRUE(server.bind_to_port("127.0.0.1", port));
  std::thread listening([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(1ms);
  Call third{"/echo"};
  ASSERT_TRUE(uplink.Send(third.Request(answers, 3)).ok());
  const auto got = answers.Wait(3);
  server.stop();
  listening.join();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].body, "up");
  std::lock_guard lock(mutex);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "reached " + Url(port) + " again");
}

// A peer that accepts and then says nothing, or something that is not HTTP.
class SilentPeer {
 public:
  explicit SilentPeer(std::string reply = "") : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 4);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      char buffer[2048];
      recv(conn, buffer, sizeof buffer, 0);
      if (!reply_.empty()) {
        send(conn, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        close(conn);
        return;
      }
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return done_; });
      close(conn);
    });
  }
  ~SilentPeer() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
};

TEST(HttpUplink, NoAnswer_DeadlineExceeded) {
  SilentPeer peer;
  HttpUplink uplink({.base_url = Url(peer.port()), .read_timeout = 300ms});
  Answers answers;
  Call call{"/update"};
  ASSERT_TRUE(uplink.Send(call.Request(answers, 1)).ok());
  auto got = answers.Wait(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, Status::DeadlineExceeded());
  EXPECT_EQ(got[0].http_status, 0);
}

TEST(HttpUplink, NotHttp_NoAnswer) {
  SilentPeer peer("SSH-2.0-OpenSSH_9.2\r\n");
  HttpUplink uplink({.base_url = Url(peer.port())});
  Answers answers;
  Call call{"/update"};
  ASSERT_TRUE(uplink.Send(call.Request(answers, 1)).ok());
  auto got = answers.Wait(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].status.ok());
  EXPECT_NE(got[0].status, Status::DeadlineExceeded());
  EXPECT_EQ(got[0].http_status, 0);
}

TEST(HttpUplink, QueueLimit_AndStopAbortsWhatWaits) {
  httplib::Server server;
  TestServer peer(server);
  auto uplink = std::make_unique<HttpUplink>(
      HttpUplinkOptions{.base_url = Url(peer.port()), .max_queued = 2});
  Answers answers;
  std::array<Call, 4> calls{Call{"/gate"}, Call{"/echo"}, Call{"/echo"}, Call{"/echo"}};
  ASSERT_TRUE(uplink->Send(calls[0].Request(answers, 1)).ok());
  peer.WaitGateReached();  // the worker is inside the first exchange
  ASSERT_TRUE(uplink->Send(calls[1].Request(answers, 2)).ok());
  ASSERT_TRUE(uplink->Send(calls[2].Request(answers, 3)).ok());
  EXPECT_EQ(uplink->Send(calls[3].Request(answers, 4)), Status::ResourceExhausted());
  std::thread opener([&] {
    std::this_thread::sleep_for(100ms);
    peer.OpenGate();
  });
  uplink->Stop();
  opener.join();
  auto got = answers.Wait(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].tag, 1u);
  EXPECT_FALSE(got[0].status.ok());  // cut short by Stop
  EXPECT_EQ(got[1].status, Status::Aborted());
  EXPECT_EQ(got[2].status, Status::Aborted());
  EXPECT_EQ(uplink->Send(calls[3].Request(answers, 5)), Status::FailedPrecondition());
  uplink.reset();
  EXPECT_EQ(answers.Wait(3).size(), 3u);  // nothing more came
}

TEST(HttpUplink, Refusals) {
  EXPECT_THROW(HttpUplink({.base_url = "ftp://example.org"}), std::invalid_argument);
  EXPECT_THROW(HttpUplink({.base_url = "127.0.0.1:8080"}), std::invalid_argument);
  EXPECT_THROW(HttpUplink({.base_url = "http://"}), std::invalid_argument);
  HttpUplink uplink({.base_url = "http://127.0.0.1:1"});
  Answers answers;
  Call call{"update"};
  EXPECT_EQ(uplink.Send(call.Request(answers, 1)), Status::InvalidArgument());
  port::HttpRequest no_listener = call.Request(answers, 1);
  no_listener.target = "/update";
  no_listener.listener = nullptr;
  EXPECT_EQ(uplink.Send(no_listener), Status::InvalidArgument());
  EXPECT_EQ(uplink.Publish("t", {}, port::MqttQos::kAtMostOnce, 1), Status::Unimplemented());
}

// A self-signed certificate for 127.0.0.1 and localhost, made by the openssl program.
class Certificate {
 public:
  Certificate() {
    std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
        key() + " -out " + cert() + " >/dev/null 2>&1";
    ok_ = std::system(command.c_str()) == 0;
  }
  bool ok() const { return ok_; }
  std::string cert() const { return dir_.File("cert.pem"); }
  std::string key() const { return dir_.File("key.pem"); }

 private:
  testing_tools::TempDir dir_;
  bool ok_ = false;
};

TEST(HttpUplink, Https_VerifiesTheServer) {
  Certificate certificate;
  ASSERT_TRUE(certificate.ok()) << "openssl could not make a certificate";
  httplib::SSLServer server(certificate.cert().c_str(), certificate.key().c_str());
  ASSERT_TRUE(server.is_valid());
  TestServer peer(server);
  Answers answers;
  Call trusted_call{"/echo"};
  Call untrusted_call{"/echo"};
  Call unverified_call{"/echo"};
  {
    HttpUplink trusted({.base_url = Url(peer.port(), "https"), .ca_file = certificate.cert()});
    ASSERT_TRUE(trusted.Send(trusted_call.Request(answers, 1)).ok());
    answers.Wait(1);
  }
  {
    // The system's store does not know the test's certificate.
    HttpUplink untrusted({.base_url = Url(peer.port(), "https")});
    ASSERT_TRUE(untrusted.Send(untrusted_call.Request(answers, 2)).ok());
    answers.Wait(2);
  }
  {
    HttpUplink unverified({.base_url = Url(peer.port(), "https"), .verify_tls = false});
    ASSERT_TRUE(unverified.Send(unverified_call.Request(answers, 3)).ok());
    answers.Wait(3);
  }
  auto got = answers.Wait(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].status, Status::Ok());
  EXPECT_EQ(got[0].http_status, 200);
  EXPECT_EQ(got[0].body.substr(0, 9), "GET /echo");
  EXPECT_EQ(got[1].status, Status::PermissionDenied());
  EXPECT_EQ(got[1].http_status, 0);
  EXPECT_EQ(got[2].status, Status::Ok());
}

}  // namespace
}  // namespace airlab::linux_port
