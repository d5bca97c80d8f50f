"""The transcript parser and exporter (archive.transcripts): pure Python, no database."""

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.transcripts import (
    Parse,
    ParsedSegment,
    TranscriptError,
    duration_to_text,
    parse,
    parse_bytes,
    parse_duration,
    render,
    split_title,
)

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE / "transcripts" / "examples"
SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
SEED = HERE / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES.glob("*.txt"))
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def transcript(*paragraphs: str, head: tuple[str, ...] = ("[]", "02:00")) -> str:
    return "\n".join(["A title", *head, *paragraphs]) + "\n"


def rows(parsed: Parse) -> list[tuple]:
    return [(s.kind, s.speaker, s.speaker_title, s.text) for s in parsed.segments]


# The five specification examples and the seed


def test_the_five_examples_are_kept_here():
    assert EXAMPLE_NAMES == [
        "01_velmora-robotics-park",
        "02_port-ardrane-tidal-turbines",
        "03_harlow-springs-hospital",
        "04_sarvani-bridge-reopens",
        "05_lake-orvenne-drought",
    ]


PROVENANCE_KEYS = ("aired_at", "programme", "language", "source_url", "media_url")


def with_header_keys(expected: dict) -> dict:
    """A golden parse written before header lines and timecodes, with their nulls added.

    The examples have no header line and no timecode, so each new key must be null.
    """
    keys = list(expected)
    at = keys.index("segments")
    expected = {
        **{key: expected[key] for key in keys[:at]},
        **dict.fromkeys(PROVENANCE_KEYS),
        **{key: expected[key] for key in keys[at:]},
    }
    for segment in expected["segments"]:
        segment.setdefault("start_seconds", None)
        segment.setdefault("end_seconds", None)
    return expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_parses_to_its_parse_json(name):
    expected = json.loads((EXAMPLES / f"{name}.parse.json").read_text(encoding="utf-8"))
    parsed = parse_bytes((EXAMPLES / f"{name}.txt").read_bytes()).as_dict(file=f"{name}.txt")
    # The examples predate the style, time and review keys: every key they have keeps
    # its value, in the same order among the keys of DESIGN.md.
    assert {key: parsed[key] for key in expected if key != "segments"} == {
        key: value for key, value in expected.items() if key != "segments"
    }
    assert [
        {key: got[key] for key in wanted}
        for got, wanted in zip(parsed["segments"], expected["segments"], strict=True)
    ] == expected["segments"]
    assert [key for key in parsed if key in expected] == list(expected)
    assert not any(segment["needs_review"] for segment in parsed["segments"])


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_copy_matches_the_shared_original(name):
    if not SHARED_EXAMPLES.is_dir():
        pytest.skip(f"{SHARED_EXAMPLES} is absent: the copies in {EXAMPLES} are tested alone")
    for suffix in (".txt", ".parse.json"):
        shared = (SHARED_EXAMPLES / f"{name}{suffix}").read_bytes()
        assert (EXAMPLES / f"{name}{suffix}").read_bytes() == shared


def test_the_example_files_keep_their_bytes():
    assert (EXAMPLES / "04_sarvani-bridge-reopens.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (EXAMPLES / "04_sarvani-bridge-reopens.txt").read_bytes()
    assert not (EXAMPLES / "01_velmora-robotics-park.txt").read_bytes().endswith(b"\n")


@pytest.fixture
def seed() -> Parse:
    return parse_bytes(SEED.read_bytes())


def test_seed_segments(seed):
    crew = "Aljosa Milenkovic"
    assert [(s.kind, s.speaker, s.speaker_title) for s in seed.segments] == [
        ("intro", None, None),
        ("narration", crew, None),
        ("soundbite", "Igor", "CRAFTSMAN MOTORICA"),
        ("narration", crew, None),
        ("standup", crew, "SKOLKOVO"),
        ("narration", crew, None),
        ("soundbite", "Kiril Kaem", "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION"),
        ("narration", crew, None),
        (
            "soundbite",
            "Maxim Kuznetsov",
            "EXECUTIVE DIRECTOR RUSSIAN-ASIAN UNION OF INDUSTRIALISTS AND ENTREPRENEURS",
        ),
        ("narration", crew, None),
        ("signoff", crew, None),
    ]
    assert seed.segments[-1].text == "Aljosa Milenkovic, CGTN, Skolkovo."
    assert seed.segments[-2].text.endswith("Skolkovo offers a good way forward.")
    assert seed.segments[2].text.startswith("If you want to be proud")
    assert not seed.segments[2].text.endswith('"')


def test_seed_report_fields(seed):
    assert seed.title.startswith("China-Russia Hi-Tech Center: Intensive cooperation")
    assert (seed.outlet, seed.correspondent, seed.dateline) == (
        "CGTN",
        "Aljosa Milenkovic",
        "Skolkovo",
    )
    assert (seed.duration_seconds, seed.topics, seed.warnings) == (208, [], [])


def test_seed_segments_know_their_source_lines(seed):
    assert [s.line for s in seed.segments] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13]


def test_seed_segments_hold_every_word_in_order(seed):
    paragraphs = SEED.read_text(encoding="utf-8").splitlines()[3:]
    rest = "\n".join(paragraphs)
    for segment in seed.segments:
        position = rest.find(segment.text)
        assert position >= 0, segment
        skipped = rest[:position]
        # Only cue labels (capitals) and quotation marks lie between segments.
        assert not any(char.islower() for char in skipped), skipped
        rest = rest[position + len(segment.text) :]
    assert rest.strip(' "\n') == ""


# Cue styles and edge cases

SOUNDBITE_CASES = [
    pytest.param(
        'KIRIL KAEM, SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION "In the first place."',
        (
            "soundbite",
            "Kiril Kaem",
            "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION",
            "In the first place.",
        ),
        id="name-comma-title-organization",
    ),
    pytest.param(
        'ARKADY DVORKOVICH PRESIDENT, WORLD CHESS FEDERATION "Chess unites."',
        ("soundbite", "Arkady Dvorkovich", "PRESIDENT, WORLD CHESS FEDERATION", "Chess unites."),
        id="comma-after-title",
    ),
    pytest.param(
        'TOBIAS REINHOLT CO-FOUNDER, AMBERTIDE ENERGY "Eleven months."',
        ("soundbite", "Tobias Reinholt", "CO-FOUNDER, AMBERTIDE ENERGY", "Eleven months."),
        id="hyphenated-job-word-before-comma",
    ),
    pytest.param(
        'SOLVEIG ARNESEN DEPUTY MINISTER, MINISTRY OF COASTAL AFFAIRS "Twice a day."',
        (
            "soundbite",
            "Solveig Arnesen",
            "DEPUTY MINISTER, MINISTRY OF COASTAL AFFAIRS",
            "Twice a day.",
        ),
        id="qualifier-opens-the-title",
    ),
    pytest.param(
        'KIRIL KAEM SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION "No comma at all."',
        (
            "soundbite",
            "Kiril Kaem",
            "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION",
            "No comma at all.",
        ),
        id="no-comma-job-vocabulary",
    ),
    pytest.param(
        'JOHN FARMER, CEO ACME "A job word in the name."',
        ("soundbite", "John Farmer", "CEO ACME", "A job word in the name."),
        id="job-word-in-name-before-comma",
    ),
    pytest.param(
        'YUSUF "My father drove this road."',
        ("soundbite", "Yusuf", None, "My father drove this road."),
        id="first-name-alone",
    ),
    pytest.param(
        'FATIMA, SHOPKEEPER "I sold more saffron."',
        ("soundbite", "Fatima", "SHOPKEEPER", "I sold more saffron."),
        id="first-name-and-title",
    ),
    pytest.param(
        'ROSE-ANNE O\'FAHERTY, PROGRAM DIRECTOR RIVERLINE AID "Those matter."',
        ("soundbite", "Rose-Anne O'Faherty", "PROGRAM DIRECTOR RIVERLINE AID", "Those matter."),
        id="hyphen-and-apostrophe",
    ),
    pytest.param(
        'ŁUKASZ WÓJTOWSKI, SITE MANAGER HALVERD BRIDGEWORKS "The river set our schedule."',
        (
            "soundbite",
            "Łukasz Wójtowski",
            "SITE MANAGER HALVERD BRIDGEWORKS",
            "The river set our schedule.",
        ),
        id="diacritics",
    ),
    pytest.param(
        'ВЛАДИМИР ПУТИН, ПРЕЗИДЕНТ РОССИИ "Спасибо."',
        ("soundbite", "Владимир Путин", "ПРЕЗИДЕНТ РОССИИ", "Спасибо."),
        id="cyrillic",
    ),
    pytest.param(
        "王毅，外交部长 “我们欢迎合作。”",
        ("soundbite", "王毅", "外交部长", "我们欢迎合作。"),
        id="caseless-script-with-comma",
    ),
    pytest.param(
        "MARTA KIVELÄ, CHAIR MERRINVALE FISHERS' COOPERATIVE “It said “support”. Once.”",
        (
            "soundbite",
            "Marta Kivelä",
            "CHAIR MERRINVALE FISHERS' COOPERATIVE",
            "It said “support”. Once.",
        ),
        id="curly-quotes-with-inner-quotes",
    ),
    pytest.param(
        "RUTH OYELARAN, EMERGENCY ROOM NURSE: Every minute counts.",
        ("soundbite", "Ruth Oyelaran", "EMERGENCY ROOM NURSE", "Every minute counts."),
        id="name-title-colon",
    ),
    pytest.param(
        "GORDON PELLETIER: We are nine thousand people.",
        ("soundbite", "Gordon Pelletier", None, "We are nine thousand people."),
        id="name-colon",
    ),
    pytest.param(
        "VOLODYMYR ZELENSKYY, UKRAINIAN PRESIDENT (through translator): We will rebuild.",
        ("soundbite", "Volodymyr Zelenskyy", "UKRAINIAN PRESIDENT", "We will rebuild."),
        id="other-qualifier-left-out-of-title",
    ),
    pytest.param(
        "UNIDENTIFIED MALE: Get back!",
        ("soundbite", None, "UNIDENTIFIED MALE", "Get back!"),
        id="cue-naming-nobody",
    ),
    pytest.param(
        "王毅： 我们欢迎合作。",
        ("soundbite", "王毅", None, "我们欢迎合作。"),
        id="caseless-script-colon",
    ),
]


@pytest.mark.parametrize(("paragraph", "expected"), SOUNDBITE_CASES)
def test_cue_becomes_a_speaker_and_title(paragraph, expected):
    parsed = parse(transcript("The intro.", paragraph))
    assert rows(parsed)[1] == expected


NARRATION_CASES = [
    pytest.param('"Motorica" is one of those startups.', id="quoted-word-opens-narration"),
    pytest.param('The UN "peacekeepers" arrived.', id="quoted-word-inside-narration"),
    pytest.param('UN "peacekeepers" arrived today.', id="acronym-then-quote-without-closing"),
    pytest.param("At 10:30 the council met.", id="time-with-colon"),
    pytest.param("Locals have a name for it: “the hum”.", id="colon-after-mixed-case"),
    pytest.param("他说“我们欢迎合作”", id="caseless-words-before-quote"),
    pytest.param("(Laughter) And then the vote.", id="parenthesis-not-alone"),
    pytest.param("(a)(b)", id="two-parentheses"),
]


@pytest.mark.parametrize("paragraph", NARRATION_CASES)
def test_paragraph_without_cue_is_narration(paragraph):
    parsed = parse(transcript("Intro. Ann Lee reports from Paris.", paragraph))
    assert rows(parsed)[1] == ("narration", "Ann Lee", None, paragraph)


@pytest.mark.parametrize(
    ("paragraph", "words"),
    [
        pytest.param("(BEGIN VIDEOTAPE)", "BEGIN VIDEOTAPE", id="capitals"),
        pytest.param("(Laughter)", "Laughter", id="mixed-case"),
        pytest.param(
            "(COMMERCIAL BREAK (TWO MINUTES))", "COMMERCIAL BREAK (TWO MINUTES)", id="nested"
        ),
    ],
)
def test_parenthesised_line_is_a_direction(paragraph, words):
    parsed = parse(transcript("Intro.", paragraph, "Narration."))
    assert rows(parsed)[1] == ("direction", None, None, words)
    assert parsed.segments[2].kind == "narration"


@pytest.mark.parametrize(
    ("paragraph", "place", "words"),
    [
        pytest.param(
            'ANN LEE PARIS "I stand here."', "PARIS", "I stand here.", id="one-word-place"
        ),
        pytest.param(
            "ANN LEE PORT ARDRANE “A different harvest.”",
            "PORT ARDRANE",
            "A different harvest.",
            id="two-word-place-curly",
        ),
        pytest.param(
            "ANN LEE PARIS Russia needs the breakthrough.",
            "PARIS",
            "Russia needs the breakthrough.",
            id="without-quotation-marks",
        ),
        pytest.param(
            "ANN LEE SAINT DENIS I came here at dawn.",
            "SAINT DENIS",
            "I came here at dawn.",
            id="unquoted-opening-with-capital-I",
        ),
    ],
)
def test_standup_by_the_correspondent(paragraph, place, words):
    parsed = parse(transcript("Intro.", paragraph, "Ann Lee, CGTN, Paris."))
    assert rows(parsed)[1] == ("standup", "Ann Lee", place, words)


def test_cable_style_cues():
    parsed = parse(
        transcript(
            "DANA WHITFIELD, WNX ANCHOR: Good evening. WNX's Brendan McAllister reports.",
            "(BEGIN VIDEOTAPE)",
            "BRENDAN MCALLISTER, WNX CORRESPONDENT (voice-over): The lot is full.",
            "The owner says it loses money.",
            "RUTH OYELARAN, NURSE: Every minute counts.",
            "I have worked here for years.",
            "MCALLISTER (voice-over): The vote was a tie.",
            "OYELARAN: Then find another way.",
            "MCALLISTER (on camera): The council meets Thursday.",
            "(END VIDEOTAPE)",
            "WHITFIELD: Thank you, Brendan.",
        )
    )
    brendan, ruth = "Brendan McAllister", "Ruth Oyelaran"
    assert [(s.kind, s.speaker, s.speaker_title) for s in parsed.segments] == [
        ("intro", "Dana Whitfield", "WNX ANCHOR"),
        ("direction", None, None),
        ("narration", brendan, "WNX CORRESPONDENT"),
        ("narration", brendan, None),
        ("soundbite", ruth, "NURSE"),
        ("soundbite", ruth, None),
        ("narration", brendan, None),
        ("soundbite", ruth, None),
        ("standup", brendan, None),
        ("direction", None, None),
        ("narration", "Dana Whitfield", None),
    ]
    assert (parsed.outlet, parsed.correspondent, parsed.dateline) == ("WNX", brendan, None)


def test_uncued_paragraph_after_a_quoted_bite_is_narration():
    parsed = parse(
        transcript(
            "Intro. Ann Lee reports.", 'FATIMA, SHOPKEEPER "I sold saffron."', "Prices rose."
        )
    )
    assert rows(parsed)[2] == ("narration", "Ann Lee", None, "Prices rose.")


def test_cue_alone_on_its_line_speaks_the_next_paragraph():
    parsed = parse(transcript("Intro.", "RUTH OYELARAN, NURSE:", "Every minute counts."))
    assert rows(parsed)[1] == ("soundbite", "Ruth Oyelaran", "NURSE", "Every minute counts.")


def test_anchor_cue_alone_speaks_the_intro_until_the_next_cue():
    # A `NAME:` transcript cues only a change of speaker: the anchor goes on.
    parsed = parse(transcript("DANA WHITFIELD, WNX ANCHOR:", "Good evening.", "Narration."))
    assert rows(parsed)[:2] == [
        ("intro", "Dana Whitfield", "WNX ANCHOR", "Good evening."),
        ("intro", "Dana Whitfield", None, "Narration."),
    ]


@pytest.mark.parametrize(
    ("paragraphs", "speaker"),
    [
        pytest.param(
            ("Intro. Mr. McAllister says so.", 'BRENDAN MCALLISTER, NURSE "Hi."'),
            "Brendan McAllister",
            id="mixed-case-mention-wins",
        ),
        pytest.param(
            ("Intro.", 'BRENDAN MCALLISTER, NURSE "Hi."'), "Brendan Mcallister", id="title-case"
        ),
        pytest.param(
            ("Intro. Jean-Luc de la Cruz spoke.", 'JEAN-LUC DE LA CRUZ, MAYOR "Hi."'),
            "Jean-Luc de la Cruz",
            id="whole-name-mention",
        ),
        pytest.param(
            ("Intro. Site manager Łukasz Wójtowski waits.", 'WÓJTOWSKI "Hi."'),
            "Łukasz Wójtowski",
            id="surname-resolved-from-narration",
        ),
        pytest.param(
            (
                "Intro. Harbor master Ida Margrethe Solbakk drew lanes.",
                "IDA MARGRETHE SOLBAKK HARBOR MASTER, PORT ARDRANE “Hi.”",
            ),
            "Ida Margrethe Solbakk",
            id="three-word-name-from-mention",
        ),
    ],
)
def test_speaker_natural_case(paragraphs, speaker):
    assert parse(transcript(*paragraphs)).segments[1].speaker == speaker


def test_surname_cue_resolves_to_the_person_heard_last():
    parsed = parse(
        transcript(
            "Intro.",
            'ANNA KAEM, DOCTOR "One."',
            'KIRIL KAEM, DIRECTOR "Two."',
            'KAEM "Three."',
        )
    )
    assert parsed.segments[3].speaker == "Kiril Kaem"
    assert any("KAEM" in warning for warning in parsed.warnings)


# Credits: outlet, correspondent, dateline


@pytest.mark.parametrize(
    ("paragraphs", "credits"),
    [
        pytest.param(
            ("Intro. CGTN's Hana Ostrander reports from Merrinvale.", "Narration."),
            ("CGTN", "Hana Ostrander", "Merrinvale"),
            id="outlet-name-reports-from-place",
        ),
        pytest.param(
            ("Intro. CGTN’s Mira Castellane traveled there and sends this report.", "Narration."),
            ("CGTN", "Mira Castellane", None),
            id="curly-possessive-sends-this-report",
        ),
        pytest.param(
            ("Intro. Hana Ostrander has more from Lake Orvenne.", "Narration."),
            (None, "Hana Ostrander", "Lake Orvenne"),
            id="name-has-more-from-place",
        ),
        pytest.param(
            ("Intro. Our correspondent Hana Ostrander reports.", "Narration."),
            (None, "Hana Ostrander", None),
            id="correspondent-name-reports",
        ),
        pytest.param(
            ("Intro.", "Narration. Aljosa Milenkovic, CGTN, Skolkovo."),
            ("CGTN", "Aljosa Milenkovic", "Skolkovo"),
            id="signoff-ends-last-paragraph",
        ),
        pytest.param(
            ("Intro.", "Narration.", "Amara Quist, for CGTN, Sarvani."),
            ("CGTN", "Amara Quist", "Sarvani"),
            id="signoff-for-outlet-own-paragraph",
        ),
        pytest.param(
            ("Intro.", "Narration. Ann Lee, BBC News, Washington, D.C."),
            ("BBC News", "Ann Lee", "Washington, D.C"),
            id="signoff-two-word-outlet-place-with-comma",
        ),
        pytest.param(
            ("Intro. CGTN's Ann Lee reports from Rome.", "Narration. Ann Lee, CGTN, Paris."),
            ("CGTN", "Ann Lee", "Paris"),
            id="signoff-outranks-lead",
        ),
        pytest.param(
            ("Intro.", "We visited Paris, London, Berlin."),
            (None, None, None),
            id="list-of-places-is-no-signoff",
        ),
    ],
)
def test_credits(paragraphs, credits):
    parsed = parse(transcript(*paragraphs))
    assert (parsed.outlet, parsed.correspondent, parsed.dateline) == credits


def test_signoff_outranks_a_different_name_in_the_lead_with_a_warning():
    parsed = parse(transcript("Intro. CGTN's Bo Chen reports.", "Words. Ann Lee, CGTN, Paris."))
    assert parsed.correspondent == "Ann Lee"
    assert parsed.segments[1].speaker == "Ann Lee"
    assert any(w.startswith("line 4: ") and "Bo Chen" in w for w in parsed.warnings)


def test_signoff_becomes_its_own_segment():
    parsed = parse(transcript("Intro.", "Last words. Amara Quist, for CGTN, Sarvani."))
    assert rows(parsed)[1:] == [
        ("narration", "Amara Quist", None, "Last words."),
        ("signoff", "Amara Quist", None, "Amara Quist, for CGTN, Sarvani."),
    ]


def test_missing_correspondent_is_a_warning():
    parsed = parse(transcript("Intro.", "Narration."))
    assert parsed.segments[1].speaker is None
    assert parsed.warnings and parsed.warnings[0].startswith("line 4: ")


# Header and layout


@pytest.mark.parametrize(
    ("text", "topics", "seconds"),
    [
        pytest.param('T\n["A", "B"]\n03:28\nIntro.', ["A", "B"], 208, id="full-head"),
        pytest.param("T\n03:28\nIntro.", [], 208, id="no-topics"),
        pytest.param('T\n["A"]\nIntro.', ["A"], None, id="no-duration"),
        pytest.param("T\nIntro.", [], None, id="neither"),
        pytest.param("T\n[]\n1:02:03\nIntro.", [], 3723, id="h-mm-ss"),
        pytest.param("\ufeffT\r\n[]\r\n0:04:38\r\nIntro.\r\n", [], 278, id="bom-crlf"),
        pytest.param("T\r[]\r04:05\rIntro.", [], 245, id="cr"),
        pytest.param("\n\nT\n\n[]\n  \n03:28\n\nIntro.\n\n", [], 208, id="blank-lines"),
        pytest.param('T\n[" A ", "a", ""]\nIntro.', ["A"], None, id="topics-cleaned"),
    ],
)
def test_header(text, topics, seconds):
    parsed = parse(text)
    assert (parsed.title, parsed.topics, parsed.duration_seconds) == ("T", topics, seconds)
    assert rows(parsed) == [("intro", None, None, "Intro.")]


def test_line_numbers_count_blank_lines():
    parsed = parse("T\n\n[]\n\n03:28\n\nIntro.\n\nNarration.")
    assert [s.line for s in parsed.segments] == [7, 9]


# Refusals


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "the transcript is empty: it has no title", id="empty"),
        pytest.param(" \n\t\n", "the transcript is empty: it has no title", id="blank"),
        pytest.param("T\n", "line 1: the title 'T' is followed by no paragraph", id="title-only"),
        pytest.param(
            "T\n[]\n03:28\n", "line 1: the title 'T' is followed by no paragraph", id="head-only"
        ),
        pytest.param(
            "T\n[1, 2]\nIntro.",
            "line 2: topics '[1, 2]' are not a JSON list of strings",
            id="not-strings",
        ),
        pytest.param(
            'T\n["a"\nIntro.', "line 2: topics '[\"a\"' are not a JSON list", id="bad-json"
        ),
        pytest.param("T\n" + "[" * 5000 + "\nIntro.", "line 2: topics", id="deep-json"),
        pytest.param(
            "T\n[]\n03:75\nIntro.",
            "line 3: duration '03:75' is not a valid duration (mm:ss or h:mm:ss)",
            id="seconds-over-59",
        ),
        pytest.param(
            "T\n[]\n99:99:99\nIntro.",
            "line 3: duration '99:99:99' is not a valid duration (mm:ss or h:mm:ss)",
            id="minutes-over-59",
        ),
        pytest.param(
            "T\n3:7\nIntro.",
            "line 2: duration '3:7' is not a valid duration",
            id="no-topics-line-2",
        ),
        pytest.param(
            'T\nFATIMA ""', "line 2: the transcript has no words after its title", id="no-words"
        ),
    ],
)
def test_parse_refusal(text, message):
    with pytest.raises(TranscriptError) as error:
        parse(text)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        pytest.param(b"", "the file is empty", None, id="empty"),
        pytest.param(b" \r\n\n\t", "the file is empty", None, id="blank"),
        pytest.param(b"\xef\xbb\xbf", "the file is empty", None, id="bom-only"),
        pytest.param(
            b"T\r\nIntro \xe9t\xe9\r\n", "line 2: not valid UTF-8 (byte 0xE9)", 2, id="latin-1"
        ),
        pytest.param(b"T\nA\n\nB \xc3", "line 4: not valid UTF-8", 4, id="truncated-utf8"),
        pytest.param(b"\xff\xfeT\x00", "line 1: the file is encoded in UTF-16", 1, id="utf-16"),
        pytest.param(b"T\nIntro\x00.", "line 2: binary content (a NUL byte)", 2, id="nul"),
        pytest.param(
            b"T\n[]\nIntro\x07.", "line 3: binary content (control character U+0007)", 3, id="bell"
        ),
        pytest.param(b"T\rA\rB\x1b", "line 3: binary content", 3, id="escape-after-cr"),
        pytest.param(
            b"T\n" + b"x" * 1_000_001,
            "line 2: the line is 1,000,001 bytes long, over the limit of 1 MB",
            2,
            id="long-line",
        ),
        pytest.param(b"T\n[]\n03:75\nIntro.", "line 3: duration '03:75'", 3, id="bad-duration"),
    ],
)
def test_parse_bytes_refusal(data, message, line):
    with pytest.raises(TranscriptError) as error:
        parse_bytes(data)
    assert str(error.value).startswith(message)
    assert error.value.line == line


def test_a_line_of_exactly_one_megabyte_is_read():
    parsed = parse_bytes(b"T\n" + b"x" * 1_000_000)
    assert len(parsed.segments[0].text) == 1_000_000


def test_transcript_error_is_a_value_error_with_reason_and_line():
    error = TranscriptError("duration '03:75' is not a valid duration (mm:ss or h:mm:ss)", 3)
    assert isinstance(error, ValueError)
    assert str(error) == "line 3: duration '03:75' is not a valid duration (mm:ss or h:mm:ss)"
    assert (error.reason, error.line) == (error.reason, 3)
    assert str(TranscriptError("the file is empty")) == "the file is empty"


# Warnings


def test_unclosed_quotation_is_a_best_parse_with_a_warning():
    parsed = parse(transcript("Intro.", 'FATIMA, SHOPKEEPER "I sold saffron.'))
    assert rows(parsed)[1] == ("soundbite", "Fatima", "SHOPKEEPER", "I sold saffron.")
    assert [w for w in parsed.warnings if w.startswith("line 5: ")]


def test_name_without_title_evidence_is_a_guess_with_a_warning():
    parsed = parse(transcript("Intro.", 'IGOR PETROV MOTORICA WORKSHOP "Hi."'))
    assert rows(parsed)[1] == ("soundbite", "Igor Petrov", "MOTORICA WORKSHOP", "Hi.")
    assert [w for w in parsed.warnings if w.startswith("line 5: ")]


def test_examples_have_no_warnings():
    for name in EXAMPLE_NAMES:
        assert parse_bytes((EXAMPLES / f"{name}.txt").read_bytes()).warnings == []


# Captions, durations, JSON


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("CRAFTSMAN MOTORICA", ("Craftsman", "Motorica")),
        (
            "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION",
            ("Senior Vice President", "Skolkovo Foundation"),
        ),
        (
            "EXECUTIVE DIRECTOR RUSSIAN-ASIAN UNION OF INDUSTRIALISTS AND ENTREPRENEURS",
            ("Executive Director", "Russian-Asian Union of Industrialists and Entrepreneurs"),
        ),
        ("CO-FOUNDER, AMBERTIDE ENERGY", ("Co-Founder", "Ambertide Energy")),
        (
            "HEAD OF RESEARCH, VELDBY MARINE INSTITUTE",
            ("Head of Research", "Veldby Marine Institute"),
        ),
        (
            "HEAD OF RESEARCH VELDBY MARINE INSTITUTE",
            ("Head of Research", "Veldby Marine Institute"),
        ),
        ("EMERGENCY ROOM NURSE", ("Emergency Room Nurse", None)),
        ("WNX ANCHOR", ("Anchor", "WNX")),
        ("CEO, ACME", ("CEO", "Acme")),
        ("CHAIR MERRINVALE FISHERS' COOPERATIVE", ("Chair", "Merrinvale Fishers' Cooperative")),
        ("HYDROLOGIST ORVENNE BASIN OBSERVATORY", ("Hydrologist", "Orvenne Basin Observatory")),
        ("PRESIDENT OF THE WORLD CHESS FEDERATION", ("President", "World Chess Federation")),
        ("SHOPKEEPER", ("Shopkeeper", None)),
        ("VELMORA", ("Velmora", None)),
    ],
)
def test_split_title(caption, expected):
    assert split_title(caption) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (208, "03:28"), (3599, "59:59"), (3600, "1:00:00"), (3723, "1:02:03")],
)
def test_duration_text_reads_back(seconds, text):
    assert duration_to_text(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("value", ["03:75", "99:99:99", "3", ":", "1:2", "1:60:00", "١:٢٣"])
def test_parse_duration_rejects(value):
    assert parse_duration(value) is None


def test_as_dict_uses_the_design_key_order():
    parsed = parse(transcript("Intro."))
    assert list(parsed.as_dict("x.txt")) == [
        "file",
        "title",
        "topics",
        "duration_seconds",
        "outlet",
        "correspondent",
        "dateline",
        "style",
        *PROVENANCE_KEYS,
        "segments",
        "warnings",
    ]
    assert list(parsed.as_dict()["segments"][0]) == [
        "kind",
        "speaker",
        "speaker_title",
        "text",
        "start_seconds",
        "end_seconds",
        "needs_review",
        "speaker_basis",
    ]


def test_segments_compare_without_line_numbers():
    assert ParsedSegment("intro", None, None, "x", line=4) == ParsedSegment(
        "intro", None, None, "x", line=9
    )


# The exporter


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_render_round_trips_each_example(name):
    parsed = parse_bytes((EXAMPLES / f"{name}.txt").read_bytes())
    assert parse(render(parsed)) == parsed


def test_render_round_trips_the_seed(seed):
    assert parse(render(seed)) == seed


def test_render_writes_the_seed_in_format_version_1(seed):
    lines = render(seed).splitlines()
    assert lines[:3] == [seed.title, "[]", "03:28"]
    assert 'IGOR, CRAFTSMAN MOTORICA "If you want' in lines[5]
    assert lines[7].startswith('ALJOSA MILENKOVIC SKOLKOVO "Russia needs')
    assert lines[-1] == "Aljosa Milenkovic, CGTN, Skolkovo."
    assert lines[-2].endswith("Skolkovo offers a good way forward.")


def test_render_cues_continued_speakers_with_a_colon():
    parsed = parse(transcript("Intro.", "RUTH OYELARAN, NURSE: One.", "Two."))
    text = render(parsed)
    assert "RUTH OYELARAN, NURSE: One.\nTwo.\n" in text
    assert parse(text) == parsed


def test_render_writes_a_voice_over_and_a_direction():
    parsed = parse(
        transcript(
            "Intro. WNX's Ann Lee reports.",
            "(BEGIN VIDEOTAPE)",
            "ANN LEE, WNX CORRESPONDENT (voice-over): Words.",
        )
    )
    lines = render(parsed).splitlines()
    assert lines[-2:] == ["(BEGIN VIDEOTAPE)", "ANN LEE, WNX CORRESPONDENT (voice-over): Words."]


def test_render_cues_a_paragraph_that_would_read_as_a_cue():
    parsed = Parse(
        "T",
        [],
        None,
        None,
        None,
        None,
        [
            ParsedSegment("intro", None, None, "Intro."),
            ParsedSegment("soundbite", "Ann Lee", None, "A"),
            ParsedSegment("soundbite", "Ann Lee", None, 'NOTE: "this" looks like a cue'),
        ],
        [],
    )
    text = render(parsed)
    assert parse(text) == parsed


# Property-based


@FUZZ
@given(st.text())
def test_parse_raises_only_transcript_errors(text):
    with contextlib.suppress(TranscriptError):
        parse(text)


@FUZZ
@given(st.binary())
def test_parse_bytes_raises_only_transcript_errors(data):
    with contextlib.suppress(TranscriptError):
        parse_bytes(data)


CUE_TOKENS = st.sampled_from(
    ["ANN", "LEE", "LEE,", "PARIS", "CEO", "HEAD", "OF", "Ann", "Lee", "says", '"', "“", "”", ":"]
    + ["(voice-over):", "(on camera):", "(", ")", "CGTN,", "Paris.", "for", "CGTN's", "reports"]
    + ["from", "I", "03:00", "[]", "MCALLISTER", "McAllister", "Mr.", "王毅", "，", "：", "."]
    + ["O'NEIL", "O’Neil", "UNIDENTIFIED", "ANCHOR:", "Ł", "ß", "\t"]
)
TRANSCRIPT_LIKE = st.lists(
    st.lists(CUE_TOKENS, max_size=8).map(" ".join), min_size=1, max_size=8
).map(lambda lines: "T\n" + "\n".join(lines))


@FUZZ
@given(st.one_of(TRANSCRIPT_LIKE, st.text()))
def test_render_round_trips_whatever_parses(text):
    try:
        parsed = parse(text)
    except TranscriptError:
        return
    assert parse(render(parsed)) == parsed


FIRST_NAMES = [
    "ANNA",
    "IGOR",
    "ŁUKASZ",
    "ROSE-ANNE",
    "YUSUF",
    "MARTA",
    "KIRIL",
    "HANNE",
    "ВЛАДИМИР",
]
SURNAMES = ["KAEM", "O'FAHERTY", "WÓJTOWSKI", "KIVELÄ", "LYSTER", "SAMARIN", "ПУТИН", "VRANJES"]
ROLES = ["DIRECTOR", "SENIOR VICE PRESIDENT", "FISHERMAN", "CO-FOUNDER", "SITE MANAGER", "NURSE"]
ORGANIZATIONS = [
    "",
    " SKOLKOVO FOUNDATION",
    " MOTORICA",
    " VELDBY MARINE INSTITUTE",
    ", AMBERTIDE ENERGY",
]
PLACES = ["SKOLKOVO", "PORT ARDRANE", "SAINT-DENIS", "ŁÓDŹ"]
sentences = st.lists(
    st.sampled_from(
        [
            "The park grew.",
            "Prices rose 5%.",
            '"Motorica" builds hands.',
            "It is – they say – cheap.",
            "Why?",
        ]
        + ["Officials met at 10:30.", "Locals call it “the hum”.", "Mr. Kaem agrees.", "Ça va."]
    ),
    min_size=1,
    max_size=3,
).map(" ".join)


@st.composite
def generated_transcripts(draw):
    correspondent = draw(st.sampled_from(["Oren Falkenrath", "Mira Castellane", "Amara Quist"]))
    paragraphs = [draw(sentences) + f" CGTN's {correspondent} sends this report."]
    expected = [("intro", None, None)]
    for _ in range(draw(st.integers(1, 6))):
        choice = draw(st.sampled_from(["narration", "soundbite", "standup", "direction"]))
        if choice == "narration":
            paragraphs.append(draw(sentences))
            expected.append(("narration", correspondent, None))
        elif choice == "soundbite":
            name = f"{draw(st.sampled_from(FIRST_NAMES))} {draw(st.sampled_from(SURNAMES))}"
            caption = draw(st.sampled_from(ROLES)) + draw(st.sampled_from(ORGANIZATIONS))
            quotes = draw(st.sampled_from(['""', "“”"]))
            paragraphs.append(f"{name}, {caption} {quotes[0]}{draw(sentences)}{quotes[1]}")
            expected.append(("soundbite", None, caption))
        elif choice == "standup":
            place = draw(st.sampled_from(PLACES))
            paragraphs.append(f'{correspondent.upper()} {place} "{draw(sentences)}"')
            expected.append(("standup", correspondent, place))
        else:
            paragraphs.append("(BEGIN VIDEOTAPE)")
            expected.append(("direction", None, None))
    signoff = f"{correspondent}, CGTN, Velmora."
    if draw(st.booleans()):
        paragraphs.append(signoff)
    else:
        paragraphs.append(f"{draw(sentences)} {signoff}")
        expected.append(("narration", correspondent, None))
    expected.append(("signoff", correspondent, None))
    topics = draw(st.lists(st.sampled_from(["Energy", "Health", "Économie"]), unique=True))
    seconds = draw(st.integers(0, 3 * 3600))
    head = [json.dumps(topics, ensure_ascii=False), duration_to_text(seconds)]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(["A generated report", *head, *paragraphs]), expected


@FUZZ
@given(generated_transcripts())
def test_generated_transcripts_parse_as_written_and_round_trip(case):
    text, expected = case
    parsed = parse(text)
    assert parsed.warnings == []
    assert len(parsed.segments) == len(expected)
    for segment, (kind, speaker, title) in zip(parsed.segments, expected, strict=True):
        assert segment.kind == kind
        assert segment.speaker_title == title
        if speaker is not None:
            assert segment.speaker == speaker
        if kind == "soundbite":
            assert segment.speaker and not segment.speaker.isupper()
    assert parse(render(parsed)) == parsed


NAME_PIECES = ["Kaem", "KAEM", "Mc", "O'Brien", "Jean-Pierre", "Ab", "x", "9", "_"]
TEXT_PIECES = [" ", "  ", "\n", "\t", "'", "’", ".", ",", "(", "Mr. ", "s", "_", "0", "é", "Kaem"]


@settings(max_examples=500)
@given(st.data())
def test_finding_a_mention_by_substring_agrees_with_the_regular_expression(data):
    """ASCII text takes a fast path; it must find what the pattern for the name finds."""
    from archive.transcripts.names import Names, _mention_regex

    word = st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=2).map("".join)
    words = data.draw(st.lists(word, min_size=1, max_size=3))
    spellings = [" ".join(words), " ".join(words).lower(), " ".join(words).upper(), words[0]]
    corpus = "".join(data.draw(st.lists(st.sampled_from(TEXT_PIECES + spellings), max_size=20)))

    names = Names(corpus)
    expected = [m.group(0) for m in _mention_regex(tuple(words)).finditer(corpus)]
    if corpus.isascii() and all(word.isascii() for word in words):
        assert list(names._ascii_mentions([w.lower() for w in words])) == expected
    if not expected:
        assert names.mention(" ".join(words)) is None
