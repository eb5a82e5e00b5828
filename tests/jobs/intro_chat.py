"""A small chat for introduction tests: who shares what, in English and Chinese, with fixed vectors.

Members post four hours apart, every third day. Every message vector is its
script's direction (strong, as a multilingual embedder's is), plus its
subject's direction, plus a little noise. Ana writes
English and Wei Chinese, and both run; Bo and Eve both play chess (Chinese);
Cy (English, cooking) and Dee (Chinese, gardening) share nothing with anyone.
Everyone also talks about the club's meetups, thanks people and laughs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from jobs.intro_planner import ChatMessage
from jobs.vector_math import unit_rows

DIMENSION = 32
ENGLISH, CHINESE = 0, 1
RUNNING, CHESS, COOKING, GARDENING, MEETUPS, SMALL_TALK = 2, 3, 4, 5, 6, 7

NAMES = {1: "Ana", 2: "王伟", 3: "Bo", 4: "Cy", 5: "丁丁", 6: "伊娃"}
ANA, WEI, BO, CY, DEE, EVE = 1, 2, 3, 4, 5, 6
SCRIPT = {ANA: ENGLISH, WEI: CHINESE, BO: CHINESE, CY: ENGLISH, DEE: CHINESE, EVE: CHINESE}

TALK: dict[int, list[tuple[int, str]]] = {
    ANA: [
        (RUNNING, "Did a long running session along the river this morning, legs are toast"),
        (RUNNING, "Signed up for the autumn half marathon, running four times a week now"),
        (RUNNING, "Bought new running shoes with more cushioning for the long distance days"),
        (MEETUPS, "Saturday meetup works for me, I can bring the folding table again"),
        (SMALL_TALK, "Thanks everyone!"),
    ],
    WEI: [
        (RUNNING, "今天早上沿着江边跑步十二公里，配速终于进了五分半"),
        (RUNNING, "报名了秋天的半程马拉松，每周跑步四次，膝盖还扛得住"),
        (RUNNING, "新买的跑步鞋缓震很好，长距离跑完脚一点都不疼"),
        (MEETUPS, "周六的聚会我可以早点到，帮忙把桌子椅子摆好"),
        (SMALL_TALK, "哈哈哈哈"),
    ],
    BO: [
        (CHESS, "昨晚下了三盘国际象棋，西西里防御还是下不好"),
        (CHESS, "最近在研究国际象棋残局，王车对王象真的很难赢"),
        (CHESS, "周末去棋社下国际象棋快棋赛，拿了第三名"),
        (MEETUPS, "周六聚会的场地我问过了，下午两点以后都可以用"),
        (SMALL_TALK, "谢谢大家👍"),
    ],
    CY: [
        (COOKING, "Slow-braised short ribs in red wine for six hours, the sauce was incredible"),
        (COOKING, "Homemade pasta dough finally came out silky after resting it overnight"),
        (COOKING, "Roasted a whole chicken with lemon and garlic for the family dinner"),
        (MEETUPS, "I can drive two people to the Saturday meetup if anyone needs a lift"),
        (SMALL_TALK, "haha nice"),
    ],
    DEE: [
        (GARDENING, "阳台上的番茄终于结果了，每天早上浇一次水"),
        (GARDENING, "月季换了大一点的花盆，新根长得特别快"),
        (GARDENING, "自己做了一箱厨余堆肥，给多肉和绿萝都施了一点"),
        (MEETUPS, "周六聚会我带点水果过去，大家不用再买了"),
        (SMALL_TALK, "收到"),
    ],
    EVE: [
        (CHESS, "国际象棋网上对局刚刚升到一千六百分，开局用的是意大利开局"),
        (CHESS, "周三晚上在棋社复盘了国际象棋比赛，中局判断还是太弱"),
        (CHESS, "买了一本国际象棋战术习题书，每天做二十道题"),
        (MEETUPS, "周六的聚会我晚一点到，四点左右可以吗"),
        (SMALL_TALK, "👍👍"),
    ],
}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def chat(seed: int = 0) -> tuple[list[ChatMessage], np.ndarray]:
    """The chat's messages, one a day per member in turn, and their vectors."""
    rng = np.random.default_rng(seed)
    messages: list[ChatMessage] = []
    rows = []
    for turn in range(5):
        for member, said in TALK.items():
            subject, text = said[turn]
            message_id = len(messages) + 1
            messages.append(
                ChatMessage(
                    message_id,
                    member,
                    text,
                    permalink=f"https://t.me/c/9/{message_id}",
                    sent_at=START + timedelta(days=turn * 3, hours=member * 4),
                )
            )
            vector = np.zeros(DIMENSION)
            vector[SCRIPT[member]] = 2.0
            vector[subject] = 1.0
            rows.append(vector + 0.05 * rng.standard_normal(DIMENSION))
    return messages, unit_rows(np.asarray(rows))
