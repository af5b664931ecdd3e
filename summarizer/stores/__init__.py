"""The SQLite stores, both on one plumbing (`responses.ResponseStore`: WAL, busy timeout,
one connection per thread and process, errors that name the file):

- `responses`: model responses keyed by the request that decides them, for record/replay;
- `summaries`: finished summaries keyed by the article and the settings (the `--cache`).
"""
