#include "core/sniff/hopper.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace airlab::sniff {
namespace {

class FakeRadio final : public port::Radio {
 public:
  std::vector<uint8_t> tuned;
  uint8_t refuse = 0;

 protected:
  Status DoSetEnabled(bool) override { return Status::Ok(); }
  Status DoTransmit(ByteSpan, const port::TxOptions&) override { return Status::Ok(); }
  Status DoSetChannel(uint8_t channel) override {
    if (channel == refuse) return Status::Unavailable();
    tuned.push_back(channel);
    return Status::Ok();
  }
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }
};

// Time moves only when the test says; the timer fires when time passes its deadline.
class FakeTime final : public port::Clock, public port::Timer {
 public:
  port::TimeNs Now() const override { return now_; }
  void AdvanceTo(port::TimeNs t) {
    while (armed() && deadline_ <= t) {
      now_ = deadline_;
      Expire();
    }
    now_ = t;
  }

 protected:
  void DoArmAt(port::TimeNs deadline) override { deadline_ = deadline; }
  void DoCancel() override {}

 private:
  port::TimeNs now_ = 0;
  port::TimeNs deadline_ = 0;
};

constexpr port::TimeNs kMs = port::kMillisecond;

TEST(ChannelHopper, VisitsTheListInTurn_AndReportsListenTime) {
  FakeRadio radio;
  FakeTime time;
  TablesStorage<2, 2> storage;
  Tables tables(storage);
  ChannelHopper hopper(radio, time, time, &tables);
  const std::array<uint8_t, 3> channels = {1, 6, 11};
  ASSERT_TRUE(hopper.Start({channels, 250 * kMs}).ok());
  EXPECT_EQ(radio.channel(), 1);
  time.AdvanceTo(1000 * kMs);
  EXPECT_EQ(radio.tuned, (std::vector<uint8_t>{1, 6, 11, 1, 6}));
  EXPECT_EQ(hopper.current_channel(), 6);
  EXPECT_EQ(hopper.stats().hops, 4u);
  time.AdvanceTo(1100 * kMs);
  hopper.Stop();
  EXPECT_FALSE(time.armed());
  auto listen = [&](uint8_t ch) {
    for (const ChannelStats& c : tables.channels().channels()) {
      if (c.channel == ch) return c.listen_ns;
    }
    return port::TimeNs{-1};
  };
  EXPECT_EQ(listen(1), 500 * kMs);
  EXPECT_EQ(listen(6), 350 * kMs);
  EXPECT_EQ(listen(11), 250 * kMs);
}

TEST(ChannelHopper, RefusedChannel_IsCountedAndSkipped) {
  FakeRadio radio;
  FakeTime time;
  TablesStorage<2, 2> storage;
  Tables tables(storage);
  ChannelHopper hopper(radio, time, time, &tables);
  radio.refuse = 6;
  const std::array<uint8_t, 2> channels = {1, 6};
  ASSERT_TRUE(hopper.Start({channels, 100 * kMs}).ok());
  time.AdvanceTo(400 * kMs);
  hopper.Stop();
  EXPECT_EQ(hopper.stats().set_channel_errors, 2u);
  EXPECT_EQ(radio.tuned, (std::vector<uint8_t>{1, 1, 1}));  // start, 200 ms, 400 ms
  for (const ChannelStats& c : tables.channels().channels()) {
    EXPECT_NE(c.channel, 6) << "no listen time on a channel the radio never reached";
  }
}

TEST(ChannelHopper, BadConfig_IsInvalidArgument) {
  FakeRadio radio;
  FakeTime time;
  ChannelHopper hopper(radio, time, time);
  const std::array<uint8_t, 2> bad_channel = {1, 15};
  const std::array<uint8_t, 1> one = {3};
  EXPECT_EQ(hopper.Start({{}, kMs}), Status::InvalidArgument());
  EXPECT_EQ(hopper.Start({bad_channel, kMs}), Status::InvalidArgument());
  EXPECT_EQ(hopper.Start({one, 0}), Status::InvalidArgument());
  radio.refuse = 3;
  EXPECT_EQ(hopper.Start({one, kMs}), Status::Unavailable());
  EXPECT_FALSE(hopper.running());
}

}  // namespace
}  // namespace airlab::sniff
