#include "host/board/frames.h"

#include <gtest/gtest.h>

namespace airlab::host::board {
namespace {

TEST(Frames, Encode_KindLengthLittleEndianPayload) {
  EXPECT_EQ(EncodeFrame(FrameKind::kOutput, "hi"), std::string("O\x02\x00\x00\x00hi", 7));
}

TEST(FrameReader, SplitsAStreamCutAnywhere) {
  const std::string stream = EncodeFrame(FrameKind::kCall, "[\"board.echo\",1]") +
                             EncodeFrame(FrameKind::kDone, "") +
                             EncodeFrame(FrameKind::kOutput, std::string(70000, 'x'));
  FrameReader reader;
  std::vector<Frame> frames;
  for (char c : stream) {
    reader.Append(&c, 1);
    while (std::optional<Frame> f = reader.Next()) frames.push_back(*f);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].kind, FrameKind::kCall);
  EXPECT_EQ(frames[0].payload, "[\"board.echo\",1]");
  EXPECT_EQ(frames[1].kind, FrameKind::kDone);
  EXPECT_EQ(frames[1].payload, "");
  EXPECT_EQ(frames[2].payload.size(), 70000u);
}

TEST(FrameReader, OversizedLength_Broken) {
  FrameReader reader;
  reader.Append("O\xff\xff\xff\xff", 5);
  EXPECT_FALSE(reader.Next());
  EXPECT_TRUE(reader.broken());
}

}  // namespace
}  // namespace airlab::host::board
