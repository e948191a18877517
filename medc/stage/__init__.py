"""The parse half of a build: units reach workers in batches, workers stage parts, the coordinator journals.

`batch` is the worker side (`run_batch`), `schedule` the coordinator's ordered window with bisection on failure,
`run` the wiring of one source (walk → skip what is journaled → batches → schedule → journal), `digest` the
manifest's per-input digests.
"""
