"""A report's transcript as WebVTT: one cue per timed segment, `<v Speaker>` naming the voice."""

# WebVTT cue text and voice annotations are markup: &, < and > are written as entities.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# A cue needs an end. Where neither the segment, the next cue nor the report's
# duration gives one, the cue lasts as long as its words take to say.
WORDS_PER_SECOND = 2.5
SHORTEST_CUE = 1.0


def _escape(value: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in " ".join(value.split()))


def vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    whole, fraction = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{fraction:03d}"


def cue_end(segment, following_start, report_seconds):
    start = segment.start_seconds
    for end in (segment.end_seconds, following_start, report_seconds):
        if end is not None and end > start:
            return end
    return start + max(SHORTEST_CUE, len(segment.text.split()) / WORDS_PER_SECOND)


def to_webvtt(segments, *, duration=None) -> str:
    """WebVTT of the segments that have a start time, in order; the others have no cue."""
    timed = [segment for segment in segments if segment.start_seconds is not None]
    report_seconds = duration.total_seconds() if duration else None
    blocks = ["WEBVTT"]
    if not timed:
        blocks.append("NOTE This transcript has no timecodes.")
    for index, segment in enumerate(timed):
        following = timed[index + 1].start_seconds if index + 1 < len(timed) else None
        end = cue_end(segment, following, report_seconds)
        text = _escape(segment.text)
        if segment.kind == "direction":
            text = f"({text})"
        elif segment.speaker is not None:
            text = f"<v {_escape(segment.speaker.name)}>{text}"
        timing = f"{vtt_time(segment.start_seconds)} --> {vtt_time(end)}"
        blocks.append(f"segment-{segment.position}\n{timing}\n{text}")
    return "\n\n".join(blocks) + "\n"
