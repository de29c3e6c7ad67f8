#pragma once
// Host-only helpers for core/cloud's tests: Python's urllib as the independent reader of the
// forms and query strings the builders write.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "core/base/bytes.h"

namespace airlab::cloud::testing {

inline std::string ToString(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Decodes an application/x-www-form-urlencoded text (a form body or a query string without
// its '?') with Python's urllib.parse.parse_qsl: a JSON array of [name, value] pairs in order.
inline nlohmann::json PythonParseForm(std::string_view form) {
  char path[] = "/tmp/airlab-cloud-form-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path, std::ios::binary) << form;
  std::string command =
      std::string("/usr/bin/python3 -c \"import sys, json, urllib.parse; "
                  "text = open(sys.argv[1], 'rb').read().decode('ascii'); "
                  "print(json.dumps(urllib.parse.parse_qsl(text, keep_blank_values=True, "
                  "strict_parsing=True, errors='strict')))\" ") +
      path;
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << "python3 could not read the form: " << form;
  }
  unlink(path);
  return nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
}

}  // namespace airlab::cloud::testing
