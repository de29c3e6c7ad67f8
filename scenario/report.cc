#include "scenario/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace airlab::scenario {
namespace {

// Columns of text: the first `left` columns aligned left (names), the others right
// (numbers); two spaces between columns, no trailing blanks.
class TextTable {
 public:
  TextTable(std::vector<std::string> header, size_t left) : left_(left) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string Render() const {
    std::vector<size_t> width(rows_.front().size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string pad(width[c] - row[c].size(), ' ');
        if (c > 0) line += "  ";
        line += c < left_ ? row[c] + pad : pad + row[c];
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }

 private:
  size_t left_;
  std::vector<std::vector<std::string>> rows_;
};

std::string Fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string Percent(double ratio) { return Fixed(100.0 * ratio, 1) + "%"; }

// Nearest rank, in ms; "-" with no samples.
std::string PercentileMs(const std::vector<TimeNs>& sorted, double p) {
  if (sorted.empty()) return "-";
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return Fixed(static_cast<double>(sorted[rank - 1]) / 1e6, 2);
}

std::string Mac(const MacAddress& mac) {
  char text[MacAddress::kStringSize + 1];
  mac.Format(text);
  return text;
}

std::vector<std::string> CountColumns(const Counts& c) {
  return {std::to_string(c.sent), std::to_string(c.acked), std::to_string(c.retries),
          std::to_string(c.lost), std::to_string(c.queued)};
}

}  // namespace

std::string FormatResults(const Scenario& s, const Results& r) {
  std::ostringstream out;
  out << s.source << ": " << s.nodes.size() << (s.nodes.size() == 1 ? " node, " : " nodes, ")
      << Fixed(static_cast<double>(r.simulated) / 1e9, 3) << " s simulated, seed " << s.seed
      << "\n";
  if (!s.description.empty()) out << s.description << "\n";

  TextTable nodes({"node", "mac", "role", "sent", "acked", "retries", "lost", "queued", "recv",
                   "rx drop", "delivery", "p50 ms", "p99 ms", "collisions"},
                  3);
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const NodeResult& n = r.nodes[i];
    std::vector<std::string> row = {s.nodes[i].name, Mac(s.nodes[i].mac),
                                    RoleName(s.nodes[i].role)};
    for (std::string& cell : CountColumns(n.counts)) row.push_back(std::move(cell));
    row.push_back(std::to_string(n.received));
    row.push_back(std::to_string(n.rx_dropped));
    row.push_back(n.counts.sent > 0 ? Percent(n.delivery()) : "-");
    row.push_back(PercentileMs(n.counts.latencies, 0.50));
    row.push_back(PercentileMs(n.counts.latencies, 0.99));
    row.push_back(std::to_string(n.radio.phy.rx_collisions));
    nodes.Add(std::move(row));
  }
  out << "\nnodes\n" << nodes.Render();

  TextTable links({"from", "to", "sent", "acked", "retries", "lost", "queued", "recv", "delivery",
                   "p50 ms", "p99 ms"},
                  2);
  for (const LinkResult& l : r.links) {
    std::vector<std::string> row = {
        s.nodes[l.from].name, l.to.is_multicast()
                                  ? (l.to == MacAddress::Broadcast() ? "broadcast" : Mac(l.to))
                                  : (l.to_node ? s.nodes[*l.to_node].name : Mac(l.to))};
    for (std::string& cell : CountColumns(l.counts)) row.push_back(std::move(cell));
    row.push_back(std::to_string(l.received));
    row.push_back(l.counts.sent > 0 && l.listeners > 0 ? Percent(l.delivery()) : "-");
    row.push_back(PercentileMs(l.counts.latencies, 0.50));
    row.push_back(PercentileMs(l.counts.latencies, 0.99));
    links.Add(std::move(row));
  }
  out << "\nlinks\n" << links.Render();

  TextTable air({"channel", "frames", "acks", "retransmissions", "busy s", "busy"}, 0);
  for (const auto& [channel, c] : r.air.channels) {
    const double busy_s = static_cast<double>(c.busy) / 1e9;
    air.Add({std::to_string(channel), std::to_string(c.frames), std::to_string(c.acks),
             std::to_string(c.retransmissions), Fixed(busy_s, 3),
             r.simulated > 0
                 ? Percent(static_cast<double>(c.busy) / static_cast<double>(r.simulated))
                 : "-"});
  }
  out << "\nair\n" << air.Render();
  out << "collisions " << r.air.collisions << " (receptions lost to overlapping frames), "
      << "receptions in error " << r.air.rx_errors << ", sends refused (queue full) "
      << r.air.refused << "\n";
  return out.str();
}

}  // namespace airlab::scenario
