#include "platform/linux/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace airlab::linux_port {
namespace {

class Recorder final : public port::TimerListener {
 public:
  Recorder(std::vector<int>& log, int id) : log_(log), id_(id) {}
  void OnTimer() override { log_.push_back(id_); }

 private:
  std::vector<int>& log_;
  int id_;
};

TEST(EventLoop, Timers_FireInDeadlineOrder_OnTheRunningThread) {
  EventLoop loop;
  std::vector<int> log;
  Recorder first(log, 1), second(log, 2);
  auto a = loop.NewTimer(), b = loop.NewTimer();
  a->SetListener(&second);
  b->SetListener(&first);
  const port::TimeNs now = loop.clock().Now();
  a->ArmAt(now + 20 * port::kMillisecond);
  b->ArmAt(now + 5 * port::kMillisecond);
  EXPECT_EQ(loop.RunFor(100 * port::kMillisecond), Status::DeadlineExceeded());
  EXPECT_EQ(log, (std::vector<int>{1, 2}));
  EXPECT_GE(loop.clock().Now() - now, 100 * port::kMillisecond);
  EXPECT_FALSE(a->armed());
}

TEST(EventLoop, CancelledTimer_DoesNotFire) {
  EventLoop loop;
  std::vector<int> log;
  Recorder r(log, 1);
  auto t = loop.NewTimer();
  t->SetListener(&r);
  t->ArmAt(loop.clock().Now());
  t->Cancel();
  loop.Poll();
  EXPECT_TRUE(log.empty());
}

TEST(EventLoop, Waiter_WokenFromAnotherThread_ReturnsOk_AndKeepsAnEarlyWake) {
  EventLoop loop;
  auto waiter = loop.NewWaiter();
  std::thread waker([&] {
    usleep(20'000);
    waiter->Wake();
  });
  EXPECT_EQ(waiter->WaitUntil(loop.clock().Now() + 10 * port::kSecond), Status::Ok());
  waker.join();
  waiter->Wake();  // before the wait: kept
  EXPECT_EQ(waiter->WaitUntil(loop.clock().Now() + 10 * port::kSecond), Status::Ok());
  EXPECT_EQ(waiter->WaitUntil(loop.clock().Now() + 10 * port::kMillisecond),
            Status::DeadlineExceeded());
}

TEST(EventLoop, WatchedFd_HandlerRunsWhenReadable_AndAFailedLoopSaysUnavailable) {
  EventLoop loop;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int calls = 0;
  loop.Watch(fds[0], [&] {
    char c;
    ASSERT_EQ(read(fds[0], &c, 1), 1);
    ++calls;
    loop.Fail("the source went away");
  });
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  EXPECT_EQ(loop.RunFor(10 * port::kSecond), Status::Unavailable());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loop.error(), "the source went away");
  loop.Unwatch(fds[0]);
  close(fds[0]);
  close(fds[1]);
}

TEST(EventLoop, Stop_EndsARun) {
  EventLoop loop;
  std::thread stopper([&] {
    usleep(20'000);
    loop.Stop();
  });
  EXPECT_EQ(loop.RunFor(10 * port::kSecond), Status::Aborted());
  stopper.join();
}

}  // namespace
}  // namespace airlab::linux_port
