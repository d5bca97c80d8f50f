"""House styles (archive/transcripts/styles/): golden files per style, cue shapes, detection."""

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.transcripts import TranscriptError, parse, parse_bytes, render

HERE = Path(__file__).resolve().parent / "transcripts"
STYLE_FOLDERS = {"name-colon": "name-colon", "shot-list": "shot-list", "script": "script",
                 "captions": "captions"}  # fmt: skip
GOLDEN = sorted(
    path
    for folder in STYLE_FOLDERS
    for path in (HERE / folder).iterdir()
    if not path.name.endswith(".parse.json")
)
SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"


def golden_json(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".parse.json")


@pytest.mark.parametrize("folder", STYLE_FOLDERS)
def test_each_style_has_at_least_three_examples(folder):
    assert len([path for path in GOLDEN if path.parent.name == folder]) >= 3


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.name)
def test_example_parses_to_its_golden_file(path):
    expected = json.loads(golden_json(path).read_text(encoding="utf-8"))
    assert parse_bytes(path.read_bytes(), path.name).as_dict(file=path.name) == expected
    assert expected["style"] == path.parent.name


def test_the_seed_and_the_shared_examples_are_read_as_they_were():
    seeds = [HERE / "skolkovo-china-russia-hi-tech-center.txt"]
    examples = sorted((HERE / "examples").glob("*.txt"))
    styles = {path.name: parse_bytes(path.read_bytes()).style for path in seeds + examples}
    assert styles == {
        "skolkovo-china-russia-hi-tech-center.txt": "package",
        "01_velmora-robotics-park.txt": "package",
        "02_port-ardrane-tidal-turbines.txt": "package",
        "03_harlow-springs-hospital.txt": "name-colon",
        "04_sarvani-bridge-reopens.txt": "package",
        "05_lake-orvenne-drought.txt": "package",
    }


def test_shared_examples_keep_every_key_of_their_parse_json():
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip(f"{SHARED_EXAMPLES} is absent; tests/transcripts/examples holds copies")
    for path in sorted(SHARED_EXAMPLES.glob("*.txt")):
        expected = json.loads(path.with_suffix(".parse.json").read_text(encoding="utf-8"))
        got = parse_bytes(path.read_bytes()).as_dict(file=path.name)
        for key, value in expected.items():
            if key == "segments":
                for segment, wanted in zip(got[key], value, strict=True):
                    assert {k: segment[k] for k in wanted} == wanted
            else:
                assert got[key] == value, (path.name, key)


def body(*paragraphs: str) -> str:
    return "\n".join(["A title", "[]", *paragraphs]) + "\n"


def only(parsed, index=-1):
    segment = parsed.segments[index]
    return segment.kind, segment.speaker, segment.speaker_title


# One row per cue shape of the issue: the paragraphs, and the last segment they give.
CUE_SHAPES = [
    (
        "NAME, TITLE: then SURNAME:",
        ["ANNA LEE, WNX ANCHOR: Hello.", "MARK ODUYA, FARMER: Rain.", "ODUYA: More rain."],
        ("soundbite", "Mark Oduya", None),
    ),
    (
        "NAME, BYLINE:",
        ["ANNA LEE, HOST: Hello.", "TOMAS ILVES, BYLINE: The ferry stops."],
        ("narration", "Tomas Ilves", "BYLINE"),
    ),
    (
        "mixed-case name",
        ["ANNA LEE, HOST: Hello.", "Carla Benning: We carried a fire engine."],
        ("soundbite", "Carla Benning", None),
    ),
    (
        "mixed-case name and title",
        ["ANNA LEE, HOST: Hello.", "Dana Whitfield, Former U.S. Ambassador to NATO: Money."],
        ("soundbite", "Dana Whitfield", "Former U.S. Ambassador to NATO"),
    ),
    (
        "initials after a full cue",
        ["ANNA LEE, HOST: Hello.", "Ruth Adeyemi (RA): Eleven cars.", "RA: A bridge."],
        ("soundbite", "Ruth Adeyemi", None),
    ),
    (
        "(through translator)",
        ["ANNA LEE, HOST: Hello.", "OMAR SAID, TRADER (through translator): Prices rose."],
        ("soundbite", "Omar Said", "TRADER"),
    ),
    (
        "(via telephone)",
        ["ANNA LEE, HOST: Hello.", "OMAR SAID, TRADER (via telephone): Prices rose."],
        ("soundbite", "Omar Said", "TRADER"),
    ),
    (
        "a bare (on camera): goes back to the correspondent",
        [
            "ANNA LEE, WNX ANCHOR: Lena Ford reports from Houston.",
            "LENA FORD, WNX CORRESPONDENT (voice-over): Water.",
            "OMAR SAID, TRADER: Wet.",
            "(on camera): The river is rising.",
        ],
        ("standup", "Lena Ford", None),
    ),
    (
        "UNIDENTIFIED MALE",
        ["ANNA LEE, HOST: Hello.", "UNIDENTIFIED MALE: Go!"],
        ("soundbite", None, "UNIDENTIFIED MALE"),
    ),
    (
        "ANNOUNCER",
        ["ANNA LEE, HOST: Hello.", "ANNOUNCER: This is WNX."],
        ("narration", None, "ANNOUNCER"),
    ),
    ("CROWD", ["ANNA LEE, HOST: Hello.", "CROWD: No more!"], ("soundbite", None, "CROWD")),
    (
        "QUESTION from the floor",
        ["MR HALVERSON: Questions?", "QUESTION: When?"],
        ("soundbite", None, "QUESTION"),
    ),
    (
        "an honorific resolved from the text",
        ["ANNA LEE, HOST: Secretary Ana Ortiz spoke today.", "SECRETARY ORTIZ: We agree."],
        ("soundbite", "Ana Ortiz", "SECRETARY"),
    ),
    (
        "a two-word honorific",
        [
            "ANNA LEE, HOST: Deputy Secretary Erik Lindqvist spoke.",
            "DEPUTY SECRETARY LINDQVIST: We agree.",
        ],
        ("soundbite", "Erik Lindqvist", "DEPUTY SECRETARY"),
    ),
    (
        "quotation marks in a title",
        ["ANNA LEE, HOST: Hello.", 'ROBERT K. LANE JR., EDITOR, "WORLD POLICY" JOURNAL: Yes.'],
        ("soundbite", "Robert K. Lane Jr.", 'EDITOR, "WORLD POLICY" JOURNAL'),
    ),
    (
        "an initial and a surname tell two people apart",
        [
            "SOLEDAD O'BRIEN, WNX ANCHOR: Hi.",
            "MILES O'BRIEN, WNX ANCHOR: Hello.",
            "S. O'BRIEN: Good morning.",
        ],
        ("narration", "Soledad O'Brien", None),
    ),
    (
        "the older NPR cue, a title in parentheses",
        ["Hello.", 'Mr. BILL MOYERS (Author, "A Journal: Continued"): Thanks.'],
        ("soundbite", "Bill Moyers", 'Author, "A Journal: Continued"'),
    ),
    ("a direction", ["ANNA LEE, HOST: Hello.", "(COMMERCIAL BREAK)"], ("direction", None, None)),
    ("(Laughter.)", ["ANNA LEE, HOST: Hello.", "(Laughter.)"], ("direction", None, None)),
]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [row[1:] for row in CUE_SHAPES],
    ids=[row[0] for row in CUE_SHAPES],
)
def test_name_colon_cue_shapes(paragraphs, expected):
    parsed = parse(body(*paragraphs))
    assert parsed.style == "name-colon"
    assert only(parsed) == expected
    assert not parsed.segments[-1].needs_review


def test_two_turns_glued_in_one_paragraph_become_two_segments():
    parsed = parse(body("ANNA LEE, HOST: Hello.", "MARK ODUYA, FARMER: Rain came. LEE: When?"))
    assert [only(parsed, i) for i in (1, 2)] == [
        ("soundbite", "Mark Oduya", "FARMER"),
        ("narration", "Anna Lee", None),
    ]
    assert parsed.segments[1].text == "Rain came."


@pytest.mark.parametrize(
    ("paragraphs", "reason"),
    [
        (["ANNA LEE, HOST: Hello.", "PARDO: Yes."], "'Pardo' is a surname"),
        (["MR HALVERSON: Questions?"], "no full name for 'MR HALVERSON'"),
        (["ANNA LEE, HOST: Hello.", "KIRA NOVAK SMITH JONES MANAGER: Yes."], "is a guess"),
    ],
)
def test_an_unsure_speaker_is_kept_marked_for_review_with_a_warning(paragraphs, reason):
    parsed = parse(body(*paragraphs))
    unsure = [segment for segment in parsed.segments if segment.needs_review]
    assert len(unsure) == 1 and unsure[0].speaker_basis == "guess"
    assert any(reason in warning and f"line {unsure[0].line}:" in warning
               for warning in parsed.warnings)  # fmt: skip


def test_the_speaker_basis_says_how_each_name_was_found():
    parsed = parse(body("ANNA LEE, HOST: Hello.", "MARK ODUYA, FARMER: Rain.", "ODUYA: More.",
                        "Ruth Adeyemi (RA): Cars.", "RA: Bridge."))  # fmt: skip
    assert [s.speaker_basis for s in parsed.segments] == ["cue", "cue", "surname", "cue",
                                                          "initials"]  # fmt: skip


# Timecodes


@pytest.mark.parametrize(
    ("paragraphs", "times"),
    [
        (["[00:00:07]", "Intro.", "[00:01:02.5] More."], [(7.0, None), (62.5, None)]),
        (["[14:00:02] Intro.", "[14:01:00] More."], [(0.0, None), (58.0, None)]),
        (["00:02:41:07", "Intro.", "00:02:50:00 More."], [(161.0, None), (170.0, None)]),
        (["11:15 a.m. EDT", "Intro.", "11:32 a.m. EDT", "More."], [(0, None), (1020, None)]),
        (["[0:00:01.5 --> 0:00:04] Intro.", "More."], [(1.5, 4.0), (None, None)]),
    ],
)
def test_timecodes_time_the_next_paragraph_and_are_never_segments(paragraphs, times):
    parsed = parse(body(*paragraphs))
    assert [(s.start_seconds, s.end_seconds) for s in parsed.segments] == times
    assert [s.text for s in parsed.segments] == ["Intro.", "More."]


def test_a_file_of_timecodes_alone_is_refused():
    with pytest.raises(TranscriptError, match="no words"):
        parse(body("[00:00:07]", "[00:00:09]"))


# Captions


def test_caption_errors_name_the_line():
    with pytest.raises(TranscriptError) as refused:
        parse("WEBVTT\n\nnot a timing\nHi\n")
    assert refused.value.line == 3


def test_captions_take_their_title_from_the_file_name_without_a_note():
    parsed = parse_bytes(b"1\n00:00:00,000 --> 00:00:01,000\nHi.\n", "evening-bulletin.srt")
    assert parsed.title == "Evening bulletin"


# Properties: every style raises only its own error and survives export.

STYLE_TEXTS = st.sampled_from([path.read_text(encoding="utf-8") for path in GOLDEN])
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# What a file may hold once decoded: parse_bytes refuses control characters.
NOISE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=10)


@FUZZ
@given(STYLE_TEXTS, st.integers(min_value=0, max_value=2000), st.text(max_size=30))
def test_the_parser_raises_only_its_own_error_on_any_style(text, cut, noise):
    mangled = text[:cut] + noise + text[cut:]
    with contextlib.suppress(TranscriptError):
        parse(mangled)


@FUZZ
@given(STYLE_TEXTS, st.integers(min_value=0, max_value=2000), NOISE)
def test_export_gives_back_the_parse_of_every_style(text, cut, noise):
    try:
        parsed = parse(text[:cut] + noise + text[cut:])
    except TranscriptError:
        return
    assert parse(render(parsed)) == parsed


@pytest.mark.parametrize("path", GOLDEN, ids=lambda path: path.name)
def test_each_example_exported_reads_back_as_the_same_report(path):
    parsed = parse_bytes(path.read_bytes(), path.name)
    exported = render(parsed)
    assert parse(exported) == parsed
    assert [(s.start_seconds, s.end_seconds) for s in parse(exported).segments] == [
        (s.start_seconds, s.end_seconds) for s in parsed.segments
    ]


@pytest.mark.parametrize(
    ("toss", "correspondent", "dateline"),
    [
        ("Here's Tom Avery reporting from Mosul.", "Tom Avery", "Mosul"),
        ("Lena Ford reports from Houston.", "Lena Ford", "Houston"),
        ("Our correspondent Ivo Marek has this report. He is in Kyiv.", "Ivo Marek", "Kyiv"),
        ("Sara Lind narrates our report from Tromso.", "Sara Lind", "Tromso"),
    ],
)
def test_the_toss_names_the_correspondent_after_a_break_too(toss, correspondent, dateline):
    parsed = parse(body("ANNA LEE, WNX ANCHOR: Good evening.", "OMAR SAID, TRADER: Hi.",
                        "(BREAK)", f"LEE: Now to the news. {toss}"))  # fmt: skip
    assert (parsed.correspondent, parsed.dateline) == (correspondent, dateline)


def test_a_numbered_shot_shaped_like_a_cue_is_a_direction():
    parsed = parse(body("LENGTH: 00:01:00", "1. various of the city",
                        "2. SOUNDBITE 1 (English): ANA LIND, Mayor", "The city voted.",
                        "SOUNDBITE 1 (English): ANA LIND, Mayor", '"Yes."'))  # fmt: skip
    assert [(s.kind, s.speaker) for s in parsed.segments] == [
        ("direction", None), ("direction", None), ("direction", None), ("intro", None),
        ("soundbite", "Ana Lind"),
    ]  # fmt: skip


def test_a_caption_naming_the_outlet_makes_one_of_its_own_journalists():
    parsed = parse(body("KYRA LIND, WNX ANCHOR: Storms tonight.",
                        "CHAD MOORE, WNX METEOROLOGIST: Hail.",
                        "OMAR SAID, FARMER: My barn is gone."))  # fmt: skip
    assert [only(parsed, i)[0] for i in (1, 2)] == ["narration", "soundbite"]


@pytest.mark.parametrize(
    ("caption", "outlet"), [("WNX ANCHOR", "WNX"), ("HOST", None), ("BYLINE", None)]
)
def test_the_outlet_in_a_caption_is_call_letters_never_a_role(caption, outlet):
    parsed = parse(body(f"DAVID GREENE, {caption}:", "Good morning. I'm David Greene."))
    assert parsed.outlet == outlet


def test_a_shot_list_copied_without_its_line_breaks_is_read_whole():
    parsed = parse(body("LENGTH: 00:00:52", "CATEGORY: CULTURESHOTLIST:", "1. various of a market",
                        "STORYLINE:Traders returned.SOUNDBITE 1 (English): ANA LIND, Trader",
                        '"We are back."Xinhua News Agency correspondents reporting from Fuzhou.'
                        ))  # fmt: skip
    assert [(s.kind, s.speaker, s.text) for s in parsed.segments][-4:] == [
        ("direction", None, "STORYLINE:"),
        ("intro", None, "Traders returned."),
        ("soundbite", "Ana Lind", "We are back."),
        ("signoff", None, "Xinhua News Agency correspondents reporting from Fuzhou."),
    ]


# A segment that needs review holds back publishing by every route, `--replace` too.

SURE_BRIEFING = "A briefing\n[]\nTOM HALVERSON, SPOKESMAN: Good morning.\nQUESTION: When?\n"
UNSURE_BRIEFING = "A briefing\n[]\nMR HALVERSON: Good morning.\nQUESTION: When?\n"


@pytest.mark.django_db
@pytest.mark.parametrize("published", [True, False], ids=["published", "in-review"])
def test_replace_never_puts_unsure_segments_on_a_published_report(tmp_path, published):
    from archive.models import Report
    from tests.test_importer import run

    path = tmp_path / "briefing.txt"
    path.write_text(SURE_BRIEFING, encoding="utf-8")
    run(path, publish=published)
    path.write_text(UNSURE_BRIEFING, encoding="utf-8")

    _out, err, error = run(path, replace=True)

    report = Report.objects.get()
    speakers = list(report.segments.values_list("speaker__name", "needs_review"))
    if published:
        assert error is not None
        assert f"{path}:3: report 'briefing' is published and 1 segment of the new text " in err
        assert speakers == [("Tom Halverson", False), (None, False)]  # nothing written
        assert report in Report.objects.public()
    else:  # not public: the editor confirms the speaker on the desk before publishing
        assert error is None
        assert speakers == [("Halverson", True), (None, False)]
