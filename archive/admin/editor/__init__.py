"""The transcript editor on the report page (the report's admin change form).

It owns how the segments are laid out and edited there, and the editor's
actions on them, each a single revision:

layout.py      the segment inline as the transcript reads, and the report form's additions
alignment.py   where a quote's words sit in a segment's text, and the word-level difference
operations.py  split a segment, merge one into the previous, insert one, quote selected words,
               and bring a flagged quote back in line (or remove it)
views.py       the admin views that post those actions, and the flagged-quotes panel
"""
