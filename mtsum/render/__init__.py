"""Output formats of the result dataclasses and reports, written once for the CLI and the library.

``json`` (one object per line, or one indented document), ``documents`` (a translation,
summary, cleaning or detection as text, Markdown or JSON, in chunks a sink can stream) and
``reports`` (the text tables of ``mtsum models``, ``cache``, ``eval`` and ``doctor``).
Renderers return strings; printing them is the caller's job. Nothing here imports click
or a model library. The digest's pages (Jinja2) live in ``mtsum.digest.render``: they
render the digest's own records, and use ``json`` from here for digest.json.
"""
