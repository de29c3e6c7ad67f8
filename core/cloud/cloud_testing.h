#pragma once
// Host-only helpers for core/cloud's tests: Python's urllib as the independent reader of the
// forms and query strings the builders write.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <string_view>

#include "core/base/bytes.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::cloud::testing {

inline std::string ToString(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Decodes an application/x-www-form-urlencoded text (a form body or a query string without
// its '?') with Python's urllib.parse.parse_qsl: a JSON array of [name, value] pairs in order.
inline nlohmann::json PythonParseForm(std::string_view form) {
  const testing_tools::TempDir dir;
  const std::string path = dir.File("form");
  std::ofstream(path, std::ios::binary) << form;
  std::string command = std::string(
                            "/usr/bin/python3 -c \"import sys, json, urllib.parse; "
                            "text = open(sys.argv[1], 'rb').read().decode('ascii'); "
                            "print(json.dumps(urllib.parse.parse_qsl(text, keep_blank_values=True, "
                            "strict_parsing=True, errors='strict')))\" ") +
                        path;
  const testing_tools::CommandResult r = testing_tools::RunCommand(command);
  EXPECT_EQ(r.exit_code, 0) << "python3 could not read the form: " << form << "\n" << r.err;
  return nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
}

}  // namespace airlab::cloud::testing
