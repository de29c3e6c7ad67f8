#pragma once
// ESP-NOW frame codec (v1 and v2).
