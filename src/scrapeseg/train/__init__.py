"""Training stage: metrics and peer-extractor baselines."""
