#include <gtest/gtest.h>
#include "core/wire/dot11.h"
