"""A browsable concept site from the graph: static, offline, linked data, a quality dashboard.

:func:`write_site` writes it (``kg site`` on the command line). The modules, each one job:

- :mod:`~kg.site.context`: the graph and options, each node's label and page, made once;
- :mod:`~kg.site.concept`, :mod:`~kg.site.indexes`, :mod:`~kg.site.dashboard`: what each
  page shows; :mod:`~kg.site.evidence` marks a link's words in its sentence,
  :mod:`~kg.site.ego` lays out a concept's small graph, :mod:`~kg.site.related` finds what
  to read next for every concept at once, :mod:`~kg.site.charts` draws bar charts as SVG;
- :mod:`~kg.site.linked_data`: each concept's Turtle and JSON-LD;
- :mod:`~kg.site.search`: the search index files; :mod:`~kg.site.collation`: A–Z order;
- :mod:`~kg.site.render`: the Jinja2 templates; :mod:`~kg.site.display`: languages and
  directions; :mod:`~kg.site.urls`: where files go and how pages link;
- :mod:`~kg.site.summary`: the figures kept for the next build; :mod:`~kg.site.write`:
  writing it all, only what changed.
"""

from __future__ import annotations

from kg.site.write import SiteResult, write_site

__all__ = ["SiteResult", "write_site"]
