#include "host/flaky_uplink.h"

namespace airlab::host {

Status FlakyUplink::DoSend(const port::HttpRequest& request) {
  if (mode_.load() == Mode::kDown) {
    ++refused_;
    port::HttpAnswer answer;
    answer.tag = request.tag;
    answer.status = Status::Unavailable();
    request.listener->OnHttpDone(answer);
    return Status::Ok();
  }
  std::unique_lock lock(mutex_);
  const uint32_t tag = next_tag_++;
  pending_[tag] = {request.listener, request.tag, mode_.load() == Mode::kLoseAnswers, false};
  port::HttpRequest forwarded = request;
  forwarded.listener = this;
  forwarded.tag = tag;
  lock.unlock();
  Status s = inner_.Send(forwarded);
  if (!s.ok()) {
    lock.lock();
    pending_.erase(tag);
    idle_.notify_all();
  }
  return s;
}

void FlakyUplink::OnHttpDone(const port::HttpAnswer& answer) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(answer.tag);
  if (it == pending_.end()) return;
  const Pending p = it->second;
  pending_.erase(it);
  if (!p.orphan) {
    port::HttpAnswer forwarded = answer;
    forwarded.tag = p.tag;
    if (p.lose) {
      ++lost_;
      forwarded.status = Status::DeadlineExceeded();
      forwarded.http_status = 0;
      forwarded.body = {};
    }
    if (deferred_) {
      // The body stays in the request's answer buffer, which is the requester's until its
      // listener has been called.
      ready_.push_back({p.listener, forwarded});
      ready_cv_.notify_all();
    } else {
      p.listener->OnHttpDone(forwarded);
    }
  }
  idle_.notify_all();
}

bool FlakyUplink::WaitReady(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return ready_cv_.wait_for(lock, timeout, [&] { return !ready_.empty(); });
}

void FlakyUplink::DeliverReady() {
  std::deque<Ready> ready;
  {
    std::lock_guard lock(mutex_);
    ready.swap(ready_);
  }
  for (const Ready& r : ready) r.listener->OnHttpDone(r.answer);
}

void FlakyUplink::Sever() {
  std::unique_lock lock(mutex_);
  for (auto& [tag, p] : pending_) p.orphan = true;
  ready_.clear();
  idle_.wait(lock, [&] { return pending_.empty(); });
}

}  // namespace airlab::host
