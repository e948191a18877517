"""Publishing a build: its dataset card, checks, the licence guard, the push to the Hub, and inspection.

One module per stage, in the order a build goes through them:

    facts.py      what a build holds (manifest.json, Parquet footers, the card), locally or on the Hub
    card.py       README.md: the YAML metadata the Hub and `datasets` read, and the body (sections.py)
    validate.py   the card against the files and the Hub's vocabularies (vocabulary.py), and the Hub's validator
    licences.py   licence facts, and what may not be redistributed openly; guard.py: refuse, or gate
    plan.py       what differs from the Hub; commit.py: upload everything, then move the branch once
    push.py       the whole push (`medc push`); retry.py: backoff on 429, 5xx and dropped connections
    inspect.py    what a build or a Hub dataset holds (`medc inspect`)

Nothing here is imported by `medc --help`; heavy libraries (pyarrow, datasets, huggingface_hub) load with the
stage that needs them.
"""
