// The client over a scripted uplink: what it sends, how it reads what comes back, and the
// rate limit on a clock the test moves.

#include "core/cloud/thingspeak.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace airlab::cloud {
namespace {

using port::kSecond;

std::string Str(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

class FakeClock final : public port::Clock {
 public:
  port::TimeNs Now() const override { return now; }
  port::TimeNs now = 1000 * kSecond;
};

// Keeps each request and lets the test answer it.
class ScriptedUplink final : public port::Uplink {
 public:
  struct Sent {
    port::HttpRequest request;
    std::string target;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  Status DoSend(const port::HttpRequest& request) override {
    if (refuse != Status::Ok()) return refuse;
    Sent s{request, std::string(request.target), Str(request.body), {}};
    for (const port::HttpHeader& h : request.headers) {
      s.headers.emplace_back(std::string(h.name), std::string(h.value));
    }
    sent.push_back(s);
    return Status::Ok();
  }

  // Answers the latest request the way a transport does: body into its answer span.
  void Answer(int http_status, std::string_view body, Status status = Status::Ok()) {
    ASSERT_FALSE(sent.empty());
    const port::HttpRequest& r = sent.back().request;
    size_t n = std::min(body.size(), r.answer.size());
    std::memcpy(r.answer.data(), body.data(), n);
    port::HttpAnswer answer;
    answer.tag = r.tag;
    answer.status = n < body.size() ? Status::ResourceExhausted() : status;
    answer.http_status = status.ok() ? http_status : 0;
    answer.body = ByteSpan(r.answer.first(n));
    r.listener->OnHttpDone(answer);
  }

  std::vector<Sent> sent;
  Status refuse;
};

class Recorder final : public ThingSpeakListener {
 public:
  void OnDone(const Completion& done) override {
    completions.push_back(done);
    // Views die with the call: keep what the tests look at.
    bodies.emplace_back(done.body);
    values.emplace_back(done.value);
    if (!done.feed.channel().empty() || done.feed.size() > 0) {
      std::string fields;
      for (EntryView e : done.feed.entries()) fields += std::string(e.field(1).escaped()) + ";";
      feed_fields.push_back(fields);
    }
    if (!done.entry.empty()) last_field1.emplace_back(done.entry.field(1).escaped());
    if (then) {
      auto next = then;
      then = nullptr;
      next();
    }
  }
  std::vector<Completion> completions;
  std::vector<std::string> bodies;
  std::vector<std::string> values;
  std::vector<std::string> feed_fields;
  std::vector<std::string> last_field1;
  std::function<void()> then;  // runs inside OnDone once
};

struct Fixture {
  explicit Fixture(ThingSpeakOptions options = {})
      : ts(uplink, clock, recorder, request, answer, options) {}
  FakeClock clock;
  ScriptedUplink uplink;
  Recorder recorder;
  std::array<std::byte, 2048> request{};
  std::array<std::byte, 2048> answer{};
  ThingSpeak ts;
};

Entry Field1(std::string_view value) {
  Entry e;
  EXPECT_TRUE(e.SetField(1, value).ok());
  return e;
}

TEST(ThingSpeak, Update_SendsTheFormAndReadsTheEntryId) {
  Fixture f;
  ASSERT_TRUE(f.ts.Update(9, "XXXXXXXXXXXXXXXX", Field1("73"), /*tag=*/5).ok());
  ASSERT_EQ(f.uplink.sent.size(), 1u);
  EXPECT_EQ(f.uplink.sent[0].target, "/update");
  EXPECT_EQ(f.uplink.sent[0].body, "api_key=XXXXXXXXXXXXXXXX&field1=73");
  EXPECT_EQ(f.uplink.sent[0].request.content_type, "application/x-www-form-urlencoded");
  EXPECT_TRUE(f.uplink.sent[0].headers.empty());
  EXPECT_TRUE(f.ts.busy());
  f.uplink.Answer(200, "18");
  EXPECT_FALSE(f.ts.busy());
  ASSERT_EQ(f.recorder.completions.size(), 1u);
  const Completion& done = f.recorder.completions[0];
  EXPECT_EQ(done.operation, Operation::kUpdate);
  EXPECT_EQ(done.code, ErrorCode::kOk);
  EXPECT_EQ(done.entry_id, 18);
  EXPECT_EQ(done.tag, 5u);
  EXPECT_EQ(done.channel_id, 9u);
  EXPECT_EQ(done.http_status, 200);
}

TEST(ThingSpeak, Update_RateLimited_NotSentUntilTheIntervalPassed) {
  Fixture f;
  ASSERT_TRUE(f.ts.Update(9, "K", Field1("1")).ok());
  f.clock.now += 2 * kSecond;  // the answer takes 2 s
  f.uplink.Answer(200, "1");
  port::TimeNs answered = f.clock.now;
  EXPECT_EQ(f.ts.limiter().NextWriteAt(9), answered + kFreeInterval);

  f.clock.now = answered + kFreeInterval - 1;
  EXPECT_EQ(f.ts.Update(9, "K", Field1("2")), Status::ResourceExhausted());
  EXPECT_EQ(ToInt(FromStatus(Status::ResourceExhausted())), -401);
  EXPECT_EQ(f.uplink.sent.size(), 1u);
  EXPECT_FALSE(f.ts.busy());
  EXPECT_TRUE(f.ts.Update(10, "K2", Field1("2")).ok());  // another channel goes
  f.uplink.Answer(200, "1");
  f.clock.now = answered + kFreeInterval;
  EXPECT_TRUE(f.ts.Update(9, "K", Field1("2")).ok());
  EXPECT_EQ(f.uplink.sent.size(), 3u);
}

TEST(ThingSpeak, Update_AnsweredZero_IsNotInserted) {
  Fixture f;
  ASSERT_TRUE(f.ts.limiter().SetInterval(9, 0).ok());
  ASSERT_TRUE(f.ts.Update(9, "K", Field1("1")).ok());
  f.uplink.Answer(200, "0");
  EXPECT_EQ(f.recorder.completions[0].code, ErrorCode::kNotInserted);
  EXPECT_EQ(ToInt(f.recorder.completions[0].code), -401);
  EXPECT_EQ(f.recorder.completions[0].entry_id, 0);
}

TEST(ThingSpeak, TransportFailures_MapToArduinoCodes) {
  struct Case {
    Status transport;
    ErrorCode code;
    bool counts_as_write;
  };
  for (const Case& c : {Case{Status::Unavailable(), ErrorCode::kConnectFailed, false},
                        Case{Status::PermissionDenied(), ErrorCode::kConnectFailed, false},
                        Case{Status::DeadlineExceeded(), ErrorCode::kTimeout, true},
                        Case{Status::Aborted(), ErrorCode::kUnexpectedFailure, true},
                        Case{Status::DataLoss(), ErrorCode::kBadAnswer, true}}) {
    Fixture f;
    ASSERT_TRUE(f.ts.Update(9, "K", Field1("1")).ok());
    f.uplink.Answer(0, "", c.transport);
    ASSERT_EQ(f.recorder.completions.size(), 1u);
    EXPECT_EQ(f.recorder.completions[0].code, c.code) << c.transport.str();
    EXPECT_EQ(f.recorder.completions[0].transport, c.transport);
    EXPECT_EQ(f.ts.limiter().MayWrite(9, f.clock.now), !c.counts_as_write) << c.transport.str();
  }
}

TEST(ThingSpeak, Busy_OneOperationAtATime_NextMayStartFromOnDone) {
  Fixture f;
  ASSERT_TRUE(f.ts.ReadLast(9, 1, "").ok());
  EXPECT_EQ(f.ts.ReadFeeds(9, ""), Status::FailedPrecondition());
  EXPECT_EQ(f.ts.Update(9, "K", Field1("1")), Status::FailedPrecondition());
  f.recorder.then = [&] { EXPECT_TRUE(f.ts.ReadFeeds(9, "", {.results = 1}).ok()); };
  f.uplink.Answer(200, R"({"created_at":"2024-05-01T12:00:00Z","entry_id":4,"field1":"x"})");
  ASSERT_EQ(f.uplink.sent.size(), 2u);
  EXPECT_EQ(f.uplink.sent[1].target, "/channels/9/feeds.json?results=1");
  EXPECT_TRUE(f.ts.busy());
  f.uplink.Answer(200, R"({"channel":{"id":9},"feeds":[{"entry_id":4,"field1":"x"}]})");
  ASSERT_EQ(f.recorder.completions.size(), 2u);
  EXPECT_EQ(f.recorder.last_field1, (std::vector<std::string>{"x"}));
  EXPECT_EQ(f.recorder.feed_fields, (std::vector<std::string>{"x;"}));
}

TEST(ThingSpeak, Reads_ParsedAnswersAndErrors) {
  Fixture f;
  ASSERT_TRUE(f.ts.ReadField(9, 2, "RK", {.results = 2}).ok());
  EXPECT_EQ(f.uplink.sent.back().target, "/channels/9/fields/2.json?api_key=RK&results=2");
  f.uplink.Answer(401, R"({"status":"401","error":{"error_code":"error_auth_required",)"
                       R"("message":"Authorization Required","details":"x"}})");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kAuthRequired);

  ASSERT_TRUE(f.ts.ReadFeeds(9, "").ok());
  f.uplink.Answer(200, "-1");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kAuthRequired);

  ASSERT_TRUE(f.ts.ReadFeeds(9, "").ok());
  f.uplink.Answer(200, "<html>");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kBadAnswer);

  ASSERT_TRUE(f.ts.ReadLast(9, 0, "").ok());
  EXPECT_EQ(f.uplink.sent.back().target, "/channels/9/feeds/last.json");
  f.uplink.Answer(200, "-1");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kOk);
  EXPECT_TRUE(f.recorder.completions.back().entry.empty());

  ASSERT_TRUE(f.ts.Read({ReadKind::kLastFieldText, 179, 1, ""}).ok());
  EXPECT_EQ(f.uplink.sent.back().target, "/channels/179/fields/1/last.txt");
  f.uplink.Answer(200, "hello 3");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kOk);
  EXPECT_EQ(f.recorder.values.back(), "hello 3");

  ASSERT_TRUE(f.ts.Read({ReadKind::kStatus, 1417, 0, ""}).ok());
  f.uplink.Answer(404, "Not Found");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kNotFound);

  // An answer longer than the answer buffer.
  ASSERT_TRUE(f.ts.ReadFeeds(9, "").ok());
  f.uplink.Answer(200, std::string(4096, ' '));
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kBadAnswer);
  EXPECT_EQ(f.recorder.completions.back().transport, Status::ResourceExhausted());

  // Reads never touch the rate limit.
  EXPECT_EQ(f.ts.limiter().NextWriteAt(9), RateLimiter::kNever);
}

TEST(ThingSpeak, KeyInHeader) {
  Fixture f({.update_method = port::HttpMethod::kGet, .key_in_header = true});
  std::string key = "WK";
  ASSERT_TRUE(f.ts.Update(9, key, Field1("73")).ok());
  key = "overwritten";  // the client keeps its own copy until the exchange ends
  const auto& sent = f.uplink.sent.back();
  EXPECT_EQ(sent.target, "/update?field1=73");
  ASSERT_EQ(sent.request.headers.size(), 1u);
  EXPECT_EQ(sent.request.headers[0].name, "X-THINGSPEAKAPIKEY");
  EXPECT_EQ(sent.request.headers[0].value, "WK");
  f.uplink.Answer(200, "1");
  ASSERT_TRUE(f.ts.ReadFeeds(9, "RK").ok());
  EXPECT_EQ(f.uplink.sent.back().target, "/channels/9/feeds.json");
  EXPECT_EQ(f.uplink.sent.back().headers[0].second, "RK");
}

class SpanSource final : public BulkSource {
 public:
  explicit SpanSource(std::span<const BulkEntry> updates) : updates_(updates) {}
  bool Next(BulkEntry& update) override {
    if (next_ == updates_.size()) return false;
    update = updates_[next_++];
    return true;
  }

 private:
  std::span<const BulkEntry> updates_;
  size_t next_ = 0;
};

TEST(ThingSpeak, BulkUpdate_TakesWhatFits_AndReadsTheAnswer) {
  Fixture f;
  std::vector<BulkEntry> updates(100);
  for (size_t i = 0; i < updates.size(); ++i) {
    ASSERT_TRUE(updates[i].entry.SetField(1, "12345").ok());
    updates[i].delta_t_s = i == 0 ? 0 : 1;
  }
  SpanSource source(updates);
  auto taken = f.ts.BulkUpdate(9, "K", source, {.max_bytes = 1000}, 7);
  ASSERT_TRUE(taken.ok());
  EXPECT_GT(*taken, 10u);
  EXPECT_LT(*taken, 100u);
  EXPECT_EQ(f.uplink.sent.back().target, "/channels/9/bulk_update.json");
  EXPECT_LE(f.uplink.sent.back().body.size(), 1000u);
  f.uplink.Answer(202, R"({"success":true})");
  const Completion& done = f.recorder.completions.back();
  EXPECT_EQ(done.operation, Operation::kBulkUpdate);
  EXPECT_EQ(done.code, ErrorCode::kOk);
  EXPECT_EQ(done.updates, *taken);
  EXPECT_EQ(done.tag, 7u);
  // A bulk update counts for the rate limit too.
  EXPECT_FALSE(f.ts.limiter().MayWrite(9, f.clock.now));
  SpanSource again(updates);
  EXPECT_EQ(f.ts.BulkUpdate(9, "K", again).status(), Status::ResourceExhausted());

  f.clock.now += kFreeInterval;
  SpanSource third(updates);
  ASSERT_TRUE(f.ts.BulkUpdate(9, "K", third, {.format = BulkFormat::kCsv}).ok());
  f.uplink.Answer(429, R"({"status":"429","error":{"error_code":"error_too_many_requests"}})");
  EXPECT_EQ(f.recorder.completions.back().code, ErrorCode::kTooManyRequests);
}

TEST(ThingSpeak, CallErrors_LeaveTheClientFree) {
  Fixture f;
  EXPECT_EQ(f.ts.Update(0, "K", Field1("1")), Status::InvalidArgument());
  EXPECT_EQ(f.ts.Update(9, "K", Entry()), Status::FailedPrecondition());
  EXPECT_EQ(f.ts.Update(9, "", Field1("1")), Status::InvalidArgument());
  EXPECT_EQ(f.ts.ReadField(9, 9, ""), Status::InvalidArgument());
  EXPECT_EQ(f.ts.ReadFeeds(9, "", {.results = 9000}), Status::OutOfRange());
  SpanSource none({});
  EXPECT_EQ(f.ts.BulkUpdate(9, "K", none).status(), Status::FailedPrecondition());
  f.uplink.refuse = Status::ResourceExhausted();
  EXPECT_EQ(f.ts.ReadFeeds(9, ""), Status::ResourceExhausted());
  EXPECT_FALSE(f.ts.busy());
  EXPECT_TRUE(f.uplink.sent.empty());
  EXPECT_TRUE(f.recorder.completions.empty());
  // The rate limit is not touched by refused calls.
  EXPECT_TRUE(f.ts.limiter().MayWrite(9, f.clock.now));
}

TEST(ThingSpeak, StrayAnswer_Ignored) {
  Fixture f;
  ASSERT_TRUE(f.ts.ReadFeeds(9, "").ok());
  port::HttpAnswer stray;
  stray.tag = f.uplink.sent.back().request.tag + 1;
  stray.http_status = 200;
  f.uplink.sent.back().request.listener->OnHttpDone(stray);
  EXPECT_TRUE(f.recorder.completions.empty());
  EXPECT_TRUE(f.ts.busy());
}

}  // namespace
}  // namespace airlab::cloud
