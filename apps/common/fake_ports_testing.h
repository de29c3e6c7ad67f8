#pragma once
// Host-only fakes of the ports for the unit tests of apps/ (the gateway's and the node's
// parts): each keeps what it was given for the test to look at and answers what the test
// tells it to, so a case controls every delivery, failure and answer. Small on purpose:
// the real ports are tested in platform/, the whole roles in tests/.

#include <algorithm>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "core/port/durable_queue.h"
#include "core/port/timer.h"
#include "core/port/uplink.h"

namespace airlab::testing {

using Bytes = std::vector<std::byte>;

inline Bytes ToBytes(ByteSpan span) { return Bytes(span.begin(), span.end()); }
inline Bytes ToBytes(std::string_view text) {
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return Bytes(p, p + text.size());
}
inline std::string ToString(ByteSpan bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

class FakeClock final : public port::Clock {
 public:
  port::TimeNs Now() const override { return now; }
  port::TimeNs now = port::kSecond;
};

class FakeTimer final : public port::Timer {
 public:
  port::TimeNs deadline = -1;  // -1: not armed
  void Fire() { Expire(); }

 private:
  void DoArmAt(port::TimeNs at) override { deadline = at; }
  void DoCancel() override { deadline = -1; }
};

// A Link whose air is the test: Hear queues a message, Send keeps the frame, Report ends it.
class FakeLink final : public espnow::Link {
 public:
  struct Frame {
    MacAddress to;
    Bytes payload;
    uint32_t id = 0;
  };
  std::vector<Frame> sent;
  std::vector<MacAddress> peers;
  size_t peer_limit = 20;
  Status send_status;  // what Send answers when not kOk

  void Hear(const MacAddress& src, ByteSpan payload, bool broadcast = false) {
    espnow::ReceivedInfo info;
    info.src = src;
    info.size = payload.size();
    info.broadcast = broadcast;
    inbox_.push_back({info, ToBytes(payload)});
    if (listener() != nullptr) listener()->OnReceive(info);
  }
  void Report(uint32_t id, espnow::Delivery delivery) {
    espnow::SendReport report;
    report.id = id;
    report.delivery = delivery;
    listener()->OnSendDone(report);
  }

  espnow::PeerCount peer_count() const override { return {peers.size(), 0}; }
  bool rx_available() const override { return !inbox_.empty(); }
  void ClearReceived() override { inbox_.clear(); }
  Status SetReceiveLimit(size_t) override { return Status::Ok(); }
  size_t receive_limit() const override { return 0; }
  size_t receive_capacity() const override { return 0; }
  const espnow::LinkStats& stats() const override { return stats_; }
  Result<espnow::LinkStats> PeerStats(const MacAddress&) const override {
    return Status::NotFound();
  }
  size_t heard_count() const override { return 0; }
  espnow::HeardPeer heard(size_t) const override { return {}; }

 private:
  struct Heard {
    espnow::ReceivedInfo info;
    Bytes payload;
  };
  bool IsPeer(const MacAddress& mac) const {
    return std::find(peers.begin(), peers.end(), mac) != peers.end();
  }

  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoSetPmk(const espnow::Key&) override { return Status::Ok(); }
  Status DoAddPeer(const espnow::PeerInfo& peer) override {
    if (IsPeer(peer.mac)) return Status::AlreadyExists();
    if (peers.size() >= peer_limit) return Status::ResourceExhausted();
    peers.push_back(peer.mac);
    return Status::Ok();
  }
  Status DoModifyPeer(const espnow::PeerInfo&) override { return Status::Ok(); }
  Status DoDeletePeer(const MacAddress& mac) override {
    auto it = std::find(peers.begin(), peers.end(), mac);
    if (it == peers.end()) return Status::NotFound();
    peers.erase(it);
    return Status::Ok();
  }
  Result<espnow::PeerInfo> DoGetPeer(const MacAddress&) const override {
    return Status::NotFound();
  }
  Result<espnow::PeerInfo> DoPeerAt(size_t) const override { return Status::NotFound(); }
  Result<uint32_t> DoSend(const MacAddress& dst, ByteSpan payload) override {
    if (!send_status.ok()) return send_status;
    if (!IsPeer(dst)) return Status::NotFound();
    sent.push_back({dst, ToBytes(payload), ++next_id_});
    return next_id_;
  }
  Result<size_t> DoSendToAll(ByteSpan) override { return Status::Unimplemented(); }
  Result<espnow::ReceivedInfo> DoReceive(MutableByteSpan out) override {
    if (inbox_.empty()) return Status::NotFound();
    Heard h = inbox_.front();
    if (h.payload.size() > out.size()) return Status::ResourceExhausted();
    inbox_.pop_front();
    std::memcpy(out.data(), h.payload.data(), h.payload.size());
    return h.info;
  }
  Status DoSetRate(port::Rate, bool) override { return Status::Ok(); }

  std::deque<Heard> inbox_;
  espnow::LinkStats stats_;
  uint32_t next_id_ = 0;
};

// A DurableQueue in memory; `fail` makes every call answer kUnavailable (a broken disk).
class FakeQueue final : public port::DurableQueue {
 public:
  std::map<uint64_t, Bytes> records;  // by id
  std::map<uint64_t, uint64_t> marks;
  bool fail = false;
  uint64_t commits = 0;

  Result<uint64_t> Count() override {
    if (fail) return Status::Unavailable();
    return uint64_t{records.size()};
  }

 private:
  Result<uint64_t> DoCommit(const port::QueueChange& change) override {
    if (fail) return Status::Unavailable();
    ++commits;
    const uint64_t first = next_id_;
    for (ByteSpan record : change.append) records[next_id_++] = ToBytes(record);
    records.erase(records.begin(), records.upper_bound(change.remove_through));
    for (const port::Mark& mark : change.marks) marks[mark.key] = mark.value;
    return first;
  }
  Result<size_t> DoRead(uint64_t after, std::span<port::QueuedRecord> out,
                        MutableByteSpan storage) override {
    if (fail) return Status::Unavailable();
    size_t n = 0, used = 0;
    for (auto it = records.upper_bound(after); it != records.end() && n < out.size(); ++it) {
      if (used + it->second.size() > storage.size()) break;
      std::memcpy(storage.data() + used, it->second.data(), it->second.size());
      out[n++] = {it->first, storage.subspan(used, it->second.size())};
      used += it->second.size();
    }
    return n;
  }
  Result<uint64_t> DoGetMark(uint64_t key) override {
    if (fail) return Status::Unavailable();
    auto it = marks.find(key);
    if (it == marks.end()) return Status::NotFound();
    return it->second;
  }
  Result<size_t> DoReadMarks(uint64_t first, uint64_t last, std::span<port::Mark> out) override {
    if (fail) return Status::Unavailable();
    size_t n = 0;
    for (auto it = marks.lower_bound(first);
         it != marks.end() && it->first <= last && n < out.size(); ++it) {
      out[n++] = {it->first, it->second};
    }
    return n;
  }

  uint64_t next_id_ = 1;
};

// An Uplink that keeps each request; Answer completes the oldest open one as a transport
// would (the body copied into the request's answer span).
class FakeUplink final : public port::Uplink {
 public:
  struct Request {
    port::HttpRequest request;
    std::string target;
    std::string body;
  };
  std::vector<Request> requests;  // every request sent
  std::deque<port::HttpRequest> open;

  void Answer(int http_status, std::string_view body, Status transport = Status::Ok()) {
    port::HttpRequest r = open.front();
    open.pop_front();
    const size_t n = std::min(body.size(), r.answer.size());
    std::memcpy(r.answer.data(), body.data(), n);
    port::HttpAnswer answer;
    answer.tag = r.tag;
    answer.status = transport;
    answer.http_status = transport.ok() ? http_status : 0;
    answer.body = ByteSpan(r.answer.first(n));
    r.listener->OnHttpDone(answer);
  }

 private:
  Status DoSend(const port::HttpRequest& request) override {
    requests.push_back({request, std::string(request.target), ToString(request.body)});
    open.push_back(request);
    return Status::Ok();
  }
};

}  // namespace airlab::testing
