"""Public pages. reading: the guidelines as published; changes: editions and what changed."""
