"""The knowledge base: documents split into passages, one search over them and the whole registry.

Documents (declarations, work plans, reports, news, articles) keep their text as passages with
their position (paragraph number and character offsets), so an answer can cite where it comes
from. The search index (``search_entries``) is derived data: providers turn documents, passages
and registry records into entries, and it is kept in step with every committed write (the
``wiring`` session hook calls :func:`ascc.knowledge.index.sync`) or rebuilt by ``ascc search
reindex``. Answers are extractive only: passages quoted as they are, never generated text.
"""
