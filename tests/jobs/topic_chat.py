"""A small labelled week of a Chinese developers' group, for topic tests.

Five subjects a member would recognise, one of them taken up again two days
later, with the small talk real groups have around them: greetings, thanks,
"+1", laughter, stickers, a newcomer's welcomes. Each message is
``(day, "HH:MM", member, text, subject)``; the subject is ``None`` for small
talk, which belongs to no subject of its own.
"""

from __future__ import annotations

from datetime import timedelta

from jobs.digest_model import DigestMessage, DigestPeriod
from tests.jobs.helpers import DAY_START

MEMBERS = {1: "王磊", 2: "陈静", 3: "刘洋", 4: "赵敏", 5: "孙浩", 6: "林晓"}

WEEK = DigestPeriod(DAY_START, DAY_START + timedelta(days=7))

CHAT: list[tuple[int, str, int, str, str | None]] = [
    (0, "09:02", 1, "早上好各位☀️", None),
    (0, "09:03", 2, "早～", None),
    (0, "09:10", 3, "Docker镜像打出来有两个G，部署到服务器要拉十分钟，怎么瘦身？", "docker"),
    (0, "09:12", 1, "基础镜像换成alpine或者distroless，镜像能小一大半", "docker"),
    (0, "09:13", 4, "再用多阶段构建，编译依赖留在第一阶段，最终镜像只拷贝产物", "docker"),
    (0, "09:15", 3, "多阶段构建之前没用过，Dockerfile要怎么写？", "docker"),
    (
        0,
        "09:16",
        4,
        "第一阶段FROM golang编译，第二阶段FROM alpine，COPY --from拷贝二进制",
        "docker",
    ),
    (0, "09:18", 3, "好的谢谢大佬🙏", None),
    (0, "09:19", 5, "哈哈哈哈", None),
    (0, "20:30", 2, "数据库要从MySQL迁到Postgres，有人做过迁移吗？", "database"),
    (0, "20:33", 6, "用pgloader迁移数据，表结构和索引基本都能自动转换", "database"),
    (0, "20:35", 2, "MySQL的自增主键迁到Postgres以后序列要重置吗？", "database"),
    (0, "20:37", 6, "要，迁移完用setval把每张表的序列对齐到最大主键", "database"),
    (0, "20:40", 1, "迁移前记得先在测试库跑一遍，数据库备份留好", "database"),
    (0, "20:41", 2, "收到", None),
    (0, "20:42", 2, "辛苦静姐🌹", None),
    (1, "12:05", 5, "周五晚上聚餐吧，公司楼下新开了一家湘菜馆", "dinner"),
    (1, "12:07", 1, "+1", None),
    (1, "12:08", 4, "湘菜太辣了，我吃不了辣，能不能换家粤菜馆？", "dinner"),
    (1, "12:10", 5, "那就粤菜馆，周五晚上七点，我来订位，几个人聚餐？", "dinner"),
    (1, "12:12", 6, "我去，算上我", "dinner"),
    (1, "12:13", 3, "周五晚上加班，聚餐去不了😭", "dinner"),
    (1, "12:14", 2, "👍", None),
    (1, "16:00", 1, "拉个新朋友进群，做独立游戏开发的", "newcomer"),
    (1, "16:01", 2, "欢迎欢迎", None),
    (1, "16:02", 5, "欢迎👏", None),
    (1, "16:05", 6, "大家好，我叫林晓，在做一款像素风独立游戏，用Godot引擎开发", "newcomer"),
    (1, "16:07", 4, "像素风游戏好玩！Godot引擎和Unity比怎么样？", "newcomer"),
    (1, "16:09", 6, "Godot引擎轻量开源，独立游戏小团队够用了", "newcomer"),
    (1, "16:10", 4, "哈哈哈哈重在过程", None),
    (2, "10:20", 3, "用了多阶段构建，Docker镜像从两个G降到八十兆，部署快多了", "docker"),
    (2, "10:22", 1, "镜像小了，拉取和部署都快，alpine基础镜像真香", "docker"),
    (2, "10:23", 3, "[图片]", None),
    (2, "10:24", 4, "厉害", None),
    (3, "21:00", 2, "CI的单元测试时不时挂掉，本地跑测试又全过，很烦", "ci"),
    (3, "21:02", 5, "测试之间共享了全局状态吧，CI上并行跑测试顺序不一样", "ci"),
    (3, "21:04", 2, "确实有个测试改了全局配置没恢复，CI并行时别的测试就挂", "ci"),
    (3, "21:06", 5, "每个测试用独立的fixture，跑完恢复配置，CI就稳了", "ci"),
    (3, "21:07", 2, "好的", None),
    (3, "21:08", 1, "晚安", None),
]


def chat_messages() -> list[DigestMessage]:
    """The week's messages, ids from 1, each with a link."""
    messages = []
    for index, (day, clock, member, text, _) in enumerate(CHAT, start=1):
        hour, minute = (int(part) for part in clock.split(":"))
        messages.append(
            DigestMessage(
                message_id=index,
                member_id=member,
                member_name=MEMBERS[member],
                text=text,
                sent_at=DAY_START + timedelta(days=day, hours=hour, minutes=minute),
                permalink=f"https://t.me/c/7/{index}",
            )
        )
    return messages


def subjects() -> dict[str, set[int]]:
    """Each subject's message ids."""
    found: dict[str, set[int]] = {}
    for index, (*_, subject) in enumerate(CHAT, start=1):
        if subject is not None:
            found.setdefault(subject, set()).add(index)
    return found


SMALL_TALK = frozenset(text for *_, text, subject in CHAT if subject is None)
