from modules.diff import diff_blocks, diff_text, diff_words, text_blocks
from modules.markdown import render_markdown


def blocks(markdown: str) -> list[str]:
    return text_blocks(render_markdown(markdown, id_prefix="s"))


def test_text_blocks_follow_what_a_reader_sees():
    assert blocks("One *two*.\n\n- three\n- four\n\n| a | b |\n|---|---|\n| 1 | 2 |") == [
        "One two.", "three", "four", "a | b", "1 | 2",
    ]  # fmt: skip


def test_footnotes_keep_their_number_and_lose_the_back_link():
    assert blocks("Claim.[^1]\n\n[^1]: Source.") == ["Claim.[1]", "Source."]


def test_reformatting_the_markdown_is_not_a_change():
    before = "| Level | Meaning |\n|---|---|\n| 1 | Initial |"
    after = "| Level   | Meaning  |\n| :------ | -------- |\n| 1       | Initial  |"
    assert not diff_blocks(blocks(before), blocks(after)).changed
    assert not diff_blocks(blocks("- a\n- b"), blocks("* a\n* b")).changed


def test_changed_words_are_marked_with_text_labels_not_colour_alone():
    html = diff_words("States should mark weapons.", "States must mark all weapons.")
    assert "<del>" in html and "<ins>" in html
    assert "Deleted text:" in html and "Inserted text:" in html
    assert "should" in html.split("<del>")[1].split("</del>")[0]


def test_short_unchanged_runs_between_changes_are_folded():
    html = diff_words("alpha one beta two gamma", "delta one epsilon two zeta")
    assert html.count("<del>") == 1 and html.count("<ins>") == 1


def test_dissimilar_paragraphs_are_removed_and_added_whole():
    result = diff_blocks(
        ["Record-keeping rules for dealers."], ["Polymer frames are easy to melt."]
    )
    assert result.changed
    assert result.blocks[0].startswith("<del>") and result.blocks[1].startswith("<ins>")


def test_similar_paragraphs_are_compared_word_by_word_in_order():
    old = ["Intro stays.", "Marking rules apply to all weapons here."]
    new = [
        "Intro stays.",
        "A new paragraph about polymer frames.",
        "Marking rules apply to every weapon here.",
    ]
    result = diff_blocks(old, new)
    assert result.blocks[0] == "Intro stays."
    assert result.blocks[1].startswith("<ins>")
    assert "Marking rules apply to" in result.blocks[2] and "<del>" in result.blocks[2]


def test_text_is_escaped():
    html = diff_words("<b>x</b>", "<script>alert(1)</script>")
    assert "<script" not in html and "<b>" not in html
    assert "&lt;/script" in html
    assert diff_text("a & b", "a & b").blocks[0] == "a &amp; b"


def test_russian_words_are_compared_as_words():
    html = diff_words(
        "Государства должны маркировать оружие.", "Государства обязаны маркировать оружие."
    )
    assert '<del><span class="visually-hidden">[Deleted text: </span>должны' in html


def test_huge_sections_stay_bounded():
    old = [f"Paragraph {i} about marking." for i in range(300)]
    new = [f"Paragraph {i} about tracing." for i in range(300)]
    assert len(diff_blocks(old, new).blocks) == 300
