"""Where the messages of each script sit apart from the chat's, and the directions to take out.

A multilingual embedder puts every Chinese message a little to one side of
every English one, whatever they talk about. Digests and introductions take
that language direction out of the message vectors before comparing them
(:func:`jobs.topic_clustering.centre_by_script`,
:func:`jobs.member_interests.neutral_vectors`).

The chat's own script means are a poor measure of it when one script has
few messages: five Chinese messages that all talk about photography put the
photography topic's own direction between the scripts, and taking it out
erases what the topic shares. Fixed :data:`ScriptCentres` (each language's
mean vector over the same everyday sentences written in both languages,
measured once per embedder; see ``memory.language_centres``) say where each
script sits whatever a chat talks about. With them, a script's offset
blends its centre less the chat's blend of centres with its own mean less
the chat's, the latter counting fully once ``FULL_SUPPORT`` messages on
each side back it (a large chat's own means fit its way of writing best).
Without them (an embedder without a language direction, such as the
bag-of-words one), a script written in at least ``min_rows`` messages has
the offset of its mean from the chat's.

Pure and synchronous; vectors are float64 here, few and small.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

FloatVector = npt.NDArray[np.floating]
Vector64 = npt.NDArray[np.float64]

ScriptCentres = Mapping[str, FloatVector]
"""Each script's (``jobs.languages.Language`` value's) mean vector over parallel sentences."""

MIN_SCRIPT_ROWS = 5
"""Without fixed centres, a script's mean counts from this many messages in it."""


def script_offsets(
    means: Mapping[str, Vector64],
    counts: Mapping[str, int],
    mean: Vector64,
    *,
    centres: ScriptCentres | None = None,
    min_rows: int = MIN_SCRIPT_ROWS,
) -> dict[str, Vector64]:
    """Each script's offset from the chat's ``mean`` vector.

    ``means`` and ``counts`` hold each script's mean vector and its number of
    messages. A script's own offset is its mean less ``mean``. With a fixed
    centre (``centres``, of the same width), its prior offset is its centre
    less the count-weighted mean of the centres of the chat's scripts that
    have one, and the two are blended by how many messages back the chat's
    own (:func:`own_weight`); without, the own offset counts from
    ``min_rows`` messages.
    """
    width = len(mean)
    known = {
        script: np.asarray(centre, dtype=np.float64)
        for script, centre in (centres or {}).items()
        if len(centre) == width and counts.get(script, 0) > 0
    }
    offsets: dict[str, Vector64] = {}
    if known:
        weights = np.asarray([counts[script] for script in known], dtype=np.float64)
        blend = np.average(np.stack(list(known.values())), axis=0, weights=weights)
        total = int(weights.sum())
        for script, centre in known.items():
            own = own_weight(min(counts[script], total - counts[script]))
            offsets[script] = own * (np.asarray(means[script], dtype=np.float64) - mean) + (
                1.0 - own
            ) * (centre - blend)
    for script, count in counts.items():
        if script not in offsets and count >= min_rows:
            offsets[script] = np.asarray(means[script], dtype=np.float64) - mean
    return offsets


FULL_SUPPORT = 12
"""From this many messages on each side of a script's offset, the chat's own means count fully.

A period whose minority script has a dozen messages already spans several
subjects: its own means fit how the chat writes better than the fixed
centres do. Half as many (a newcomer's first few messages on one subject)
count a little under half."""


def own_weight(support: int) -> float:
    """How much a chat's own script means count against the fixed centres, from 0 to 1,
    when ``support`` messages are on the smaller side (the script's, or the others').

    Below :data:`FULL_SUPPORT` the few messages of a script may all talk about
    one subject, whose direction their mean would take for the language's.
    """
    return min(1.0, max(0, support) / FULL_SUPPORT)


def offset_basis(offsets: Mapping[str, Vector64]) -> Vector64 | None:
    """Orthonormal columns spanning the ``offsets`` (``None`` with fewer than two scripts:
    one script alone has nothing to be told apart from)."""
    if len(offsets) < 2:
        return None
    basis: Vector64 = np.linalg.qr(np.stack(list(offsets.values()), axis=1))[0]
    return basis
