import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.sampler import MixtureSampler, holdout_documents


def test_paper_mix_is_exact_on_every_prefix():
    items = {"books": np.arange(7), "papers": np.arange(50), "general": np.arange(1000)}
    sampler = MixtureSampler(items, {"books": 15, "papers": 4, "general": 1}, seed=0)
    counts = dict.fromkeys(items, 0)
    for n in range(1, 2001):
        name, _ = next(sampler)
        counts[name] += 1
        for source, share in (("books", 0.75), ("papers", 0.2), ("general", 0.05)):
            assert abs(counts[source] - share * n) <= 1, (n, counts)
    assert sampler.state_dict() == {"drawn": 2000, "taken": {"books": 1500, "papers": 400, "general": 100}}


@settings(max_examples=60, deadline=None)
@given(weights=st.lists(st.floats(0.01, 100), min_size=1, max_size=5), draws=st.integers(1, 500))
def test_any_weights_are_honoured_within_one_item(weights, draws):
    names = [f"s{i}" for i in range(len(weights))]
    sampler = MixtureSampler({n: np.arange(3) for n in names}, dict(zip(names, weights, strict=True)), seed=1)
    for _ in range(draws):
        next(sampler)
    total = sum(weights)
    bound = 1 - 1 / (2 * len(weights) - 2) if len(weights) > 1 else 0
    for name, w in zip(names, weights, strict=True):
        assert abs(sampler.taken[name] - w / total * draws) <= bound + 1e-9


def test_five_sources_with_tiny_weights_stay_within_one_item_on_every_prefix():
    weights = {"a": 79.0, "b": 79.0, "c": 79.0, "d": 0.375, "e": 0.375}  # drifted past 1 under largest-deficit
    sampler = MixtureSampler({n: np.arange(3) for n in weights}, weights, seed=1)
    total = sum(weights.values())
    for drawn in range(1, 1000):
        next(sampler)
        assert all(abs(sampler.taken[n] - w / total * drawn) <= 7 / 8 + 1e-9 for n, w in weights.items())


def test_each_pass_is_a_fresh_permutation_of_all_items():
    sampler = MixtureSampler({"a": np.arange(10, 20)}, {"a": 1}, seed=3)
    first, second = [next(sampler)[1] for _ in range(10)], [next(sampler)[1] for _ in range(10)]
    assert sorted(first) == sorted(second) == list(range(10, 20))
    assert first != second


def test_restored_state_continues_the_same_sequence():
    items = {"a": np.arange(13), "b": np.arange(5)}
    reference = MixtureSampler(items, {"a": 2, "b": 1}, seed=7)
    expected = [next(reference) for _ in range(60)]
    first = MixtureSampler(items, {"a": 2, "b": 1}, seed=7)
    head = [next(first) for _ in range(23)]
    resumed = MixtureSampler(items, {"a": 2, "b": 1}, seed=7)
    resumed.load_state_dict(first.state_dict())
    assert head + [next(resumed) for _ in range(37)] == expected


def test_holdout_takes_whole_random_documents_until_the_target_and_at_most_a_tenth():
    lens = np.full(100, 50)
    held = holdout_documents(lens, target_tokens=120, seed=0, name="papers")
    assert len(held) == 3 and held.tolist() == sorted(held.tolist())  # 3 x 50 tokens reach 120
    assert holdout_documents(lens, 120, seed=0, name="papers").tolist() == held.tolist()
    assert holdout_documents(lens, 120, seed=1, name="papers").tolist() != held.tolist()
    assert len(holdout_documents(lens, 10**6, seed=0, name="papers")) == 10  # capped at a tenth
    assert holdout_documents(np.full(5, 50), 120, seed=0, name="books").tolist() == []
