"""Header lines (Aired:, Outlet:, Programme:, Language:, Source:, Media:) and timecodes
in the text format: reading, refusing, and writing them back (archive.transcripts)."""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.transcripts import TranscriptError, parse, render
from archive.transcripts.timecodes import timecode_text

HEAD = ("A title", "[]", "02:00")
BODY = ("The studio intro. CGTN's Ann Lee reports.", "Words of the report. Ann Lee, CGTN, Paris.")


def transcript(*header_lines, body=BODY):
    return "\n".join([*HEAD, *header_lines, *body]) + "\n"


@pytest.mark.parametrize(
    "line, field, value",
    [
        ("Aired: 2018-06-07", "aired_at", "2018-06-07"),
        ("Aired: 2018-06-07 19:30", "aired_at", "2018-06-07T19:30"),
        ("Aired: 2018-06-07T19:30+08:00", "aired_at", "2018-06-07T19:30+08:00"),
        ("Aired: 2018-06-07T19:30:15Z", "aired_at", "2018-06-07T19:30:15+00:00"),
        ("Outlet: China Global Television Network", "outlet", "China Global Television Network"),
        ("Programme: Global Business", "programme", "Global Business"),
        ("Language: en-gb", "language", "en-GB"),
        ("Language: zh-Hans", "language", "zh-Hans"),
        (
            "Source: https://example.org/transcript?id=1",
            "source_url",
            "https://example.org/transcript?id=1",
        ),
        ("Media: http://media.example/report.mp4", "media_url", "http://media.example/report.mp4"),
    ],
)
def test_each_header_line_fills_its_field(line, field, value):
    parsed = parse(transcript(line))
    assert getattr(parsed, field) == value
    assert parsed.as_dict()[field] == value
    assert [segment.kind for segment in parsed.segments] == ["intro", "narration", "signoff"]


def test_without_header_lines_nothing_is_invented():
    parsed = parse(transcript())
    assert (parsed.aired_at, parsed.programme, parsed.language) == (None, None, None)
    assert (parsed.source_url, parsed.media_url) == (None, None)
    assert parsed.outlet == "CGTN"  # from the sign-off, as before


def test_all_header_lines_together_in_any_order():
    parsed = parse(
        transcript(
            "Media: https://media.example/r.mp3",
            "Programme: Global Business",
            "Aired: 2018-06-07",
            "Language: en",
        )
    )
    assert (parsed.media_url, parsed.programme, parsed.aired_at, parsed.language) == (
        "https://media.example/r.mp3",
        "Global Business",
        "2018-06-07",
        "en",
    )


@pytest.mark.parametrize(
    "lines, line_number, reason",
    [
        (["Aired: 7 June 2018"], 4, "Aired: '7 June 2018' is not a date"),
        (["Aired: 2018-02-30"], 4, "Aired: '2018-02-30' is not a date (day is out of range"),
        (["Aired: 2018-06-07 25:00"], 4, "is not a date (hour must be in 0..23)"),
        (["Aired: 2018-06-07T19:30+19:00"], 4, "the UTC offset is beyond ±18:00"),
        (["Aired: 2018-06-07+08:00"], 4, "is not a date"),
        (["Source: ftp://example.org/t.txt"], 4, "is not an http or https URL"),
        (["Media: javascript:alert(1)"], 4, "is not an http or https URL"),
        (["Media: https://exa mple.org/a.mp4"], 4, "is not an http or https URL"),
        (["Language: english"], 4, "is not a BCP 47 tag"),
        (["Programme:"], 4, "has no value"),
        (["Aired: 2018-06-07", "Aired: 2018-06-08"], 5, "is given twice"),
        (["Aired: 2018-06-07", "Airdate: 2018-06-08"], 5, "unknown header line 'Airdate'"),
        (["Programme: X", "Channel: CGTN"], 5, "unknown header line 'Channel'"),
        (["AIRED: 2018-06-07"], 4, "header key 'AIRED' must be written 'Aired'"),
        (["Aired: 2018-06-07", "media: https://x.example/a.mp3"], 5, "must be written 'Media'"),
    ],
)
def test_bad_header_lines_are_refused_with_their_line(lines, line_number, reason):
    with pytest.raises(TranscriptError) as refused:
        parse(transcript(*lines))
    assert refused.value.line == line_number
    assert reason in refused.value.reason
    assert "\n" not in str(refused.value)


def test_a_name_colon_cue_is_a_cue_not_a_header():
    parsed = parse(transcript(body=("MARTIN: Makes sense.", "Then the report goes on.")))
    assert parsed.aired_at is None
    assert parsed.segments[0].text == "Makes sense."
    assert parsed.segments[0].speaker == "Martin"


def test_a_mixed_case_cue_first_is_a_paragraph_not_a_refused_header():
    # Not in the vocabulary and no header line before it: the words are the report's.
    parsed = parse(transcript(body=("Martin: Makes sense.", "Then the report goes on.")))
    assert parsed.segments[0].line == 4
    assert "Makes sense." in parsed.segments[0].text


def test_a_cue_after_the_header_lines_is_the_first_paragraph():
    parsed = parse(transcript("Aired: 2018-06-07", body=("MARTIN: Makes sense.", "More words.")))
    assert parsed.aired_at == "2018-06-07"
    assert (parsed.segments[0].speaker, parsed.segments[0].text) == ("Martin", "Makes sense.")


def test_a_header_line_further_down_is_a_paragraph():
    parsed = parse(transcript(body=("The intro.", "Aired: 2018-06-07", "Ann Lee, CGTN, Paris.")))
    assert parsed.aired_at is None
    assert "Aired: 2018-06-07" in [segment.text for segment in parsed.segments]


def test_header_lines_need_a_paragraph_after_them():
    with pytest.raises(TranscriptError, match="followed by no paragraph"):
        parse("\n".join([*HEAD, "Aired: 2018-06-07"]))


def test_the_outlet_line_outranks_the_sign_off():
    assert parse(transcript("Outlet: CGTN America")).outlet == "CGTN America"


# --- timecodes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, start, end, rest",
    [
        ("[0:01:42] Words.", 102.0, None, "Words."),
        ("[0:01:42.500] Words.", 102.5, None, "Words."),
        ("[0:01:42.5 --> 0:01:50.25] Words.", 102.5, 110.25, "Words."),
        ("[1:00:00] Words.", 3600.0, None, "Words."),
        ("Words [0:01:42] later.", None, None, "Words [0:01:42] later."),
        ("[0:61:00] Not a time.", None, None, "[0:61:00] Not a time."),
    ],
)
def test_canonical_timecode_prefixes(text, start, end, rest):
    parsed = parse(transcript(body=("The studio intro. CGTN's Ann Lee reports.", text)))
    timed = parsed.segments[1]
    assert (timed.start_seconds, timed.end_seconds, timed.text) == (start, end, rest)


@pytest.mark.parametrize(
    "seconds, text", [(0, "0:00:00"), (102.5, "0:01:42.500"), (3723.004, "1:02:03.004")]
)
def test_timecodes_are_written_to_the_millisecond(seconds, text):
    assert timecode_text(seconds, None) == f"[{text}]"
    parsed = parse(transcript(body=("The studio intro. CGTN's Ann Lee reports.", f"[{text}] x")))
    assert parsed.segments[1].start_seconds == round(seconds, 3)


def test_a_timecode_prefix_times_its_segment_and_is_not_text():
    parsed = parse(
        transcript(
            body=(
                "[0:00:00] The studio intro. CGTN's Ann Lee reports.",
                '[0:00:07.250 --> 0:00:12] KIRIL KAEM, VICE PRESIDENT "We want investors."',
                "Untimed words. Ann Lee, CGTN, Paris.",
            )
        )
    )
    timed = [(s.kind, s.start_seconds, s.end_seconds, s.text) for s in parsed.segments]
    assert timed[:3] == [
        ("intro", 0.0, None, "The studio intro. CGTN's Ann Lee reports."),
        ("soundbite", 7.25, 12.0, "We want investors."),
        ("narration", None, None, "Untimed words."),
    ]
    assert parsed.as_dict()["segments"][1]["start_seconds"] == 7.25
    assert parsed.as_dict()["segments"][1]["end_seconds"] == 12.0


def test_a_timecode_alone_on_its_line_times_the_next_paragraph():
    parsed = parse(transcript(body=("[0:00:03]", "The intro.", "Words. Ann Lee, CGTN, Paris.")))
    assert parsed.segments[0].start_seconds == 3.0
    assert parsed.segments[1].start_seconds is None


# --- writing them back ------------------------------------------------------------


def test_render_writes_header_lines_after_the_duration_and_timecodes_as_prefixes():
    parsed = parse(transcript("Aired: 2018-06-07T19:30+08:00", "Programme: Global Business"))
    timed = dataclasses.replace(
        parsed,
        segments=[
            dataclasses.replace(segment, start_seconds=index * 10.5, end_seconds=index * 10.5 + 4)
            for index, segment in enumerate(parsed.segments)
        ],
    )
    text = render(timed)
    lines = text.splitlines()
    assert lines[3:6] == [
        "Aired: 2018-06-07T19:30+08:00",
        "Outlet: CGTN",
        "Programme: Global Business",
    ]
    assert lines[6].startswith("[0:00:00 --> 0:00:04] The studio intro.")
    assert parse(text) == timed


times = st.floats(min_value=0, max_value=5 * 3600, allow_nan=False).map(lambda s: round(s, 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    starts=st.lists(st.one_of(st.none(), times), min_size=3, max_size=3),
    lengths=st.lists(st.one_of(st.none(), times), min_size=3, max_size=3),
    aired=st.sampled_from([None, "2018-06-07", "2018-06-07T19:30", "2018-06-07T19:30-05:00"]),
    language=st.sampled_from([None, "en", "zh-Hans", "pt-BR"]),
    media=st.sampled_from([None, "https://media.example/r.mp4", "http://a.example/page?x=1"]),
)
def test_parse_of_render_gives_the_same_parse_times_and_header_included(
    starts, lengths, aired, language, media
):
    parsed = parse(transcript())
    segments = []
    for segment, start, length in zip(parsed.segments, starts, lengths, strict=True):
        end = None if start is None or length is None else round(start + length, 3)
        segments.append(dataclasses.replace(segment, start_seconds=start, end_seconds=end))
    original = dataclasses.replace(
        parsed, segments=segments, aired_at=aired, language=language, media_url=media
    )
    assert parse(render(original)) == original
