"""Text shapes every stage shares: paragraphs (:mod:`~mtsum.text.segment`) and the one
sentence splitter (:mod:`~mtsum.text.sentences`, its word lists in ``_sentence_words``)."""
