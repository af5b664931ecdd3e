"""The command line: the only package that prints or sets exit codes.

`main` is the `summarizer` console script; `python -m summarizer.cli` runs it too.
"""

from summarizer.cli.main import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]
