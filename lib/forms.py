"""Form helpers every app uses: binding a form to a POST, names kept on one line and
compared the way the database does, and the upload field of the CSV imports."""

import re

from django import forms
from django.db.models import Value
from django.db.models.functions import Lower
from django.http import HttpRequest

from lib.csv import MAX_CSV_BYTES

# No name has control characters, and names travel where they break things: a line break in an
# email subject is refused by Django's mailer, and gunicorn refuses any control character in a
# header (the download names of reports and exports carry the client's name).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def submitted(request: HttpRequest) -> dict:
    """What a form binds to: the POST body and files on any POST, even an empty one (so that
    the form says what is missing), and nothing on a GET (an unbound form). Use as
    `SomeForm(**submitted(request), ...)`. Django's idiom `request.POST or None` would treat
    an empty POST as no submission and show the blank form without a word."""
    if request.method != "POST":
        return {}
    return {"data": request.POST, "files": request.FILES}


def one_line(text: str) -> str:
    """A name as stored: on one line, each run of whitespace (line breaks and tabs too) one
    space. Raises ValidationError when control characters remain."""
    text = " ".join(text.split())
    if CONTROL_CHARACTERS.search(text):
        raise forms.ValidationError(
            "Remove the invisible control characters (they come with text pasted from some "
            "programs)."
        )
    return text


def same_name(rows, name: str):
    """The rows named `name` ignoring case as the unique constraints on Lower("name") compare
    names. name__iexact compares UPPER() on PostgreSQL, which holds a few letters apart that
    LOWER() holds equal (the Kelvin sign U+212A and "k"): the constraint would then refuse
    what the form let through."""
    return rows.alias(lower_name=Lower("name")).filter(lower_name=Lower(Value(name)))


def csv_file_field(help_text: str) -> forms.FileField:
    return forms.FileField(label="CSV file", help_text=help_text)


class CsvUploadForm(forms.Form):
    """A CSV file to import; subclasses declare `file` with their own help text."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload
