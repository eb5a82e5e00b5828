"""Build the zh-neighbours test set (``messages.json``, ``qa.json``) from its hand-written sources.

The format and checks live in ``bench/data/chat_set.py``; this file states the set's rules.
An ``unanswered`` question names the chat message that asked it (``?label``).

    python bench/data/zh-neighbours/build.py          # write messages.json and qa.json
    python bench/data/zh-neighbours/build.py --check  # fail if the JSON files are stale
    python bench/data/zh-neighbours/build.py --show   # each question with its evidence
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.data.chat_set import Rules, main

RULES = Rules(
    messages=(500, 700),
    questions=(180, 240),
    min_no_answer=70,
    min_per_kind={"other-member": 25, "never-said": 25, "unanswered": 20},
    min_english_share=0.30,
    members_per_chat=(8, 10),
    unanswered_names_asker=True,
)

if __name__ == "__main__":
    main(Path(__file__).resolve().parent, RULES, __doc__.split("\n\n")[0])
