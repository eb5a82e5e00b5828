"""The names a question holds: people and places, not calendar words, noise or the member."""

from __future__ import annotations

import pytest

from memory.name_forms import holds_name, name_forms
from twins.question_names import question_names, written_in
from twins.retrieval import strip_names


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What LGBTQ+ events has Caroline participated in?", ("caroline",)),
        ("When did you go camping in June, on a Saturday?", ()),
        ("Ashfox, which class do you main now?", ("ashfox",)),
        ("Also, what did you eat?", ()),
        ("@Priya which board did you use?", ("priya",)),
        ("周妍老公是干什么的？", ("周妍",)),
        ("高叔的孙子在哪个学校上学？", ("高叔",)),
        ("陈静在哪些城市住过？", ("陈静",)),
        ("金浩家的狗是什么品种？", ("金浩",)),
        ("@刘阿姨 红烧肉的糖色怎么炒才不苦？", ("刘阿姨",)),
        ("你对什么过敏？", ()),
        ("孙浩老家是绍兴的吗？", ("孙浩", "绍兴")),
    ],
)
def test_question_names_are_people_and_places(question: str, names: tuple[str, ...]) -> None:
    assert question_names(question) == names


@pytest.mark.parametrize(
    ("member", "question"),
    [
        ("周妍", "Zhou Yan, which park do you run in?"),
        ("刘阿姨", "What did Auntie Liu cook last week?"),
        ("老马", "Lao Ma, where do you go fishing?"),
        ("林小雨", "Xiaoyu, what do you study?"),
        ("物业小陈", "@小陈 物业办公室几点下班？"),
        ("何志远", "Old He, how many beehives do you keep?"),
    ],
)
def test_the_members_own_name_in_any_form_is_no_name_in_the_question(
    member: str, question: str
) -> None:
    assert question_names(strip_names(question, sorted(name_forms(member)))) == ()


def test_a_name_is_held_as_a_whole_word_in_latin_script_and_anywhere_in_chinese() -> None:
    assert holds_name("Thanks Tom!", "tom") and not holds_name("a tomato salad", "tom")
    assert written_in("周妍", "昨天周妍说她去了扬州") and not written_in("周妍", "周末去扬州")
