"""Build the zh-weekend-club digest set (``messages.json``, ``refs.json``) from its sources.

The chat is ``chats/zh-weekend-club.txt``, the references ``refs.txt``. The format and the
checks live in ``bench/data/digest_set.py`` (shared with the other digest sets)::

    member KEY NAME | alias, alias    a member and the names others call them by
    ## YYYY-MM-DD HH:MM                starts a burst of talk (+08:00)
    [HH:MM ]key: text [^label]         one message; untimed ones follow 25-175 s later
    [HH:MM ]key>label: text [^label]   a reply to the message labelled ``label``
    + key                              the member joins the chat
    ^?label / ^!label / ^~label        the message asks a question / states a decision /
                                       looks like one of them but is neither

This file states the set's rules (the defaults: 450-650 messages, 110-170 a week, 8-10
members, 7-11 topics, 2-4 decisions and 3-6 open questions a week, 2-3 injections, five
expected pairs, two of them across languages).

    python bench/data/zh-weekend-club/build.py          # write messages.json and refs.json
    python bench/data/zh-weekend-club/build.py --check  # fail if the JSON files are stale
    python bench/data/zh-weekend-club/build.py --show   # each reference with its messages
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.data.digest_set import Rules, main

RULES = Rules()

if __name__ == "__main__":
    main(Path(__file__).resolve().parent, RULES, __doc__.split("\n\n")[0])
