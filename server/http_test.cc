// The HTTP layer on its own: the request parser on hand-made bytes, and a server with an echo
// handler driven over raw sockets (malformed and oversized requests, pipelining, keep-alive
// and close, clients that vanish mid-request).

#include "server/http.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/test_support.h"

namespace airlab::server::http {
namespace {

using testing::RawConnection;
using testing::RawExchange;
using testing::WaitFor;

ParseResult Parse(const std::string& bytes, Request& req, Limits limits = {}) {
  return ParseRequest(bytes, limits, req);
}

TEST(HttpServerParse, GetWithQuery_DecodesPathAndParams) {
  Request req;
  std::string bytes = "GET /a%20b?x=1+2&y=%41&x=3 HTTP/1.1\r\nHost: h\r\nX-Key:  v \r\n\r\n";
  ParseResult r = Parse(bytes, req);
  ASSERT_EQ(r.state, ParseState::kComplete);
  EXPECT_EQ(r.consumed, bytes.size());
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/a b");
  ASSERT_EQ(req.params.size(), 3u);
  EXPECT_EQ(req.params[0], (std::pair<std::string, std::string>("x", "1 2")));
  EXPECT_EQ(req.params[1], (std::pair<std::string, std::string>("y", "A")));
  EXPECT_EQ(req.Header("x-key"), "v");
  EXPECT_TRUE(req.keep_alive);
}

TEST(HttpServerParse, FormBody_ParamsAfterTheQuerys) {
  Request req;
  std::string bytes =
      "POST /u?a=q HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 7\r\n\r\na=b&c=dGET";
  ParseResult r = Parse(bytes, req);
  ASSERT_EQ(r.state, ParseState::kComplete);
  EXPECT_EQ(r.consumed, bytes.size() - 3);  // the next request's start stays
  EXPECT_EQ(req.body, "a=b&c=d");
  ASSERT_EQ(req.params.size(), 3u);
  EXPECT_EQ(req.params[0].second, "q");
  EXPECT_EQ(req.params[1].second, "b");
}

TEST(HttpServerParse, PartialHeadOrBody_Incomplete) {
  Request req;
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nHost:", req).state, ParseState::kIncomplete);
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", req).state,
            ParseState::kIncomplete);
}

TEST(HttpServerParse, ConnectionCloseAndHttp10_NoKeepAlive) {
  Request req;
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", req).state, ParseState::kComplete);
  EXPECT_FALSE(req.keep_alive);
  ASSERT_EQ(Parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", req).state,
            ParseState::kComplete);
  EXPECT_FALSE(req.keep_alive);
}

TEST(HttpServerParse, Malformed_Answers400) {
  for (const char* bad : {"GET /\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
                          "GET nopath HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
                          "GET / HTTP/1.1\r\n folded: x\r\n\r\n", "\r\n",
                          "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
                          "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
    Request req;
    ParseResult r = Parse(bad, req);
    EXPECT_EQ(r.state, ParseState::kError) << bad;
    EXPECT_EQ(r.error_status, 400) << bad;
  }
}

TEST(HttpServerParse, OverLimits_Answers413_414_431_501) {
  Request req;
  Limits limits;
  limits.max_body = 10;
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", req, limits).error_status, 413);
  EXPECT_EQ(
      Parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", req).error_status,
      413);
  // Over the limits before the head is even complete: no need to wait for the rest.
  EXPECT_EQ(Parse("GET /" + std::string(9000, 'a'), req).error_status, 414);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'), req).error_status, 431);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) many += "X: y\r\n";
  EXPECT_EQ(Parse(many + "\r\n", req).error_status, 431);
  EXPECT_EQ(Parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", req).error_status, 501);
}

TEST(HttpServerParse, Response_StatusHeadersAndLength) {
  Response res;
  res.status = 404;
  res.headers.emplace_back("X-A", "b");
  res.content_type = "text/plain";
  res.body = "nope";
  std::string out;
  AppendResponse(out, res, true, false);
  EXPECT_EQ(out,
            "HTTP/1.1 404 Not Found\r\nX-A: b\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
            "Connection: Keep-Alive\r\nKeep-Alive: timeout=5, max=100000\r\n\r\nnope");
  out.clear();
  AppendResponse(out, res, false, true);  // HEAD: the length, no body
  EXPECT_NE(out.find("Content-Length: 4\r\nConnection: close\r\n\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

// A server whose handler answers the path and the body; /slow only once the test releases it.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.handler = [this](Request& req, Response& res) {
      for (int i = 0; req.path == "/slow" && !released_ && i < 10000; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (req.path == "/throw") throw std::runtime_error("boom");
      res.content_type = "text/plain";
      res.body = req.path + ":" + req.body;
    };
    config.finish = [](Response& res) {
      if (res.body.empty()) res.body = "error " + std::to_string(res.status);
    };
    config.limits.max_body = 1000;
    config.threads = 4;
    server_ = std::make_unique<Server>(std::move(config));
    port_ = server_->Start("127.0.0.1", 0);
  }

  std::string Exchange(const std::string& bytes, const std::string& until = "", int count = 1) {
    return RawExchange(port_, bytes, until, count, std::chrono::seconds(3));
  }

  bool StillServes() {
    return Exchange("GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n").find("/ok:") !=
           std::string::npos;
  }

  std::atomic<bool> released_{false};
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, Pipelined_AnsweredInOrder) {
  std::string reply = Exchange(
      "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
      "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n");
  size_t a = reply.find("/a:"), b = reply.find("/b:xyz"), c = reply.find("/c:");
  ASSERT_NE(a, std::string::npos) << reply;
  ASSERT_NE(b, std::string::npos) << reply;
  ASSERT_NE(c, std::string::npos) << reply;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);  // and then it closed
}

TEST_F(HttpServerTest, KeepAlive_ConnectionStaysOpenUntilClose) {
  RawConnection connection(port_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection.Send("GET /k" + std::to_string(i) + " HTTP/1.1\r\n\r\n"));
    std::string reply = connection.ReadUntil(":", 1);
    EXPECT_NE(reply.find("Keep-Alive"), std::string::npos) << reply;
  }
  ASSERT_TRUE(connection.Send("GET /last HTTP/1.1\r\nConnection: close\r\n\r\n"));
  // Read until the peer closes: the reply ends the stream.
  std::string reply = connection.ReadUntil("never appears", 1, std::chrono::seconds(3));
  EXPECT_NE(reply.find("/last:"), std::string::npos) << reply;
  EXPECT_FALSE(connection.Send("GET /after HTTP/1.1\r\n\r\n") &&
               connection.ReadUntil("/after:", 1, std::chrono::milliseconds(500)).find("/after:") !=
                   std::string::npos);
}

TEST_F(HttpServerTest, RequestInPieces_AssembledThenNextServed) {
  RawConnection connection(port_);
  const std::string body(900, 'b');
  const std::string request = "POST /p HTTP/1.1\r\nContent-Length: 900\r\n\r\n" + body;
  // Split inside the head and the body; each piece is read before the next arrives.
  const size_t cuts[] = {0, 7, 30, 400, request.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    ASSERT_TRUE(connection.Send(request.substr(cuts[i], cuts[i + 1] - cuts[i])));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(connection.ReadUntil("/p:" + body).find("/p:" + body), std::string::npos);
  ASSERT_TRUE(connection.Send("GET /next HTTP/1.1\r\n\r\n"));
  EXPECT_NE(connection.ReadUntil("/next:").find("/next:"), std::string::npos);
}

TEST_F(HttpServerTest, Http10_ClosesAfterTheAnswer) {
  std::string reply = Exchange("GET /old HTTP/1.0\r\n\r\n", "never appears");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
  EXPECT_NE(reply.find("/old:"), std::string::npos);
}

TEST_F(HttpServerTest, MalformedAndOversized_AnsweredThenClosed) {
  EXPECT_EQ(Exchange("GARBAGE\r\n\r\n").rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  std::string big = Exchange("POST /x HTTP/1.1\r\nContent-Length: 1001\r\n\r\n");
  EXPECT_EQ(big.rfind("HTTP/1.1 413 ", 0), 0u) << big;
  EXPECT_NE(big.find("error 413"), std::string::npos);  // the finish hook ran
  EXPECT_EQ(Exchange("GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n")
                .rfind("HTTP/1.1 431 ", 0),
            0u);
  EXPECT_EQ(
      Exchange("GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 414 ", 0),
      0u);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpServerTest, HandlerThrows_Answers500AndGoesOn) {
  EXPECT_EQ(Exchange("GET /throw HTTP/1.1\r\n\r\n", "error 500").rfind("HTTP/1.1 500 ", 0), 0u);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpServerTest, ClientVanishesMidRequest_ServerGoesOn) {
  // Twice as many vanishing clients as workers: each must give its worker back.
  for (int i = 0; i < 8; ++i) {
    RawConnection connection(port_);
    ASSERT_TRUE(connection.Send(i % 2 ? "GET /half HTTP/1.1\r\nHo"
                                      : "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nab"));
  }  // closed with the request unfinished
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpServerTest, SlowHandler_DoesNotHoldOtherConnections) {
  RawConnection slow(port_);
  ASSERT_TRUE(slow.Send("GET /slow HTTP/1.1\r\n\r\n"));
  // Answered while the slow one still works: not queued behind it.
  EXPECT_TRUE(StillServes());
  EXPECT_EQ(slow.ReadUntil("/slow:", 1, std::chrono::milliseconds(100)), "");
  released_ = true;
  EXPECT_NE(slow.ReadUntil("/slow:").find("/slow:"), std::string::npos);
}

TEST_F(HttpServerTest, Stop_ClosesIdleConnections) {
  RawConnection idle(port_);
  ASSERT_TRUE(idle.Send("GET /i HTTP/1.1\r\n\r\n"));
  ASSERT_NE(idle.ReadUntil("/i:").find("/i:"), std::string::npos);
  server_->Stop();  // returns although the connection is idle and open
  EXPECT_EQ(idle.ReadUntil("anything", 1, std::chrono::seconds(1)), "");
}

// Connections beyond the per-address limit get a clear answer and a close, logged once; other
// addresses and the connections already open are served as before.
TEST(HttpServerLimits, OverPerAddressLimit_Answered503LoggedOnce) {
  std::vector<std::string> log;
  std::mutex log_mutex;
  ServerConfig config;
  config.handler = [](Request& req, Response& res) { res.body = req.path; };
  config.max_connections_per_address = 3;
  config.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  Server server(std::move(config));
  const int port = server.Start("127.0.0.1", 0);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawConnection>(port));
  ASSERT_TRUE(WaitFor([&] { return server.connection_count() == 3; }));
  for (int i = 0; i < 2; ++i) {
    std::string refused = RawExchange(port, "GET /x HTTP/1.1\r\n\r\n", "never appears");
    EXPECT_EQ(refused.rfind("HTTP/1.1 503 ", 0), 0u) << refused;
    EXPECT_NE(refused.find("too many connections from 127.0.0.1"), std::string::npos) << refused;
    EXPECT_NE(refused.find("Connection: close"), std::string::npos) << refused;
  }
  ASSERT_TRUE(held[0]->Send("GET /held HTTP/1.1\r\n\r\n"));
  EXPECT_NE(held[0]->ReadUntil("/held").find("/held"), std::string::npos);
  {
    std::lock_guard lock(log_mutex);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("127.0.0.1"), std::string::npos) << log[0];
  }
  held.clear();  // under the limit again: served
  ASSERT_TRUE(WaitFor([&] { return server.connection_count() == 0; }));
  EXPECT_NE(RawExchange(port, "GET /again HTTP/1.1\r\nConnection: close\r\n\r\n").find("/again"),
            std::string::npos);
}

// An idle connection, and one whose request never ends, are closed after their timeouts.
TEST(HttpServerLimits, IdleAndUnfinished_ClosedAfterTheirTimeouts) {
  ServerConfig config;
  config.handler = [](Request& req, Response& res) { res.body = req.path; };
  config.idle_timeout_s = 1;
  config.request_timeout_s = 2;
  Server server(std::move(config));
  const int port = server.Start("127.0.0.1", 0);
  RawConnection idle(port);
  RawConnection unfinished(port);
  ASSERT_TRUE(unfinished.Send("GET /never-ends HTTP/1.1\r\nHo"));
  const auto start = std::chrono::steady_clock::now();
  // ReadUntil returns early when the server closes; "" since nothing was answered.
  EXPECT_EQ(idle.ReadUntil("anything", 1, std::chrono::seconds(10)), "");
  const auto idle_closed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(unfinished.ReadUntil("anything", 1, std::chrono::seconds(10)), "");
  const auto unfinished_closed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(idle_closed, std::chrono::seconds(5));
  EXPECT_GE(unfinished_closed, std::chrono::seconds(2));  // kept while within its time
  EXPECT_LT(unfinished_closed, std::chrono::seconds(6));
  EXPECT_EQ(server.connection_count(), 0u);
}

// An answer larger than the socket takes at once, to a client that does not read it, holds no
// thread: with one thread, another client is still served meanwhile, and the large answer
// arrives whole once its client reads.
TEST(HttpServerLimits, AnswerToAClientNotReading_HoldsNoThread) {
  const std::string big(32 << 20, 'x');
  ServerConfig config;
  config.handler = [&big](Request& req, Response& res) {
    res.body = req.path == "/big" ? big : req.path;
  };
  config.threads = 1;
  Server server(std::move(config));
  const int port = server.Start("127.0.0.1", 0);
  RawConnection reader_later(port);
  ASSERT_TRUE(reader_later.Send("GET /big HTTP/1.1\r\nConnection: close\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_NE(RawExchange(port, "GET /other HTTP/1.1\r\nConnection: close\r\n\r\n").find("/other"),
            std::string::npos);
  // Reads until the server closes, after the whole answer.
  std::string got = reader_later.ReadUntil("", 1, std::chrono::seconds(20));
  EXPECT_NE(got.find("Content-Length: " + std::to_string(big.size())), std::string::npos);
  EXPECT_EQ(got.size() - (got.find("\r\n\r\n") + 4), big.size());
}

}  // namespace
}  // namespace airlab::server::http
