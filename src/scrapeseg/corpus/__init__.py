"""Corpus stage: segmentation, HTML rendering, benchmark import with silver labels, and the dataset."""
