"""A client's quarter derived from the records its CRM already holds: pure code.

Lead and deal exports (HubSpot, Salesforce, Pipedrive or a hand-made file) are read as they
stream in, their columns mapped to the fields Relay needs, and counted into one set of funnel
figures per calendar quarter. Nothing here touches the database, a request or the settings:
the caller opens the file, keeps the mapping, and saves the figures.

    fields   what Relay needs from each export, and what each CRM calls it
    mapping  which column holds which field; which CRM the header looks like
    dates    the date formats exports use, and which one a column is written in
    reader   the file itself: encoding, separator, header, rows, problems by line
    records  rows as typed leads and deals (dates, money, flags, outcomes)
    derive   the figures per quarter, in one pass of constant memory
    pipeline all of it in one call, from uploaded files to quarters
"""
