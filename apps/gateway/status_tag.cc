#include "apps/gateway/status_tag.h"

#include <algorithm>
#include <cstring>

#include "core/base/status.h"

namespace airlab::apps {
namespace {

size_t AppendText(std::span<char> out, size_t at, std::string_view text) {
  const size_t n = std::min(text.size(), out.size() - std::min(at, out.size()));
  std::memcpy(out.data() + at, text.data(), n);
  return at + n;
}

size_t AppendNumber(std::span<char> out, size_t at, uint64_t value, int base, int min_digits) {
  char digits[24];
  int n = 0;
  do {
    const int d = static_cast<int>(value % static_cast<uint64_t>(base));
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    value /= static_cast<uint64_t>(base);
  } while (value != 0 || n < min_digits);
  while (n > 0 && at < out.size()) out[at++] = digits[--n];
  return at;
}

}  // namespace

bool StatusTag::ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameSize) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) { return ch > ' ' && ch <= '~'; });
}

void StatusTag::Set(std::string_view name, uint32_t incarnation) {
  std::span<char> out(prefix_);
  size_t at = AppendText(out, 0, "airlab ");
  at = AppendText(out, at, name);
  at = AppendText(out, at, " ");
  at = AppendNumber(out, at, incarnation, 16, 8);
  prefix_size_ = AppendText(out, at, " #");
}

size_t StatusTag::Write(uint64_t id, std::span<char> out) const {
  return AppendNumber(out, AppendText(out, 0, prefix()), id, 10, 1);
}

Result<uint64_t> StatusTag::Match(std::string_view status) const {
  if (status.size() <= prefix_size_ || status.substr(0, prefix_size_) != prefix()) {
    return Status::NotFound();
  }
  uint64_t id = 0;
  for (char ch : status.substr(prefix_size_)) {
    if (ch < '0' || ch > '9' || id > UINT64_MAX / 10 - 1) return Status::NotFound();
    id = id * 10 + static_cast<uint64_t>(ch - '0');
  }
  return id;
}

}  // namespace airlab::apps
