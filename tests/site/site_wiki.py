"""The wiki the site's tests build: the shared small wiki, Finnish and English articles,
hostile titles, a right-to-left language, a slug that is not IRI-safe."""

from __future__ import annotations

from tests.corpora import SMALL_WIKI, article, graph_of

HOSTILE_IMG = "<img src=x onerror=window.__pwned=1>"
HOSTILE_SCRIPT = "</script><script>window.__pwned=2</script>"

SITE_WIKI = {
    **SMALL_WIKI,
    "fi/backoffice.md": article(
        "takahuone",
        "Yrityksellä on [front office](/frontoffice) ja [keskitoimisto](/middleoffice).\n",
        keywords="Investing,Brokers",
        description="Takahuone on hallinto.",
    ),
    "fi/lease.md": article("vuokrasopimus", "Sopimus vuokrasta. Katso [takahuone](/backoffice).\n"),
    "en/lease.md": article(
        "lease",
        "A lease is a contract. The [back office](/backoffice) keeps the leases.\n",
        keywords="Real Estate",
        description="A contract to rent.",
    ),
    "en/evil.md": article(
        "evil",
        "Links to [back office](/backoffice) and [x](/evil2).\n",
        keywords="Investing",
        description="desc \u2028 line & <b>bold</b>",
    ).replace("title: evil", f"title: '{HOSTILE_IMG}'"),
    "en/evil2.md": article(
        "evil2",
        "Back to [the <i>evil</i> one](/evil) and [odd](/a%22b%7D).\n",
        keywords="<b>kw</b>",
    ).replace("title: evil2", f"title: '{HOSTILE_SCRIPT}'"),
    "ar/lease.md": article("عقد الإيجار", "عقد. انظر [المكتب الخلفي](/backoffice).\n"),
}


def site_graph():
    """The graph of :data:`SITE_WIKI`, parsed in memory."""
    return graph_of(SITE_WIKI)
