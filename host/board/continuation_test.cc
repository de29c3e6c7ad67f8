#include "host/board/continuation.h"

#include <gtest/gtest.h>

namespace airlab::host::board {
namespace {

TEST(ContinueWithInput, SimpleStatement_Runs) {
  EXPECT_FALSE(ContinueWithInput("x = 1"));
  EXPECT_FALSE(ContinueWithInput("iffy = 1"));  // a word that starts with a keyword
  EXPECT_FALSE(ContinueWithInput(""));
}

TEST(ContinueWithInput, CompoundStatement_GoesOnUntilAnEmptyLine) {
  EXPECT_TRUE(ContinueWithInput("for i in range(3):"));
  EXPECT_TRUE(ContinueWithInput("for i in range(3):\n    print(i)"));
  EXPECT_FALSE(ContinueWithInput("for i in range(3):\n    print(i)\n"));
  EXPECT_TRUE(ContinueWithInput("@micropython.native"));
}

TEST(ContinueWithInput, OpenBracketsQuotesBackslash_GoOn) {
  EXPECT_TRUE(ContinueWithInput("print((1,"));
  EXPECT_FALSE(ContinueWithInput("print('(')"));
  EXPECT_TRUE(ContinueWithInput("s = '''abc"));
  EXPECT_FALSE(ContinueWithInput("s = '''abc'''"));
  EXPECT_TRUE(ContinueWithInput("x = 1 + \\"));
  EXPECT_FALSE(ContinueWithInput("s = 'it\\'s'"));
}

}  // namespace
}  // namespace airlab::host::board
