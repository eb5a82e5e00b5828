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


def test_a_question_stays_open_when_the_talk_moves_to_a_new_question() -> None:
    # Someone asks back about the context, the asker answers that, and the
    # talk that follows is about the answer, not the question.
    zh = [
        message(
            1, "有人知道高新那边有没有靠谱的中介，我月底租约到期，房东要涨房租", 0, message_id=51
        ),
        message(2, "涨多少", 2),
        message(1, "本来3200，现在要3700，我直接不续了", 4),
        message(3, "涨五百也太狠了吧，房东真黑", 5),
        message(3, "玉林那边老小区便宜，就是基本没电梯", 6),
    ]
    en = [
        message(
            1,
            "Does anyone know a good plumber near Dundas? The landlord raised the rent",
            0,
            message_id=52,
        ),
        message(2, "by how much?", 1),
        message(1, "two hundred a month, which is wild", 3),
        message(3, "two hundred a month is robbery, rent here is wild", 4),
    ]
    assert _open(zh) == [51]
    assert _open(en) == [52]


def test_a_question_on_the_askers_own_terms_keeps_the_talk_on_it() -> None:
    en = [
        message(
            1,
            "Any objections to keeping the seed swap to open-pollinated seed only?",
            0,
            message_id=53,
        ),
        message(2, "what does open-pollinated mean exactly", 2),
        message(1, "Seed that grows true to the parent plant, unlike hybrids.", 4),
        message(3, "no objections, open-pollinated seed only makes sense", 5),
    ]
    zh = [
        message(1, "周日科学馆要预约，大家要不要一起去？", 0, message_id=54),
        message(2, "科学馆需要提前多久预约呀", 1),
        message(1, "提前三天，周四中午放票", 2),
        message(3, "我们家一起去科学馆，已经预约好了", 3),
    ]
    assert _open(en) == []
    assert _open(zh) == []


def test_the_askers_thanks_for_talk_on_something_else_does_not_close_a_question() -> None:
    messages = [
        message(1, "Has anyone seen my green trowel with the taped handle?", 0, message_id=55),
        message(1, "Seed swap idea: envelopes from old magazines, labelled by variety.", 300),
        message(2, "love the envelope idea", 302),
        message(1, "Perfect, thank you!", 303),
        message(3, "有人知道哪里能买到防虫网吗？", 400, message_id=56),
        message(3, "周末想去爬山，天气好像不错", 500),
        message(4, "爬山算我一个", 501),
        message(3, "好的谢谢", 502),
    ]
    assert _open(messages) == [56, 55]


def test_a_message_addressed_to_a_third_member_does_not_answer() -> None:
    messages = [
        message(
            1,
            "Does anyone know the owners of the Brock Ave bakery?",
            0,
            name="Ruth Okafor",
            message_id=57,
        ),
        message(2, "loaf number three actually rose, open crumb", 1, name="Gabe Moreau"),
        message(3, "Gabe that's bakery level crumb", 2, name="Dana Whitfield"),
        message(4, "今天的桌游夜谁来？", 100, name="小鹿", message_id=58),
        message(5, "婷婷，你的桌游夜攻略发我一下", 101, name="大熊"),
        message(6, "好的", 102, name="婷婷"),
    ]
    assert _open(messages) == [58, 57]
    assert addressees("Gabe that's great", {"gabe": 2}) == {2}
    assert addressees("Gabe's loaf rose", {"gabe": 2}) == set()


def test_a_short_joke_in_reply_is_not_an_answer_but_a_long_answer_that_laughs_is() -> None:
    zh_joke = [
        message(1, "这颜色绝了，王姐开店吧", 0),
        message(2, "哈哈开不了。有没有人知道哪里能买到小包装的淡奶油", 1, message_id=59),
        message(1, "我只会吃😂", 2),
    ]
    en_joke = [
        message(1, "that cake looks amazing, open a bakery", 0),
        message(
            2, "ha, no. does anyone know where to buy small cartons of cream?", 1, message_id=60
        ),
        message(1, "lol no", 2),
    ]
    zh_answer = [
        message(2, "主要是现在API成本压不下来，有点头疼", 0),
        message(1, "用的哪家的模型", 1, message_id=61),
        message(2, "现在主力是GPT-4o，一个月API账单三千多刀，收入才刚过这个数😂", 2),
    ]
    assert _open(zh_joke) == [59]
    assert _open(en_joke) == [60]
    assert _open(zh_answer) == []


def test_an_answer_to_the_askers_follow_up_answers_the_question() -> None:
    messages = [
        message(
            1, "请教下大家定价的问题，我那个宠物洗护预约小程序，打算向店家收费", 0, message_id=62
        ),
        message(1, "现在纠结按月订阅还是卖次卡，你们觉得哪个好？", 2, message_id=63),
        message(2, "小店老板对自动扣钱很敏感，次卡更好卖", 4, reply_to=63),
        message(
            3, "Quick question on pricing for my app, thinking of charging shops", 60, message_id=64
        ),
        message(
            3, "monthly subscription or a pack of credits, which would you pick?", 61, message_id=65
        ),
        message(4, "credits, small shops hate auto-billing", 63, reply_to=65),
    ]
    assert _open(messages) == []


def test_a_yes_no_question_answered_with_its_verb_after_a_subject() -> None:
    messages = [
        message(1, "周日科学馆统计一下人数，还有要去的吗", 0),
        message(2, "我就不去了，周六爬完山估计起不来", 2),
    ]
    assert _open(messages) == []
