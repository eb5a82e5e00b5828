"""Build the zh-indie-devs digest set (``messages.json``, ``refs.json``) from its sources.

The format and checks live in ``bench/data/digest_set.py``; this file states the set's rules.

    python bench/data/zh-indie-devs/build.py          # write messages.json and refs.json
    python bench/data/zh-indie-devs/build.py --check  # fail if the JSON files are stale
    python bench/data/zh-indie-devs/build.py --show   # each reference with its messages
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.data.digest_set import Rules, main

RULES = Rules()

if __name__ == "__main__":
    main(Path(__file__).resolve().parent, RULES, __doc__.split("\n\n")[0])
