"""scrapeseg: segment scraped news pages into paragraphs and label them body, teaser or boilerplate."""

__version__ = "0.1.0"


def load_model(path=None):
    """Load a saved segment classifier, checking its sha256 and scikit-learn version first."""
    from scrapeseg.train.saved import load_model as _load

    return _load(path)
