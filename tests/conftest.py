"""Settings for the whole suite. Hypothesis deadlines are off: CI machines (2 cores, shared) stall now and then,
and a property test should fail on a wrong answer, not on a slow one. `MEDC_HYPOTHESIS=thorough` (`make
test-thorough`) runs every property test with 20x the examples, to shake out rare counterexamples."""

import os
import tempfile

from hypothesis import settings

# Caches the code keeps between runs (the unpacked language model, ~70 MB) go to one folder under the system's
# temporary directory, reused by every test session, not to the user's ~/.cache.
os.environ.setdefault("MEDC_CACHE_DIR", os.path.join(tempfile.gettempdir(), "medc-test-cache"))

settings.register_profile("medc", deadline=None, print_blob=True)
settings.register_profile("thorough", settings.get_profile("medc"), max_examples=2000)
settings.load_profile(os.environ.get("MEDC_HYPOTHESIS", "medc"))
