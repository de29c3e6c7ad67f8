#include "platform/sim/scheduler.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/port/rng.h"

namespace airlab::sim {
namespace {

using port::kMicrosecond;

TEST(Scheduler, SameTime_RunsInSchedulingOrder) {
  Scheduler s;
  std::string order;
  s.ScheduleAt(20, [&] { order += 'c'; });
  s.ScheduleAt(10, [&] { order += 'a'; });
  s.ScheduleAt(20, [&] { order += 'd'; });
  s.ScheduleAt(10, [&] { order += 'b'; });
  s.RunUntilIdle();
  EXPECT_EQ(order, "abcd");
  EXPECT_EQ(s.now(), 20);
}

TEST(Scheduler, CallbackSchedulingAtNow_RunsAfterThoseAlreadyDue) {
  Scheduler s;
  std::string order;
  s.ScheduleAt(5, [&] {
    order += 'a';
    s.ScheduleAfter(0, [&] { order += 'c'; });
  });
  s.ScheduleAt(5, [&] { order += 'b'; });
  s.RunUntilIdle();
  EXPECT_EQ(order, "abc");
}

TEST(Scheduler, Cancel_PreventsTheCallbackOnce) {
  Scheduler s;
  int runs = 0;
  auto id = s.ScheduleAt(10, [&] { ++runs; });
  EXPECT_TRUE(s.IsPending(id));
  EXPECT_TRUE(s.Cancel(id));
  EXPECT_FALSE(s.Cancel(id));
  EXPECT_EQ(s.pending_count(), 0u);
  // The recycled slot must not let the stale id cancel a new event.
  auto other = s.ScheduleAt(10, [&] { runs += 10; });
  EXPECT_FALSE(s.Cancel(id));
  s.RunUntilIdle();
  EXPECT_EQ(runs, 10);
  EXPECT_FALSE(s.IsPending(other));
}

// The heap removes cancelled entries at once, from anywhere in it: against an oracle (a
// map ordered by time and scheduling order), thousands of random schedules, cancels and
// steps, with callbacks that schedule and cancel too, must run the same events in the same
// order.
TEST(Scheduler, RandomScheduleAndCancel_RunsAsAnOrderedMapWould) {
  Scheduler s;
  port::SplitMix64 rng(7);
  std::map<std::pair<TimeNs, uint64_t>, int> oracle;  // (time, order) -> event
  std::vector<std::pair<Scheduler::EventId, std::pair<TimeNs, uint64_t>>> live;
  std::vector<int> ran, expected;
  uint64_t order = 0;
  int next_event = 0;
  std::function<void()> schedule_one = [&] {
    const TimeNs time = s.now() + static_cast<TimeNs>(rng.Uniform(50));
    const int event = next_event++;
    const std::pair<TimeNs, uint64_t> key{time, order++};
    oracle[key] = event;
    live.push_back({s.ScheduleAt(time,
                                 [&, event] {
                                   ran.push_back(event);
                                   if (rng.Uniform(4) == 0) schedule_one();
                                 }),
                    key});
  };
  for (int round = 0; round < 20000; ++round) {
    const uint32_t what = rng.Uniform(10);
    if (what < 5) {
      schedule_one();
    } else if (what < 8 && !live.empty()) {
      const size_t i = rng.Uniform(static_cast<uint32_t>(live.size()));
      const bool pending = oracle.count(live[i].second) != 0;
      EXPECT_EQ(s.Cancel(live[i].first), pending);
      oracle.erase(live[i].second);
      live[i] = live.back();
      live.pop_back();
    } else if (!oracle.empty()) {
      // The oracle's next event runs; it may schedule one more, which the oracle learns
      // of through schedule_one.
      expected.push_back(oracle.begin()->second);
      oracle.erase(oracle.begin());
      ASSERT_TRUE(s.Step());
    }
    ASSERT_EQ(s.pending_count(), oracle.size());
  }
  while (!oracle.empty()) {
    expected.push_back(oracle.begin()->second);
    oracle.erase(oracle.begin());
    ASSERT_TRUE(s.Step());
  }
  EXPECT_FALSE(s.Step());
  EXPECT_GT(ran.size(), 5000u);
  EXPECT_EQ(ran, expected);
}

TEST(Scheduler, RunUntil_StopsAtTheEndAndSetsNow) {
  Scheduler s;
  int runs = 0;
  s.ScheduleAt(100, [&] { ++runs; });
  s.ScheduleAt(101, [&] { ++runs; });
  s.RunUntil(100);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.now(), 100);
  s.RunUntil(500);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(s.now(), 500);
}

TEST(Scheduler, Stop_ReturnsAfterTheCurrentCallback) {
  Scheduler s;
  int runs = 0;
  s.ScheduleAt(1, [&] {
    ++runs;
    s.Stop();
  });
  s.ScheduleAt(2, [&] { ++runs; });
  s.RunUntil(10);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.now(), 1);
}

TEST(Scheduler, RunPaced_TracksTheWallClockAtTheGivenSpeed) {
  Scheduler s;
  int runs = 0;
  s.ScheduleAt(20 * port::kMillisecond, [&] { ++runs; });
  const auto start = std::chrono::steady_clock::now();
  s.RunPaced(40 * port::kMillisecond, 2.0);  // 40 ms of sim time at 2x: at least 20 ms
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.now(), 40 * port::kMillisecond);
  EXPECT_GE(elapsed, std::chrono::milliseconds(20));
}

class Recorder : public port::TimerListener {
 public:
  explicit Recorder(const Scheduler& s) : s_(s) {}
  void OnTimer() override { fired.push_back(s_.now()); }
  std::vector<TimeNs> fired;

 private:
  const Scheduler& s_;
};

TEST(SimTimer, ArmAt_FiresOnceAtTheDeadline_RearmReplaces) {
  Scheduler s;
  SimTimer timer(s);
  Recorder r(s);
  timer.SetListener(&r);
  timer.ArmAt(50 * kMicrosecond);
  timer.ArmAt(70 * kMicrosecond);  // replaces 50
  EXPECT_TRUE(timer.armed());
  s.RunUntilIdle();
  EXPECT_EQ(r.fired, std::vector<TimeNs>{70 * kMicrosecond});
  EXPECT_FALSE(timer.armed());
  timer.ArmAt(10 * kMicrosecond);  // in the past: as soon as possible
  timer.Cancel();
  s.RunUntilIdle();
  EXPECT_EQ(r.fired.size(), 1u);
}

TEST(SimClock, Now_IsTheSchedulersTime) {
  Scheduler s;
  SimClock clock(s);
  s.RunUntil(1234);
  EXPECT_EQ(clock.Now(), 1234);
}

TEST(SimWaiter, WaitUntil_RunsTheSimulationUntilWoken) {
  Scheduler s;
  SimWaiter waiter(s);
  s.ScheduleAt(300, [&] { waiter.Wake(); });
  s.ScheduleAt(900, [] {});
  EXPECT_EQ(waiter.WaitUntil(1000), Status::Ok());
  EXPECT_EQ(s.now(), 300);
  EXPECT_EQ(waiter.WaitUntil(600), Status::DeadlineExceeded());
  EXPECT_EQ(s.now(), 600);
  EXPECT_EQ(waiter.WaitUntil(port::kForever), Status::Unavailable());
  EXPECT_EQ(s.now(), 900);
  waiter.Wake();  // kept for the next wait
  EXPECT_EQ(waiter.WaitUntil(port::kForever), Status::Ok());
}

}  // namespace
}  // namespace airlab::sim
