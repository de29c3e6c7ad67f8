#!/usr/bin/python3
"""The layering rule of docs/architecture.md, checked on the includes.

Calls go down only: programs (cli/, server/) -> host/ -> apps/ -> core/; platform/X
implements core's ports. So:
  - core/ includes only core/;
  - apps/ includes only core/ and apps/ (it cross-builds for Cortex-M4 like core/);
  - platform/X includes core/ and platform/X, and no other platform folder;
  - host/ includes no program (cli/, server/): programs compose host/, not the reverse.
Allowed edges (each with its reason) are in ALLOWED below. Prints every offending
"file:line: include" and exits 1; exits 0 when the tree keeps the rule.

Usage: layering_check.py [ROOT]      (ROOT: the source tree; default: this file's ../)
       layering_check.py --self-test (plants violations in a scratch tree, expects them found)
"""

import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
SOURCE_SUFFIXES = ('.h', '.hpp', '.cc', '.cpp', '.c')
PROGRAMS = ('cli/', 'server/')
# The project's folders the rule is about; other includes (tests/'s helpers in tests,
# ns3/ and other libraries) are no layer of airlab.
LAYERS = ('core/', 'apps/', 'host/', 'platform/', 'scenario/', 'server/', 'cli/')

# (file pattern, included prefix, why). Patterns are regular expressions on the path from
# the root.
ALLOWED = [
    (r'^core/.*_test\.cc$', 'platform/mbedtls/',
     "core's tests check the CCMP framing against the real AES (mbedTLS), not a copy"),
    (r'^platform/air/', 'platform/sim/',
     'the air hub is the simulated air shared over loopback: it is built on platform/sim'),
]


def layer_of(path):
    """'core', 'apps', 'host', 'platform/X' or None (a layer the rule does not cover)."""
    parts = path.split('/')
    if parts[0] == 'platform' and len(parts) > 2:
        return 'platform/' + parts[1]
    if parts[0] in ('core', 'apps', 'host'):
        return parts[0]
    return None


def allowed_prefixes(layer):
    if layer == 'core':
        return ('core/',)
    if layer == 'apps':
        return ('core/', 'apps/')
    if layer.startswith('platform/'):
        return ('core/', layer + '/')
    return None  # host: everything but the programs


def violation(path, layer, target):
    """Why `path` may not include `target`, or None."""
    for pattern, prefix, _ in ALLOWED:
        if re.search(pattern, path) and target.startswith(prefix):
            return None
    if layer == 'host':
        if target.startswith(PROGRAMS):
            return 'host/ must not include a program (cli/, server/)'
        return None
    if not target.startswith(LAYERS):
        return None  # tests/'s helpers, another library, a header of the same folder
    prefixes = allowed_prefixes(layer)
    if target.startswith(prefixes):
        return None
    return '%s may include only %s' % (layer, ', '.join(prefixes))


def check(root):
    problems = []
    for top in ('core', 'apps', 'host', 'platform'):
        for folder, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                full = os.path.join(folder, name)
                path = os.path.relpath(full, root).replace(os.sep, '/')
                layer = layer_of(path)
                if layer is None:
                    continue
                with open(full, encoding='utf-8', errors='replace') as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        why = violation(path, layer, m.group(1))
                        if why:
                            problems.append('%s:%d: %s  (%s)' % (path, number, line.strip(), why))
    return problems


def self_test():
    planted = {
        'core/wire/a.cc': '#include "platform/linux/capture_file.h"\n',
        'core/espnow/b_test.cc': '#include "platform/mbedtls/mbedtls_aes128.h"\n',  # allowed
        'core/espnow/c_testing.cc': '#include "platform/mbedtls/mbedtls_aes128.h"\n',
        'apps/node/d.h': '#include "core/port/radio.h"\n#include "host/lab.h"\n',
        'apps/gateway/e.cc': '  #  include "server/server.h"\n',
        'platform/sim/f.h': '#include "platform/linux/capture_file.h"\n',
        'platform/air/g.h': '#include "platform/sim/simulation.h"\n',  # allowed
        'platform/linux/h.cc': '#include "platform/linux/h.h"\n#include "tests/temp_dir.h"\n',
        'platform/sim/j_test.cc': '#include "ns3/wifi-phy.h"\n#include "scenario/runner.h"\n',
        'host/i.cc': '#include "platform/sim/simulation.h"\n#include "cli/commands.h"\n',
    }
    expected = ['core/wire/a.cc:1:', 'core/espnow/c_testing.cc:1:', 'apps/node/d.h:2:',
                'apps/gateway/e.cc:1:', 'platform/sim/f.h:1:', 'host/i.cc:2:', 'platform/sim/j_test.cc:2:']
    with tempfile.TemporaryDirectory() as root:
        for path, text in planted.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), 'w') as f:
                f.write(text)
        found = check(root)
    starts = sorted(p.split(' ')[0] for p in found)
    if starts != sorted(expected):
        print('self-test failed: found', found, 'expected', expected)
        return 1
    print('self-test: the %d planted violations found, the allowed edges passed' % len(expected))
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == '--self-test':
        return self_test()
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print('layering: %d include(s) break the rule (tests/layering_check.py says why)' % len(problems))
        return 1
    print('layering: every include keeps the rule')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
