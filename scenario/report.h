#pragma once
// The tables `airlab sim` prints: per node, per link and for the air, aligned in columns.
// Only simulated figures, so that the same scenario and seed print the same bytes.

#include <string>

#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace airlab::scenario {

std::string FormatResults(const Scenario& scenario, const Results& results);

}  // namespace airlab::scenario
