"""One line per refused request in the logs.

Django logs a 403 (PermissionDenied) and a 400 for a suspicious request (a bad Host header, a
body too large) with the exception's traceback: a dozen lines, the same every time, that
anyone can make Relay write by asking for a page they may not see. A refusal is not a fault
in the code; its path and reason are all there is to know about it.
"""

import logging


def _one_line(text: str) -> str:
    # A path may hold an encoded line break (%0A); written raw it would forge a log line.
    return text.replace("\r", "\\r").replace("\n", "\\n")


class OneLineRefusals(logging.Filter):
    """On the log handler: a record of a 4xx response loses its traceback and gains the
    exception's message as the reason. Errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500:
            return True
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            reason = str(record.exc_info[1]) or type(record.exc_info[1]).__name__
            if reason not in message:
                message = f"{message} ({reason})"
        record.msg, record.args = _one_line(message), ()
        record.exc_info, record.exc_text = None, None
        return True
