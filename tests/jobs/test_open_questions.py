"""Open questions in a digest: which questions count, and what answers them."""

from __future__ import annotations

import numpy as np

from jobs.digest_builder import build_digest, find_unanswered
from jobs.digest_model import DigestMessage
from jobs.open_questions import addressees, asking_part, pair_threshold
from tests.jobs.helpers import DAY, message

FILLER_ZH = [
    (7, "今天食堂的红烧肉不错"),
    (8, "下午的例会取消了"),
    (7, "外面下大雨了，记得带伞"),
]


def _open(messages: list[DigestMessage]) -> list[int]:
    return [ref.message_id for ref in find_unanswered(messages, None, DAY)]


def test_a_question_before_its_context_is_listed_with_the_asking_part() -> None:
    messages = [
        message(1, "有人用过 Tauri 吗？图标在 Safari 上显示不出来，很奇怪", 0, message_id=11),
        *(message(m, t, 20 + 20 * k) for k, (m, t) in enumerate(FILLER_ZH)),
        message(2, "Anyone tried Bun in production? Curious how it scales.", 200, message_id=12),
        message(3, "the football match last night went to penalties again", 220),
        message(4, "my cat knocked the plant off the shelf", 240),
    ]
    digest = build_digest(messages, None, DAY)
    listed = {ref.message_id: ref.text for ref in digest.unanswered_questions}
    assert listed == {11: "有人用过 Tauri 吗？", 12: "Anyone tried Bun in production?"}
    assert [ref.message_id for ref in digest.unanswered_questions] == [12, 11]  # latest first


def test_statements_with_question_words_are_not_listed() -> None:
    messages = [
        message(1, "我只关心文档好不好读", 0),
        message(2, "不知道为什么就好了", 20),
        message(3, "我也不知道谁会来。", 40),
        message(4, "I know how it works now", 60),
        message(5, "whatever works for the team", 80),
    ]
    assert _open(messages) == []


def test_an_answer_a_few_messages_later_while_other_talk_goes_on() -> None:
    messages = [
        message(1, "What connection pool do you use with Postgres?", 0, message_id=21),
        message(2, "lunch at the noodle bar today?", 1),
        message(3, "the noodle bar sounds good to me", 2),
        message(4, "pgbouncer in transaction mode works well with Postgres", 4),
        message(5, "有没有人知道 Vite 怎么配置代理？", 100, message_id=22),
        message(6, "今天的周会改到下午了", 101),
        message(7, "收到", 102),
        message(8, "Vite 的代理在 server.proxy 里配，文档有例子", 105),
    ]
    assert _open(messages) == []
    # without the answers both stay open
    assert _open([messages[i] for i in (0, 1, 2, 4, 5, 6)]) == [22, 21]


def test_an_addressee_who_speaks_later_answers() -> None:
    messages = [
        message(1, "@xiaolin 你上次说的那个教程叫什么？", 0, name="mei", message_id=31),
        message(2, "今天食堂的红烧肉不错", 5, name="wang"),
        message(3, "就是官方那本，网上有中文版", 50, name="xiaolin"),
        message(1, "Ana, which hotel did you book in Porto?", 120, name="mei", message_id=32),
        message(4, "the football match last night went to penalties again", 122, name="tom"),
    ]
    assert _open(messages) == [32]
    assert addressees("@xiaolin 你好？", {"xiaolin": 3}) == {3}
    assert addressees("Ana, which hotel?", {"ana": 5}) == {5}


def test_questions_the_asker_settles_are_answered() -> None:
    messages = [
        message(1, "Webpack 为什么这么慢？算了我自己查到了，是 source map 的问题", 0),
        message(2, "anyone know why CI is red on main?", 60, message_id=41),
        message(2, "nvm, found it: a flaky test", 62),
        message(3, "周末有人去徒步吗？", 120, message_id=42),
        message(3, "有人吗", 125),
    ]
    assert _open(messages) == [42]


def test_thanks_right_after_another_member_answers() -> None:
    messages = [
        message(1, "公司 VPN 怎么连？", 0, message_id=51),
        message(2, "今天食堂的红烧肉不错", 2),
        message(3, "设置里找网络那一栏，选第二个节点", 60),
        message(1, "谢谢，连上了", 61),
    ]
    assert _open(messages) == []
    assert _open(messages[:3]) == [51]


def test_a_quote_answers_even_hours_later() -> None:
    messages = [
        message(1, "which port does the dev server use", 0, message_id=61),
        message(2, "the football match last night went to penalties again", 2),
        message(3, "> which port does the dev server use\n5173 unless you change it", 300),
    ]
    assert _open(messages) == []


def test_greetings_and_rhetorical_questions_are_not_open() -> None:
    messages = [
        message(1, "Morning everyone! How are you all?", 0),
        message(2, "大家好吗？", 30),
        message(3, "这不是挺好的，难道不是吗？", 60),
        message(4, "Hearth, what did we decide yesterday?", 90),
        message(5, "the football match last night went to penalties again", 120),
    ]
    assert _open(messages) == []


def test_a_reply_to_a_third_member_or_a_new_question_answers_nothing() -> None:
    messages = [
        message(1, "the football match last night went to penalties again", 0, message_id=70),
        message(2, "Which museum has the best dinosaur exhibit in town?", 10, message_id=71),
        message(3, "yes, penalties again, what a night", 11, reply_to=70),
        message(4, "Does anyone have a spare HDMI cable?", 12, message_id=72),
    ]
    assert _open(messages) == [72, 71]


def test_the_asking_part_keeps_a_short_question_with_its_context() -> None:
    assert asking_part("We could self-host the docs. Thoughts?") == (
        "We could self-host the docs. Thoughts?"
    )
    text = "Build is green. Release notes are done. Who tags the release?"
    assert asking_part(text) == "Who tags the release?"
    assert asking_part("no question here") == "no question here"


def test_the_first_reply_in_the_shape_the_question_asks_for_answers() -> None:
    messages = [
        message(1, "书咖在哪，我想顺便去喝咖啡", 0, message_id=81),
        message(2, "在倪家桥，离地铁站五分钟", 1),
        message(3, "银杏定了吗", 60, message_id=82),
        message(4, "还没，看下周天气", 61),
        message(5, "What time does the market open on Sunday?", 120, message_id=83),
        message(6, "8am I think, earlier for the bakery stall", 121),
        message(7, "团体讲解要多少人起", 180, message_id=84),
        message(8, "十个人就可以约", 181),
        message(9, "What if I run a storytime for the kids at the swap?", 240, message_id=85),
        message(10, "好呀！小朋友肯定喜欢", 241),
    ]
    assert _open(messages) == []
    # replies of another shape leave them open
    others = [
        message(1, "书咖在哪，我想顺便去喝咖啡", 0, message_id=91),
        message(2, "今天好冷，记得多穿点衣服", 1),
        message(5, "What time does the market open on Sunday?", 120, message_id=92),
        message(6, "the football match went to penalties again", 121),
    ]
    assert _open(others) == [92, 91]


def test_a_turn_taken_with_the_first_responder_answers() -> None:
    messages = [
        message(1, "平时大家都在哪跑步？我住在软件园附近", 0, message_id=95),
        message(2, "桂溪生态公园，一圈五公里左右，晚上跑的人很多", 3),
        message(1, "好嘞，离我就两站地铁", 5),
    ]
    assert _open(messages) == []
    assert _open([*messages[:2], message(1, "哈哈哈好吧", 5)]) == [95]


def test_saying_one_cannot_help_or_laughing_answers_nothing() -> None:
    messages = [
        message(1, "有没有人知道哪里能买到小包装的淡奶油", 0, message_id=97),
        message(2, "我只会吃😂", 1),
        message(3, "我不懂这个，帮不了你哈哈", 2),
    ]
    assert _open(messages) == [97]


def test_alike_pairs_must_stand_out_from_chance_in_a_busy_period() -> None:
    rng = np.random.default_rng(5)
    noise = rng.standard_normal((200, 32)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    threshold = pair_threshold(noise, 0.01)
    sims = noise @ noise.T
    chance = sims[~np.eye(200, dtype=bool)]
    assert 0.01 < threshold < 1.0
    assert (chance >= threshold).mean() < 0.05
    assert pair_threshold(noise[:10], 0.2) == 0.2  # too few messages to measure chance


def test_an_echoed_verb_answers_a_yes_or_no_question() -> None:
    messages = [
        message(1, "桌游夜搞起来不？上次玩得很开心", 0, message_id=99),
        message(2, "来！我刚买了新的扩展", 2),
        message(3, "斑头雁这个季节来是不是有点早", 60, message_id=98),
        message(4, "早上好唐哥，又去蹲点了", 62),
    ]
    assert _open(messages) == [98]


def test_a_question_that_points_back_keeps_the_sentence_it_points_to() -> None:
    text = "Signed up for the half marathon in December! Anyone else doing it?"
    assert asking_part(text) == text
    assert asking_part("装了新的键盘。这个轴适合打字吗？") == "装了新的键盘。这个轴适合打字吗？"
    assert asking_part("装了新的键盘。周六几点集合？") == "周六几点集合？"


def test_a_reply_that_agrees_and_then_asks_answers_the_question() -> None:
    messages = [
        message(1, "周六有人一起去爬青城山吗？", 0, message_id=80),
        message(2, "好啊，几点出发？", 2, message_id=81),
        message(3, "Anyone up for a bike ride along the river on Sunday?", 30, message_id=82),
        message(4, "Sure, what time?", 32, message_id=83),
        message(5, "有人知道哪里修相机靠谱吗？", 60, message_id=84),
        message(6, "几点关门？", 62, message_id=85),
    ]
    open_ids = _open(messages)
    assert 80 not in open_ids and 82 not in open_ids
    assert 84 in open_ids  # a new question of its own answers nothing
