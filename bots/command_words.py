"""Command words in Chinese or English: ``/digest 每周一 18:00`` reads as ``weekly mon 18:00``.

Handlers match English keywords; :func:`canonical_words` turns the words a member typed
into those keywords first. Only whole words (or a word made entirely of known parts,
such as ``每周一`` or ``暂停2小时``) are changed; anything else is kept as typed, so free
text (an answer to correct, a note about oneself) must still be read from the raw args.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

WORDS: dict[str, tuple[str, ...]] = {
    # switches and common actions
    "开": ("on",),
    "打开": ("on",),
    "开启": ("on",),
    "启用": ("on",),
    "关": ("off",),
    "关闭": ("off",),
    "关掉": ("off",),
    "停用": ("off",),
    "状态": ("status",),
    "现在": ("now",),
    "立即": ("now",),
    "马上": ("now",),
    "预览": ("preview",),
    "我": ("me",),
    "时区": ("tz",),
    "暂停": ("pause",),
    "恢复": ("resume",),
    "继续": ("resume",),
    "记录": ("log",),
    "日志": ("log",),
    "确认": ("confirm",),
    "更正": ("correct",),
    "纠正": ("correct",),
    "删除": ("delete",),
    "批准": ("approve",),
    "发布": ("approve",),
    "丢弃": ("discard",),
    "模式": ("mode",),
    "草稿": ("draft",),
    "自动": ("auto",),
    "范围": ("scope",),
    "本群": ("chat",),
    "所有群": ("all",),
    "全部": ("all",),
    "推荐": ("suggest",),
    "资料": ("profile",),
    "设置": ("set",),
    "重置": ("reset",),
    "安静": ("quiet",),
    "跳过": ("skip",),
    "一行": ("line",),
    # schedules
    "每天": ("daily",),
    "每日": ("daily",),
    "每周": ("weekly",),
    "每两周": ("biweekly",),
    "隔周": ("biweekly",),
    "双周": ("biweekly",),
    "每月": ("monthly",),
    "每个月": ("monthly",),
    "每周一": ("weekly", "mon"),
    "每周二": ("weekly", "tue"),
    "每周三": ("weekly", "wed"),
    "每周四": ("weekly", "thu"),
    "每周五": ("weekly", "fri"),
    "每周六": ("weekly", "sat"),
    "每周日": ("weekly", "sun"),
    "每周天": ("weekly", "sun"),
    "周一": ("mon",),
    "周二": ("tue",),
    "周三": ("wed",),
    "周四": ("thu",),
    "周五": ("fri",),
    "周六": ("sat",),
    "周日": ("sun",),
    "周天": ("sun",),
    "星期一": ("mon",),
    "星期二": ("tue",),
    "星期三": ("wed",),
    "星期四": ("thu",),
    "星期五": ("fri",),
    "星期六": ("sat",),
    "星期日": ("sun",),
    "星期天": ("sun",),
    "每": ("every",),
    # introductions
    "参加": ("on",),
    "退出": ("off",),
    "稍后": ("snooze",),
    "推迟": ("snooze",),
    "唤醒": ("wake",),
    "避开": ("avoid",),
    "允许": ("allow",),
    "群里": ("group",),
    "群内": ("group",),
    "私信": ("dm",),
    "发到": ("post",),
    # settings
    "分身": ("twins",),
    "助手": ("assistant",),
    "安静时间": ("absence",),
    "安静时长": ("absence",),
    "语言": ("language",),
    "中文": ("zh",),
    "英文": ("en",),
    "英语": ("en",),
}
"""Chinese command words and the English words they stand for."""

_UNITS = {
    "分钟": "m",
    "分": "m",
    "小时": "h",
    "个小时": "h",
    "钟头": "h",
    "天": "d",
    "日": "d",
    "周": "w",
    "星期": "w",
    "个星期": "w",
    "礼拜": "w",
    "个礼拜": "w",
}
_NUMERALS = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_SPECIAL_DURATIONS = {
    "半小时": "30m",
    "半个小时": "30m",
    "半个钟头": "30m",
    "一刻钟": "15m",
    "半天": "12h",
}
_DURATION = re.compile(
    r"^(\d{1,4}|[一两二三四五六七八九十]{1,3})("
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")$"
)
_CLOCK = re.compile(
    r"^(早上|上午|中午|下午|晚上)?(\d{1,2}|[一两二三四五六七八九十]{1,3})[点點:：](半|(\d{1,2})分?)?$"
)
_AFTERNOON = {"下午", "晚上"}


def canonical_words(words: Sequence[str]) -> tuple[str, ...]:
    """``words`` with Chinese command words, durations (``2小时`` → ``2h``) and clock times
    (``晚上8点`` → ``20:00``) turned into the English forms the handlers read."""
    result: list[str] = []
    for word in words:
        result.extend(_canonical(word) or (word,))
    return tuple(result)


def _canonical(word: str) -> tuple[str, ...] | None:
    """The English words for ``word``, or None when it is not made of known parts."""
    if word in WORDS:
        return WORDS[word]
    if word in _SPECIAL_DURATIONS:
        return (_SPECIAL_DURATIONS[word],)
    single = _duration(word) or _clock(word)
    if single is not None:
        return (single,)
    # A word made of known parts, longest known prefix first: 每周一18:00, 暂停2小时.
    for end in range(len(word) - 1, 0, -1):
        head, tail = word[:end], word[end:]
        first = WORDS.get(head) or ((d,) if (d := _duration(head) or _clock(head)) else None)
        if first is None:
            continue
        rest = _canonical(tail) or (
            (tail,) if re.fullmatch(r"[\w:/.+-]+", tail, re.ASCII) else None
        )
        if rest is not None:
            return first + rest
    return None


def _duration(word: str) -> str | None:
    match = _DURATION.match(word)
    if match is None:
        return None
    amount = match.group(1)
    number = int(amount) if amount.isdigit() else _chinese_number(amount)
    return f"{number}{_UNITS[match.group(2)]}" if number else None


def _chinese_number(text: str) -> int | None:
    """``两`` → 2, ``十五`` → 15, ``二十`` → 20, ``九十九`` → 99; None when not a number."""
    if len(text) == 1:
        return _NUMERALS.get(text) or None
    tens, ten, ones = text.partition("十")
    if not ten or "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    high = _NUMERALS.get(tens, 0) if tens else 1
    low = _NUMERALS.get(ones, 0) if ones else 0
    if (tens and not high) or (ones and not low) or high >= 10 or low >= 10:
        return None
    return high * 10 + low


def _clock(word: str) -> str | None:
    match = _CLOCK.match(word)
    if match is None:
        return None
    part, typed = match.group(1), match.group(2)
    hour = int(typed) if typed.isdigit() else _chinese_number(typed)
    if hour is None:
        return None
    minute = 30 if match.group(3) == "半" else int(match.group(4) or 0)
    if part in _AFTERNOON and hour < 12:
        hour += 12
    if part == "中午" and hour < 11:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def free_text(text: str, keywords: int) -> str:
    """What follows the first ``keywords`` command words of ``text``, exactly as typed.

    ``free_text("更正 3 周五 见", 2)`` is ``"周五 见"``: the keywords are counted in their
    English forms (``更正3`` counts as two); the rest is not translated.
    """
    rest = text.strip()
    covered = 0
    while covered < keywords and rest:
        parts = rest.split(None, 1)
        covered += len(canonical_words(parts[:1]))
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()
