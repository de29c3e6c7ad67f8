// The server over real HTTP on loopback: every endpoint, ThingSpeak's answers and errors, the
// rate limit, and hostile input after which the server must still serve.

#include "server/server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>

#include "server/test_support.h"

namespace airlab::server {
namespace {

using nlohmann::json;
using testing::RawExchange;

constexpr TimeMs kStart = 1714564800000;  // 2024-05-01T12:00:00Z

struct Reply {
  int status = -1;
  std::string body;
  std::string content_type;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.rate_limit_s = 0;
    options.max_body_bytes = 64 << 10;
    options.clock = [this] { return now_.load(); };
    server_ = std::make_unique<Server>(options);
    server_->Start();
    client_ = std::make_unique<httplib::Client>(server_->url());
    client_->set_keep_alive(true);
    client_->set_url_encode(false);  // paths here are encoded already, '+' meaning a space
    pub_ = server_->database().CreateChannel(
        {.name = "weather", .field_names = {"temp", "hum"}, .public_flag = true});
    priv_ = server_->database().CreateChannel({.name = "secret", .field_names = {"a", "b"}});
  }

  static Reply From(const httplib::Result& r) {
    Reply reply;
    if (!r) return reply;
    reply.status = r->status;
    reply.body = r->body;
    reply.content_type = r->get_header_value("Content-Type");
    return reply;
  }
  Reply Get(const std::string& path, const httplib::Headers& headers = {}) {
    return From(client_->Get(path, headers));
  }
  Reply Post(const std::string& path, const std::string& body, const std::string& type) {
    return From(client_->Post(path, body, type));
  }
  // One accepted update; the fake clock moves a second so entries get distinct times.
  std::string Update(const Channel& c, const std::string& query) {
    now_ += 1000;
    return Get("/update?api_key=" + c.write_key + "&" + query).body;
  }
  static void ExpectError(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json e = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(e.is_object()) << r.body;
    EXPECT_EQ(e["status"], std::to_string(status));
    EXPECT_EQ(e["error"]["error_code"], code);
    EXPECT_TRUE(e["error"]["message"].is_string());
  }

  std::atomic<TimeMs> now_{kStart};
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
  Channel pub_;
  Channel priv_;
};

TEST_F(ServerTest, Update_Get_AnswersEntryIdsFromOne) {
  EXPECT_EQ(Update(pub_, "field1=21.5"), "1");
  EXPECT_EQ(Update(pub_, "field1=22&field2=40"), "2");
  EXPECT_EQ(Update(priv_, "field1=1"), "1");
  Reply r = Get("/update?api_key=" + pub_.write_key + "&field1=3");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u) << r.content_type;
}

TEST_F(ServerTest, Update_KeyInHeadersAndBodies_AllAccepted) {
  EXPECT_EQ(Get("/update?field1=1", {{"THINGSPEAKAPIKEY", pub_.write_key}}).body, "1");
  EXPECT_EQ(Get("/update?field1=2", {{"x-thingspeakapikey", pub_.write_key}}).body, "2");
  EXPECT_EQ(Post("/update", "api_key=" + pub_.write_key + "&field1=3&status=a+b%21",
                 "application/x-www-form-urlencoded")
                .body,
            "3");
  EXPECT_EQ(Post("/update", R"({"api_key":")" + pub_.write_key + R"(","field1":4.5,"field2":"x"})",
                 "application/json")
                .body,
            "4");
  EXPECT_EQ(Post("/update", "api_key=" + pub_.write_key + "&field1=5", "").body, "5");
  json feed =
      json::parse(Get("/channels/" + std::to_string(pub_.id) + "/feeds.json?status=true").body);
  ASSERT_EQ(feed["feeds"].size(), 5u);
  EXPECT_EQ(feed["feeds"][2]["field1"], "3");
  EXPECT_EQ(feed["feeds"][2]["status"], "a b!");
  EXPECT_EQ(feed["feeds"][3]["field1"], "4.5");
  EXPECT_EQ(feed["feeds"][3]["field2"], "x");
}

TEST_F(ServerTest, UpdateJson_AnswersTheStoredEntry) {
  Reply r = Post("/update.json",
                 "api_key=" + pub_.write_key + "&field1=7&lat=52.52&long=13.40&elevation=34",
                 "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u);
  json e = json::parse(r.body);
  EXPECT_EQ(e["channel_id"], pub_.id);
  EXPECT_EQ(e["entry_id"], 1);
  EXPECT_EQ(e["created_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(e["field1"], "7");
  EXPECT_TRUE(e["field2"].is_null());
  EXPECT_EQ(e["latitude"], "52.52");
  EXPECT_EQ(e["elevation"], "34");
  EXPECT_TRUE(e["status"].is_null());
  EXPECT_EQ(
      Post("/update.json", "api_key=WRONGWRONGWRONG1&field1=7", "application/x-www-form-urlencoded")
          .body,
      "0");
}

TEST_F(ServerTest, Update_Refusals_AnswerZeroAndStoreNothing) {
  const std::string key = "api_key=" + pub_.write_key;
  for (const std::string& query :
       {std::string("api_key=NOTTHEKEY1234567&field1=1"), std::string("field1=1"), key,
        key + "&field1=", key + "&field9=1", key + "&field1=" + std::string(256, 'x'),
        key + "&field1=1&created_at=tomorrow", key + "&lat=123", key + "&field1=1&long=west",
        "api_key=" + priv_.read_keys[0] + "&field1=1"}) {
    Reply r = Get("/update?" + query);
    EXPECT_EQ(r.status, 200) << query;
    EXPECT_EQ(r.body, "0") << query;
  }
  EXPECT_EQ(
      json::parse(Get("/channels/" + std::to_string(pub_.id) + "/feeds.json").body)["feeds"].size(),
      0u);
  EXPECT_EQ(Update(pub_, "field1=" + std::string(255, 'x')), "1");
}

TEST_F(ServerTest, Update_GivenTimeTaken_AnswersZero) {
  EXPECT_EQ(Update(pub_, "field1=1&created_at=2024-01-01T00:00:00Z"), "1");
  EXPECT_EQ(Update(pub_, "field1=2&created_at=2024-01-01%2000:00:00"), "0");
}

TEST_F(ServerTest, Update_ChannelRateLimit_AnswersZeroUntilItPasses) {
  Channel free = server_->database().CreateChannel({.name = "free", .rate_limit_s = 15});
  const std::string path = "/update?api_key=" + free.write_key + "&field1=";
  EXPECT_EQ(Get(path + "1").body, "1");
  EXPECT_EQ(Get(path + "2").body, "0");
  now_ += 14999;
  EXPECT_EQ(Get(path + "3").body, "0");
  now_ += 1;
  EXPECT_EQ(Get(path + "4").body, "2");
  EXPECT_EQ(Get(path + "5").body, "0");
}

TEST(ServerDefaults, RateLimit_FifteenSecondsLikeAFreeAccount) {
  std::atomic<TimeMs> now{kStart};
  ServerOptions options;
  options.clock = [&now] { return now.load(); };
  Server server(options);
  server.Start();
  Channel c = server.database().CreateChannel({.name = "c"});
  httplib::Client client(server.url());
  const std::string path = "/update?api_key=" + c.write_key + "&field1=1";
  EXPECT_EQ(client.Get(path)->body, "1");
  now += 10000;
  EXPECT_EQ(client.Get(path)->body, "0");
  now += 5000;
  EXPECT_EQ(client.Get(path)->body, "2");
}

TEST_F(ServerTest, Feeds_JsonShapeResultsAndWindows) {
  for (int i = 1; i <= 5; ++i) {
    Update(pub_, "field1=" + std::to_string(i) + "&field2=" + std::to_string(10 * i) + "&status=s" +
                     std::to_string(i));
  }
  const std::string base = "/channels/" + std::to_string(pub_.id);
  Reply r = Get(base + "/feeds.json?results=2&status=true");
  ASSERT_EQ(r.status, 200);
  json feed = json::parse(r.body);
  const json& ch = feed["channel"];
  EXPECT_EQ(ch["id"], pub_.id);
  EXPECT_EQ(ch["name"], "weather");
  EXPECT_EQ(ch["field1"], "temp");
  EXPECT_EQ(ch["field2"], "hum");
  EXPECT_EQ(ch["last_entry_id"], 5);
  EXPECT_EQ(ch["updated_at"], "2024-05-01T12:00:05Z");
  for (const char* key : {"description", "latitude", "longitude", "created_at"}) {
    EXPECT_TRUE(ch.contains(key)) << key;
  }
  ASSERT_EQ(feed["feeds"].size(), 2u);
  EXPECT_EQ(feed["feeds"][0]["entry_id"], 4);
  EXPECT_EQ(feed["feeds"][1]["field2"], "50");
  EXPECT_EQ(feed["feeds"][1]["status"], "s5");
  EXPECT_EQ(feed["feeds"][1]["created_at"], "2024-05-01T12:00:05Z");

  EXPECT_EQ(json::parse(Get(base + "/feeds.json").body)["feeds"].size(), 5u);
  EXPECT_FALSE(json::parse(Get(base + "/feeds.json").body)["feeds"][0].contains("status"));
  now_ += 60000;  // entries 1..5 are now 56..60 s old
  EXPECT_EQ(json::parse(Get(base + "/feeds.json?minutes=1.04").body)["feeds"].size(), 3u);
  EXPECT_EQ(
      json::parse(Get(base + "/feeds.json?start=2024-05-01%2012:00:02&end=2024-05-01%2012:00:04")
                      .body)["feeds"]
          .size(),
      3u);
  EXPECT_EQ(json::parse(Get(base + "/feeds.json?days=1&results=1").body)["feeds"][0]["entry_id"],
            5);

  Reply csv = Get(base + "/feeds.csv?results=2");
  EXPECT_EQ(csv.content_type.rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body,
            "created_at,entry_id,field1,field2\n"
            "2024-05-01T12:00:04Z,4,4,40\n"
            "2024-05-01T12:00:05Z,5,5,50\n");
}

TEST_F(ServerTest, Fields_LastAndStatus) {
  Update(pub_, "field1=1&field2=10&status=first");
  Update(pub_, "field1=2");
  Update(pub_, "status=only+status");
  const std::string base = "/channels/" + std::to_string(pub_.id);

  json f2 = json::parse(Get(base + "/fields/2.json").body);
  EXPECT_EQ(f2["channel"]["id"], pub_.id);
  ASSERT_EQ(f2["feeds"].size(), 3u);
  EXPECT_EQ(f2["feeds"][0]["field2"], "10");
  EXPECT_TRUE(f2["feeds"][1]["field2"].is_null());
  EXPECT_FALSE(f2["feeds"][0].contains("field1"));
  EXPECT_EQ(Get(base + "/fields/field2.json").body, Get(base + "/fields/2.json").body);
  EXPECT_EQ(Get(base + "/fields/1.csv").body,
            "created_at,entry_id,field1\n2024-05-01T12:00:01Z,1,1\n"
            "2024-05-01T12:00:02Z,2,2\n2024-05-01T12:00:03Z,3,\n");

  // last skips entries where the field is empty
  EXPECT_EQ(Get(base + "/fields/1/last.txt").body, "2");
  EXPECT_EQ(Get(base + "/fields/1/last").body, "2");
  EXPECT_EQ(Get(base + "/fields/2/last.txt").body, "10");
  json last1 = json::parse(Get(base + "/fields/1/last.json").body);
  EXPECT_EQ(last1["entry_id"], 2);
  EXPECT_EQ(last1["field1"], "2");
  EXPECT_FALSE(last1.contains("field2"));
  EXPECT_EQ(Get(base + "/fields/3/last.txt").body, "-1");

  json last = json::parse(Get(base + "/feeds/last.json?status=true").body);
  EXPECT_EQ(last["entry_id"], 3);
  EXPECT_TRUE(last["field1"].is_null());
  EXPECT_EQ(last["status"], "only status");

  json status = json::parse(Get(base + "/status.json").body);
  EXPECT_EQ(status["channel"]["name"], "weather");
  ASSERT_EQ(status["feeds"].size(), 2u);
  EXPECT_EQ(status["feeds"][0]["status"], "first");
  EXPECT_EQ(status["feeds"][1]["entry_id"], 3);
}

TEST_F(ServerTest, EmptyChannel_LastAnswersMinusOne) {
  const std::string base = "/channels/" + std::to_string(pub_.id);
  EXPECT_EQ(Get(base + "/feeds/last.json").body, "-1");
  EXPECT_EQ(Get(base + "/fields/1/last.txt").body, "-1");
  json feed = json::parse(Get(base + "/feeds.json").body);
  EXPECT_TRUE(feed["channel"]["last_entry_id"].is_null());
  EXPECT_EQ(feed["feeds"].size(), 0u);
}

TEST_F(ServerTest, PrivateChannel_NeedsAKeyOfItsOwn) {
  Update(priv_, "field1=42&status=hidden");
  const std::string base = "/channels/" + std::to_string(priv_.id);
  for (const std::string& path :
       {base + "/feeds.json", base + "/feeds.json?api_key=" + pub_.read_keys[0],
        base + "/fields/1.json", base + "/fields/1/last.json", base + "/feeds/last.json",
        base + "/status.json"}) {
    ExpectError(Get(path), 401, "error_auth_required");
  }
  for (const std::string& path : {base + "/feeds.csv", base + "/fields/1/last.txt",
                                  base + "/fields/1/last", base + "/fields/1.csv"}) {
    Reply r = Get(path);
    EXPECT_EQ(r.body, "-1") << path;
    EXPECT_EQ(r.status, 200) << path;
  }
  EXPECT_EQ(Get(base + "/fields/1/last.txt?api_key=" + priv_.read_keys[0]).body, "42");
  EXPECT_EQ(Get(base + "/fields/1/last.txt?api_key=" + priv_.write_key).body, "42");
  EXPECT_EQ(Get(base + "/fields/1/last.txt", {{"THINGSPEAKAPIKEY", priv_.read_keys[0]}}).body,
            "42");
  EXPECT_EQ(
      json::parse(Get(base + "/feeds.json?api_key=" + priv_.read_keys[0]).body)["feeds"].size(),
      1u);
}

TEST_F(ServerTest, BadPaths_GetThingSpeakErrors) {
  ExpectError(Get("/channels/abc/feeds.json"), 404, "error_resource_not_found");
  ExpectError(Get("/channels/0/feeds.json"), 404, "error_resource_not_found");
  ExpectError(Get("/channels/99999999999999999999999/feeds.json"), 404, "error_resource_not_found");
  ExpectError(Get("/channels/999/fields/1.json"), 404, "error_resource_not_found");
  ExpectError(Get("/channels/-1/status.json"), 404, "error_resource_not_found");
  ExpectError(Get("/no/such/path"), 404, "error_resource_not_found");
  // What the path-segment router must not take: unknown or doubled extensions, empty or dotted
  // segments, a trailing slash, extra segments.
  for (const char* path :
       {"/channels/1/feeds.xml", "/channels/1/feeds.json.json", "/channels//feeds.json",
        "/channels/1.5/feeds.json", "/update/", "/update.csv", "/channels/1/feeds/last/x",
        "/channels.csv", "/static/", "/static/a/b", "/channels/1/fields/1/2.json"}) {
    SCOPED_TRACE(path);
    ExpectError(Get(path), 404, "error_resource_not_found");
  }
  const std::string base = "/channels/" + std::to_string(pub_.id);
  ExpectError(Get(base + "/fields/9.json"), 400, "error_bad_request");
  ExpectError(Get(base + "/fields/0.json"), 400, "error_bad_request");
  ExpectError(Get(base + "/fields/x.json"), 400, "error_bad_request");
  Reply text = Get(base + "/fields/9/last.txt");
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(text.body, "error_bad_request");
  ExpectError(Get(base + "/feeds.json?results=many"), 400, "error_bad_request");
  ExpectError(Get(base + "/feeds.json?start=someday"), 400, "error_bad_request");
  ExpectError(Get(base + "/bulk_update.json"), 405, "error_method_invalid");
  ExpectError(Post("/update.json", "{not json", "application/json"), 400, "error_bad_request");
  Reply text_update = Post("/update", "{not json", "application/json");
  EXPECT_EQ(text_update.status, 400);
  EXPECT_EQ(text_update.body, "error_bad_request");
}

TEST_F(ServerTest, InvalidUtf8_Answers422) {
  Reply r = Get("/update.json?api_key=" + pub_.write_key + "&field1=%FF%FE");
  ExpectError(r, 422, "error_invalid_byte_sequence");
  Reply text = Get("/update?api_key=" + pub_.write_key + "&status=%C0%AF");
  EXPECT_EQ(text.status, 422);
  EXPECT_EQ(text.body, "error_invalid_byte_sequence");
}

TEST_F(ServerTest, SqlAndMarkupInValues_StoredAndAnsweredAsText) {
  const std::string sql = "1'); DROP TABLE entries; --";
  const std::string html = "<script>alert(\"x\")</script>";
  const std::string img = "<img src=x onerror=alert(1)>";
  Reply r = Post("/update",
                 "api_key=" + pub_.write_key + "&field1=" + testing::UrlEncode(sql) +
                     "&field2=" + testing::UrlEncode(html) + "&status=" + testing::UrlEncode(img),
                 "application/x-www-form-urlencoded");
  EXPECT_EQ(r.body, "1");
  Reply feed = Get("/channels/" + std::to_string(pub_.id) + "/feeds.json?status=true");
  EXPECT_EQ(feed.body.find('<'), std::string::npos);  // escaped as \u003c, as Rails does
  json j = json::parse(feed.body);
  EXPECT_EQ(j["feeds"][0]["field1"], sql);
  EXPECT_EQ(j["feeds"][0]["field2"], html);
  EXPECT_EQ(j["feeds"][0]["status"], img);
  EXPECT_EQ(Update(pub_, "field1=2"), "2");  // the table is still there
  EXPECT_EQ(Get("/channels/" + std::to_string(pub_.id) + "/fields/2/last.txt").body, html);
}

TEST_F(ServerTest, BulkJson_AcceptedWithTimesAndRefusals) {
  const std::string path = "/channels/" + std::to_string(pub_.id) + "/bulk_update.json";
  json body = {{"write_api_key", pub_.write_key},
               {"updates",
                {{{"delta_t", 0}, {"field1", 1}},
                 {{"delta_t", 10}, {"field1", 2}, {"status", "ok"}},
                 {{"created_at", "2024-04-01T00:00:00Z"}, {"field2", "early"}}}}};
  Reply r = Post(path, body.dump(), "application/json");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"success":true})"));
  json feed = json::parse(Get("/channels/" + std::to_string(pub_.id) + "/feeds.json").body);
  ASSERT_EQ(feed["feeds"].size(), 3u);
  EXPECT_EQ(feed["feeds"][0]["field2"], "early");  // ordered by time
  EXPECT_EQ(feed["feeds"][0]["entry_id"], 3);
  EXPECT_EQ(feed["feeds"][1]["created_at"], "2024-05-01T11:59:50Z");
  EXPECT_EQ(feed["feeds"][2]["created_at"], "2024-05-01T12:00:00Z");

  ExpectError(Post(path, "{", "application/json"), 400, "error_bad_request");
  ExpectError(Post(path, R"({"write_api_key":"X","updates":[]})", "application/json"), 400,
              "error_bad_request");
  json unkeyed = body;
  unkeyed.erase("write_api_key");
  ExpectError(Post(path, unkeyed.dump(), "application/json"), 401, "error_auth_required");
  json wrong = body;
  wrong["write_api_key"] = priv_.write_key;
  ExpectError(Post(path, wrong.dump(), "application/json"), 401, "error_auth_required");
  json too_many = {{"write_api_key", pub_.write_key}, {"updates", json::array()}};
  for (int i = 0; i < 961; ++i) too_many["updates"].push_back({{"delta_t", 1}, {"field1", i}});
  ExpectError(Post(path, too_many.dump(), "application/json"), 413, "error_request_too_large");
  ExpectError(Post(path, body.dump(), "application/json"), 409,
              "error_conflict");  // 2024-04-01 again
  ExpectError(Post("/channels/abc/bulk_update.json", body.dump(), "application/json"), 404,
              "error_resource_not_found");
  ExpectError(Post("/channels/999/bulk_update.json", body.dump(), "application/json"), 404,
              "error_resource_not_found");
  EXPECT_EQ(
      json::parse(Get("/channels/" + std::to_string(pub_.id) + "/feeds.json").body)["feeds"].size(),
      3u);
}

TEST_F(ServerTest, BulkCsv_Accepted) {
  const std::string path = "/channels/" + std::to_string(priv_.id) + "/bulk_update.csv";
  Reply r = Post(path,
                 "write_api_key=" + priv_.write_key +
                     "&time_format=absolute&updates=2024-04-30T10:00:00Z,1,2|"
                     "2024-04-30T10:00:05Z,3,,,,,,,,,,,note",
                 "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 202) << r.body;
  json feed = json::parse(Get("/channels/" + std::to_string(priv_.id) +
                              "/feeds.json?status=true&api_key=" + priv_.read_keys[0])
                              .body);
  ASSERT_EQ(feed["feeds"].size(), 2u);
  EXPECT_EQ(feed["feeds"][0]["field2"], "2");
  EXPECT_EQ(feed["feeds"][1]["status"], "note");
  ExpectError(Post(path, "write_api_key=" + priv_.write_key + "&time_format=absolute",
                   "application/x-www-form-urlencoded"),
              400, "error_bad_request");
}

TEST_F(ServerTest, BulkRateLimit_Answers429) {
  Channel free = server_->database().CreateChannel({.name = "free", .rate_limit_s = 15});
  const std::string path = "/channels/" + std::to_string(free.id) + "/bulk_update.json";
  json body = {{"write_api_key", free.write_key}, {"updates", {{{"delta_t", 1}, {"field1", 1}}}}};
  EXPECT_EQ(Post(path, body.dump(), "application/json").status, 202);
  ExpectError(Post(path, body.dump(), "application/json"), 429, "error_too_many_requests");
}

TEST_F(ServerTest, OversizedBody_Answers413AndServerGoesOn) {
  std::string big = "api_key=" + pub_.write_key + "&field1=" + std::string(100 << 10, 'x');
  Reply r = Post("/update", big, "application/x-www-form-urlencoded");
  ExpectError(r, 413, "error_request_too_large");
  httplib::Client fresh(server_->url());
  auto ok = fresh.Get("/update?api_key=" + pub_.write_key + "&field1=1");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "1");
}

TEST_F(ServerTest, GarbageOnTheWire_ServerStillServes) {
  const int port = server_->port();
  const std::string garbage[] = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello
      "GET /update?api_key=x&field1=1\r\n\r\n",                         // no HTTP version
      "BREW /update HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /update HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\nshort",
      "POST /update HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /channels/1/feeds.json?results=%%%% HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string("GET /\0\xff HTTP/1.1\r\n\r\n", 20),
      "GET /update HTTP/1.1\r\n" + std::string(9000, 'H') + ": y\r\n\r\n",
      "",
  };
  for (const std::string& bytes : garbage)
    RawExchange(port, bytes, "", 1, std::chrono::milliseconds(300));
  EXPECT_EQ(Update(pub_, "field1=after+garbage"), "1");
}

TEST_F(ServerTest, KeepAlive_RequestsShareOneConnection) {
  Update(pub_, "field1=5");
  const std::string request = "GET /channels/" + std::to_string(pub_.id) +
                              "/fields/1/last.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
  testing::RawConnection connection(server_->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection.Send(request));
    std::string reply = connection.ReadUntil("\r\n\r\n5");
    EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
    EXPECT_NE(reply.find("Keep-Alive"), std::string::npos) << reply;
  }
}

TEST_F(ServerTest, CorsPreflight_AllowsTheKeyHeaders) {
  auto r = client_->Options("/update");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Headers").find("THINGSPEAKAPIKEY"),
            std::string::npos);
}

TEST_F(ServerTest, ChannelList_NamesWithoutKeys) {
  Reply r = Get("/channels.json");
  ASSERT_EQ(r.status, 200);
  json list = json::parse(r.body);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "weather");
  EXPECT_EQ(list[0]["public_flag"], true);
  EXPECT_EQ(list[1]["public_flag"], false);
  for (const std::string& key : {pub_.write_key, priv_.write_key, priv_.read_keys[0]}) {
    EXPECT_EQ(r.body.find(key), std::string::npos);
  }
}

TEST_F(ServerTest, Dashboard_PagesAndUplotServedLocally) {
  Reply index = Get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(index.body.find("/static/app.js"), std::string::npos);
  auto page = client_->Get("/channels/" + std::to_string(pub_.id));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body, index.body);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  for (const char* asset : {"/static/app.js", "/static/style.css", "/static/uPlot.iife.min.js",
                            "/static/uPlot.min.css"}) {
    Reply r = Get(asset);
    EXPECT_EQ(r.status, 200) << asset << " (run npm ci, then configure again)";
    EXPECT_GT(r.body.size(), 100u) << asset;
  }
  EXPECT_NE(Get("/static/uPlot.iife.min.js").body.find("uPlot"), std::string::npos);
  EXPECT_EQ(Get("/static/../server.cc").status, 404);
}

TEST(ServerLifecycle, PortTaken_ThrowsNamingTheFix) {
  Server first({});
  first.Start();
  ServerOptions options;
  options.port = first.port();
  Server second(options);
  try {
    second.Start();
    FAIL() << "bound a taken port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--port"), std::string::npos) << e.what();
  }
}

TEST(ServerLifecycle, TemporaryDataDir_RemovedWithTheServer) {
  std::filesystem::path dir;
  {
    Server server({});
    server.Start();
    dir = server.data_dir();
    EXPECT_TRUE(std::filesystem::exists(DatabasePath(dir)));
    server.Stop();
    server.Stop();
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(ServerLifecycle, DataDir_KeepsChannelsAcrossRestarts) {
  testing::TempDir dir;
  ServerOptions options;
  options.data_dir = dir.path() / "data";
  std::string key;
  {
    Server server(options);
    server.Start();
    key = server.database().CreateChannel({.name = "kept"}).write_key;
    httplib::Client client(server.url());
    EXPECT_EQ(client.Get("/update?api_key=" + key + "&field1=1")->body, "1");
  }
  Server again(options);
  again.Start();
  httplib::Client client(again.url());
  EXPECT_EQ(client.Get("/update?api_key=" + key + "&field1=2")->body, "2");
}

}  // namespace
}  // namespace airlab::server
