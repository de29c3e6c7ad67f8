#pragma once
// What a TOML file of airlab's (a scenario, a lab file), or a value in one, got wrong. The
// message names the file, the line and column, and the fix:
// "lab.toml:12:1: node \"slave\": ...; write ...".

#include <stdexcept>

namespace airlab::scenario {

class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace airlab::scenario
