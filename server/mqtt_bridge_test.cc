#include "server/mqtt_bridge.h"

#include <gtest/gtest.h>

namespace airlab::server {
namespace {

TEST(MqttBridge, ParsePublishTopic_AcceptsThingSpeakForms) {
  auto whole = ParsePublishTopic("channels/42/publish");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->channel_id, 42);
  EXPECT_FALSE(whole->field);
  EXPECT_EQ(whole->write_key, "");

  auto keyed = ParsePublishTopic("channels/42/publish/ABCDEFGHIJKLMNOP");
  ASSERT_TRUE(keyed);
  EXPECT_EQ(keyed->write_key, "ABCDEFGHIJKLMNOP");

  auto field = ParsePublishTopic("channels/7/publish/fields/field3");
  ASSERT_TRUE(field);
  EXPECT_EQ(field->field, 3);
  EXPECT_EQ(field->write_key, "");

  auto field_keyed = ParsePublishTopic("channels/7/publish/fields/field8/KEY");
  ASSERT_TRUE(field_keyed);
  EXPECT_EQ(field_keyed->field, 8);
  EXPECT_EQ(field_keyed->write_key, "KEY");
}

TEST(MqttBridge, ParsePublishTopic_RejectsOtherTopics) {
  for (const char* topic :
       {"channels/abc/publish", "channels/0/publish", "channels/1/subscribe", "channels/1",
        "channels/1/publish/fields/field9", "channels/1/publish/fields/field0",
        "channels/1/publish/fields/temp", "channels/1/publish/a/b", "channels/1/publish/",
        "devices/1/publish", "channels/-3/publish", "channels/1/publish/fields/field1/K/x"}) {
    EXPECT_FALSE(ParsePublishTopic(topic)) << topic;
  }
}

TEST(MqttBridge, ParseBrokerUrl_ReadsHostAndPort) {
  auto a = ParseBrokerUrl("mqtt://127.0.0.1:18830");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 18830);
  auto b = ParseBrokerUrl("localhost");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 1883);
  EXPECT_FALSE(ParseBrokerUrl("mqtt://host:notaport"));
  EXPECT_FALSE(ParseBrokerUrl("mqtt://:1883"));
  EXPECT_FALSE(ParseBrokerUrl("mqtt://user@host:1883"));
  EXPECT_FALSE(ParseBrokerUrl("mqtt://host:70000"));
}

}  // namespace
}  // namespace airlab::server
