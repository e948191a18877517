"""Settings for the whole suite. Hypothesis deadlines are off: CI machines (2 cores, shared) stall now and then,
and a property test should fail on a wrong answer, not on a slow one."""

from hypothesis import settings

settings.register_profile("medc", deadline=None, print_blob=True)
settings.load_profile("medc")
