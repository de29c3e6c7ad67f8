#include "core/wire/dot11.h"
