"""A test Hub: a real HTTP server that speaks the subset of the Hugging Face Hub's API the real `huggingface_hub`
client and `datasets` use to create, gate and list repos, upload (preupload, LFS batch + basic transfer, NDJSON
commit), open and merge pull requests, and download (resolve, with HTTP ranges). It refuses what the Hub refuses:
metadata outside the Hub's vocabularies (400 `Invalid metadata in README.md`), missing or unknown tokens (401),
writes without the rights (403), private repos to others (404), gated files to others (403).

    state.py        repos, refs, commits, LFS objects, pull requests, tokens; fault injection and pauses
    metadata.py     the README.md metadata check
    repo_routes.py  repo endpoints; file_routes.py: upload, commit, download endpoints
    server.py       the HTTP plumbing and the `fake_hub` fixture
"""

from tests.hub.server import HubContext, fake_hub
from tests.hub.state import OTHER_TOKEN, READ_TOKEN, TOKEN, FakeHub

__all__ = ["OTHER_TOKEN", "READ_TOKEN", "TOKEN", "FakeHub", "HubContext", "fake_hub"]
