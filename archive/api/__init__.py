"""The read-only JSON API under /api/v1/ (Django REST Framework + drf-spectacular).

A thin layer over the same ``.public()`` querysets as the pages:

- ``serializers.py``  what each resource looks like on the wire;
- ``filters.py``      the query parameters of the lists, validated (400 on a bad value);
- ``views.py``        the endpoints, cursor-paginated, a fixed number of queries each;
- ``http.py``         problem-details errors (RFC 9457), CORS for GET, Last-Modified;
- ``urls.py``         the routes, the OpenAPI document and its documentation page.
"""
