"""Reading exports back as a partner would: CSV rows as dictionaries, multi-valued cells split."""

import csv
import io
import re

from cop_kb.exports.columns import SEPARATOR


def read_csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def header_of(response) -> list[str]:
    body = b"".join(response.streaming_content)
    return next(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def values(text: str) -> list[str]:
    """A multi-valued cell split back into its values (``\\|`` is a separator inside a value)."""
    if not text:
        return []
    parts = re.split(rf"(?<!\\)\{SEPARATOR}", text)
    return [part.replace("\\" + SEPARATOR, SEPARATOR).replace("\\\\", "\\") for part in parts]
