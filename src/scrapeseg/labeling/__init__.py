"""Label Studio: labelling project, push of documents with predictions, pull of human labels."""
