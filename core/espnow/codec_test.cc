#include <gtest/gtest.h>
#include "core/espnow/codec.h"
