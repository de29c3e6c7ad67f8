#include "core/espnow/codec.h"
