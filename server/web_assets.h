#pragma once
// The dashboard's files, built into the program so that it serves them from anywhere with no
// network: server/web/ and uPlot's script and style sheet copied from node_modules at build
// time (the CMake step in server/CMakeLists.txt writes the definition).

#include <span>
#include <string_view>

namespace airlab::server {

struct WebAsset {
  std::string_view name;          // "app.js", served at /static/app.js
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

std::span<const WebAsset> WebAssets();

}  // namespace airlab::server
