"""Build the zh-community dev set (``messages.json``, ``qa.json``) from its hand-written sources.

The format and checks live in ``bench/data/chat_set.py``; this file states the set's rules.

    python bench/data/zh-community/build.py          # write messages.json and qa.json
    python bench/data/zh-community/build.py --check  # fail if the JSON files are stale
    python bench/data/zh-community/build.py --show   # each question with its evidence
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.data.chat_set import Rules, main

RULES = Rules(messages=(450, 650), questions=(150, 220), min_no_answer=40)

if __name__ == "__main__":
    main(Path(__file__).resolve().parent, RULES, __doc__.split("\n\n")[0])
