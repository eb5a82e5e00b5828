"""Writes a realistic Telegram Desktop single-chat JSON export of any size, streaming.

The chat is a private supergroup of about 40 members talking in English and Chinese:
short remarks and long explanations, replies to earlier messages, a few edits, some
texts as entity lists (bold words, links, mentions), some media without a caption
(stickers, photos) and some service records (joins, pins). Records are written one by
one, so a 200,000-message file never sits in memory; the same ``seed`` gives the same
file. Used by the import benchmark and by tests of export readers.

Run ``python -m bench.export_generator OUT.json --messages N`` to write one.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

CHAT_ID = 1_987_654_321
"""The export's id of the chat (the bot API sees a supergroup as ``-100`` + this id)."""
CHAT_NAME = "Weekend Hikers 周末徒步"
START = datetime(2023, 3, 1, 8, 0, tzinfo=UTC)

FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
FIRST += ["Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Uma", "Victor"]
FIRST += ["Walter", "Yara", "Zoe"]
CHINESE_NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴婷"]
CHINESE_NAMES += ["徐鹏", "孙悦", "马超", "朱琳", "胡斌", "林晓"]
EMOJI = ["🌲", "⛰️", "☕", "🚲", "🌸"]

EN_SUBJECTS = ["I", "We", "My sister", "The group", "Our guide", "Everyone", "Tom from work"]
EN_VERBS = ["went to", "want to try", "can't stop thinking about", "booked", "recommend"]
EN_VERBS += ["are planning", "just found", "keep forgetting about", "finally finished"]
EN_OBJECTS = ["the Fern Creek trail", "that ramen place near the station", "a new tent"]
EN_OBJECTS += ["the sunrise hike on Saturday", "the train to the lake", "my sourdough starter"]
EN_OBJECTS += ["the map of the north ridge", "a cheap flight to Lisbon", "the board game night"]
EN_TAILS = ["last weekend", "tomorrow morning", "if the weather holds", "with the kids"]
EN_TAILS += ["before it gets crowded", "after work", "again", "next month", "for the first time"]
EN_SHORT = ["lol", "ok!", "sounds good", "count me in", "thanks!", "same here", "haha true"]
EN_SHORT += ["see you there", "no way", "+1", "who's driving?", "nice photo"]
ZH_OPENERS = ["我觉得", "昨天", "周末", "听说", "说实话", "刚才", "下次", "大家注意"]
ZH_BODIES = ["那条山路挺好走的", "天气预报说会下雨", "新开的咖啡店人很多", "火车票已经订好了"]
ZH_BODIES += ["我们在老地方集合", "帐篷还得再买一个", "湖边的日落特别美", "孩子们玩得很开心"]
ZH_BODIES += ["这次路线比上次难", "记得带够水和零食", "拉面店要排队半小时", "地图我已经发群里了"]
ZH_TAILS = ["。", "！", "，大家觉得呢？", "，太好了。", "，别迟到。", "～", "吧。"]
ZH_SHORT = ["好的", "哈哈哈", "收到", "我也去", "谢谢！", "同意", "明天见", "加一"]
SERVICE_ACTIONS = ["invite_members", "pin_message", "join_group_by_link", "edit_group_title"]
MEDIA = [("sticker", "image/webp"), ("photo", None), ("voice_message", "audio/ogg")]


@dataclass(frozen=True, slots=True)
class Person:
    """A member of the generated chat."""

    user_id: int
    name: str
    chinese: float
    """How often they write in Chinese (0 to 1)."""
    chatty: float
    """How long their messages tend to be (0 to 1)."""


@dataclass(frozen=True, slots=True)
class ExportStats:
    """What a generated file holds."""

    records: int
    messages: int
    """Records with text (what an import stores)."""
    service: int
    empty: int
    """Media records without a caption."""
    chinese: int
    """Text messages written mostly in Chinese."""
    entity_lists: int
    """Text messages written as a list of entity parts."""
    replies: int
    members: int


def members(count: int = 40, *, seed: int = 7) -> list[Person]:
    """The chat's members: English, Chinese and emoji names, each with their own habits."""
    rng = random.Random(seed)
    people = []
    for i in range(count):
        if i % 3 == 2:
            name = CHINESE_NAMES[i % len(CHINESE_NAMES)]
            chinese = rng.uniform(0.6, 0.95)
        else:
            name = f"{FIRST[i % len(FIRST)]} {chr(ord('A') + i % 26)}."
            chinese = rng.uniform(0.0, 0.3)
        if i % 7 == 0:
            name = f"{name} {EMOJI[i % len(EMOJI)]}"
        people.append(Person(5_000_000 + i * 7919, name, chinese, rng.random()))
    return people


def english(rng: random.Random, chatty: float) -> str:
    """An English message: a quick remark or a few sentences."""
    if rng.random() < 0.3 * (1 - chatty):
        return rng.choice(EN_SHORT)
    sentences = 1 + int(rng.expovariate(1.0) * (1 + 4 * chatty))
    parts = []
    for _ in range(min(sentences, 40)):
        tail = f" {rng.choice(EN_TAILS)}" if rng.random() < 0.6 else ""
        mark = rng.choice([".", ".", "!", "?"])
        parts.append(f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} {rng.choice(EN_OBJECTS)}")
        parts[-1] += f"{tail}{mark}"
    return " ".join(parts)


def chinese(rng: random.Random, chatty: float) -> str:
    """A Chinese message, sometimes with an English name or place in it."""
    if rng.random() < 0.3 * (1 - chatty):
        return rng.choice(ZH_SHORT)
    sentences = 1 + int(rng.expovariate(1.0) * (1 + 4 * chatty))
    parts = []
    for _ in range(min(sentences, 40)):
        body = rng.choice(ZH_BODIES)
        if rng.random() < 0.15:
            body = f"{body}（Fern Creek）"
        parts.append(f"{rng.choice(ZH_OPENERS)}{body}{rng.choice(ZH_TAILS)}")
    return "".join(parts)


def entity_parts(text: str, rng: random.Random, people: list[Person]) -> list[Any]:
    """``text`` as Telegram writes formatted text: plain strings and entity objects."""
    cut = max(1, len(text) // 2)
    kind = rng.choice(["bold", "italic", "link", "mention_name", "code"])
    if kind == "link":
        entity: dict[str, Any] = {"type": "link", "text": "https://example.org/trail-map"}
    elif kind == "mention_name":
        who = rng.choice(people)
        entity = {"type": "mention_name", "text": who.name, "user_id": who.user_id}
    else:
        entity = {"type": kind, "text": text[:cut]}
        text = text[cut:]
    return [entity, f" {text}"] if kind != "bold" else [entity, text]


def plain_entities(text: str | list[Any]) -> list[dict[str, Any]]:
    """The ``text_entities`` list that goes beside ``text``."""
    if isinstance(text, str):
        return [{"type": "plain", "text": text}] if text else []
    return [{"type": "plain", "text": p} if isinstance(p, str) else p for p in text]


def records(count: int, *, seed: int = 7) -> Iterator[tuple[dict[str, Any], str]]:
    """``count`` message records of the chat, oldest first, each with its kind.

    Kinds: ``service``, ``empty``, ``en``, ``zh``, ``en-entities``, ``zh-entities``
    (the last four hold text).
    """
    rng = random.Random(seed)
    people = members(seed=seed)
    weights = [1 + 30 * p.chatty * rng.random() for p in people]
    at = START.timestamp()
    for message_id in range(1, count + 1):
        at += rng.expovariate(1 / 90)  # a message every 90 s on average
        when = datetime.fromtimestamp(int(at), UTC)
        record: dict[str, Any] = {
            "id": message_id,
            "type": "message",
            "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(at)),
        }
        person = rng.choices(people, weights)[0]
        roll = rng.random()
        if roll < 0.02:
            record["type"] = "service"
            record |= {"actor": person.name, "actor_id": f"user{person.user_id}"}
            record["action"] = rng.choice(SERVICE_ACTIONS)
            if record["action"] == "pin_message" and message_id > 1:
                record["message_id"] = rng.randrange(1, message_id)
            record |= {"text": "", "text_entities": []}
            yield record, "service"
            continue
        record |= {"from": person.name, "from_id": f"user{person.user_id}"}
        if message_id > 1 and rng.random() < 0.2:
            record["reply_to_message_id"] = max(1, message_id - 1 - int(rng.expovariate(1 / 8)))
        if roll < 0.06:
            kind, mime = rng.choice(MEDIA)
            if kind == "photo":
                record |= {"photo": "(File not included.)", "width": 1280, "height": 960}
            else:
                record |= {"file": "(File not included.)", "media_type": kind}
                record["mime_type"] = mime
            record |= {"text": "", "text_entities": []}
            yield record, "empty"
            continue
        zh = rng.random() < person.chinese
        text = chinese(rng, person.chatty) if zh else english(rng, person.chatty)
        label = "zh" if zh else "en"
        body: str | list[Any] = text
        if rng.random() < 0.05:
            body = entity_parts(text, rng, people)
            label += "-entities"
        if rng.random() < 0.03:
            edited = int(at) + rng.randrange(10, 600)
            edited_at = datetime.fromtimestamp(edited, UTC)
            record["edited"] = edited_at.strftime("%Y-%m-%dT%H:%M:%S")
            record["edited_unixtime"] = str(edited)
        record |= {"text": body, "text_entities": plain_entities(body)}
        yield record, label


def write_export(path: Path, count: int, *, seed: int = 7) -> ExportStats:
    """Write an export of ``count`` records to ``path``, one record at a time."""
    with path.open("w", encoding="utf-8") as out:
        return write_to(out, count, seed=seed)


def write_to(out: IO[str], count: int, *, seed: int = 7) -> ExportStats:
    """Write an export of ``count`` records to the text stream ``out``."""
    kinds = {"service": 0, "empty": 0, "zh": 0, "entities": 0}
    replies = 0
    head = {"name": CHAT_NAME, "type": "private_supergroup", "id": CHAT_ID}
    out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2])
    out.write(',\n "messages": [')
    for n, (record, kind) in enumerate(records(count, seed=seed)):
        out.write(",\n  " if n else "\n  ")
        out.write(json.dumps(record, ensure_ascii=False))
        replies += "reply_to_message_id" in record
        for key in kinds:
            kinds[key] += key in kind
    out.write("\n ]\n}\n")
    return ExportStats(
        records=count,
        messages=count - kinds["service"] - kinds["empty"],
        service=kinds["service"],
        empty=kinds["empty"],
        chinese=kinds["zh"],
        entity_lists=kinds["entities"],
        replies=replies,
        members=len(members(seed=seed)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=200_000, help="records to write")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    stats = write_export(args.out, args.messages, seed=args.seed)
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {size:.1f} MiB, {stats}")


if __name__ == "__main__":
    main()
