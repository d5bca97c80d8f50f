"""What a report's broadcast gives the public pages, beyond the transcript itself.

media.py        the recording: whether the browser can play it, timecodes, `#t=` links
captions.py     the transcript as WebVTT, with `<v Speaker>` voice tags
linked_data.py  schema.org JSON-LD and Dublin Core / `citation_*` meta tags per page

Pure functions over model instances and absolute URLs; the views choose the
objects (always through the `.public()` querysets) and these only describe them.
"""
