"""Build the en-garden-coop digest set (``messages.json``, ``refs.json``) from its sources.

The chat is ``chats/en-garden-coop.txt``, the references ``refs.txt``. The format and the
checks live in ``bench/data/digest_set.py`` (shared with the other digest sets)::

    member KEY NAME | alias, alias    a member and the names others call them by
    ## YYYY-MM-DD HH:MM                starts a burst of talk (Toronto time, -04:00)
    [HH:MM ]key: text [^label]         one message; untimed ones follow 25-175 s later
    [HH:MM ]key>label: text [^label]   a reply to the message labelled ``label``
    + key                              the member joins the chat
    ^?label / ^!label / ^~label        the message asks a question / states a decision /
                                       looks like one of them but is neither

The chat is in Toronto, so this set's clock is Eastern Daylight Time (-04:00): bursts,
timestamps and the weeks (Monday 00:00 to Monday 00:00) are read in that zone, and sender
ids are ``en:<key>``. Its rules: three weeks, 330-480 messages (100-170 a week), 10
members, 7-10 topics, 2-4 decisions and 3-6 open questions a week, 1-2 injections, five
expected pairs, two of them across languages.

    python bench/data/en-garden-coop/build.py          # write messages.json and refs.json
    python bench/data/en-garden-coop/build.py --check  # fail if the JSON files are stale
    python bench/data/en-garden-coop/build.py --show   # each reference with its messages
"""

import sys
from datetime import timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from bench.data import digest_set
from bench.data.digest_set import Rules, main

# The builder reads its clock and sender prefix from these module values when it runs.
digest_set.TZ = timezone(timedelta(hours=-4))
digest_set.SENDER_PREFIX = "en:"

RULES = Rules(
    messages=(330, 480),
    messages_per_week=(100, 170),
    members=(10, 10),
    weeks=3,
    topics_per_week=(7, 10),
    injections=(1, 2),
)

if __name__ == "__main__":
    main(Path(__file__).resolve().parent, RULES, __doc__.split("\n\n")[0])
