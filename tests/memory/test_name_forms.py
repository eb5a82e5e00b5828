"""The forms of address a question may use for a member, taken out before searching."""

from __future__ import annotations

from memory.name_forms import may_be_pinyin, name_forms
from twins.retrieval import strip_names


def test_a_chinese_name_goes_by_its_surname_in_chinese_and_in_pinyin() -> None:
    forms = name_forms("周妍")
    assert {"周妍", "小周", "老周", "周姐", "Zhou Yan", "Auntie Zhou"} <= forms
    # a form of address already: the same surname, but no whole name to spell
    assert {"马叔", "老马", "Lao Ma", "Uncle Ma"} <= name_forms("老马")
    assert {"刘姨", "老刘", "Auntie Liu"} <= name_forms("刘阿姨")
    assert not any(form.startswith("A ") for form in name_forms("刘阿姨"))


def test_pet_names_and_latin_names() -> None:
    assert name_forms("七七") == {"七七", "Qiqi"}
    assert name_forms("Mark Evans") == {"Mark Evans", "Mark"}
    assert name_forms("Ashfox") == {"Ashfox"}
    assert name_forms("  ") == set()


def test_forms_of_the_members_name_leave_the_question() -> None:
    def stripped(question: str, name: str) -> str:
        return strip_names(question, sorted(name_forms(name)))

    assert stripped("马叔家那只会说话的鸟叫啥？", "老马") == "家那只会说话的鸟叫啥？"
    assert stripped("Zhou Yan, where's your hometown?", "周妍") == "where's your hometown?"
    assert stripped("杨老板老家是哪里的？", "杨志强") == "老家是哪里的？"
    # another member's name stays: it may be what the question is about
    assert "小林" in stripped("小周和小林一起去的吗？", "周妍")


def test_a_latin_word_of_one_or_two_pinyin_syllables_may_be_a_chinese_name() -> None:
    assert all(map(may_be_pinyin, ("Hao", "Sun", "Xiaoyu")))
    assert not any(map(may_be_pinyin, ("Priya", "Caroline", "Ashfox")))
