import subprocess
import sys

import numpy as np
import pytest
import xxhash

from medc.dedup import DedupConfig
from medc.dedup.bands import band_entries, band_keys, lsh_params, lsh_shape, split_by_partition
from medc.dedup.minhash import as_lean_minhash


def test_the_default_is_16_bands_of_8_rows_as_datasketch_picks():
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128, weights=(0.05, 0.95))
    assert lsh_shape(DedupConfig()) == (lsh.b, lsh.r) == (16, 8)


@pytest.mark.parametrize("num_perm", [16, 64, 128])
def test_bands_and_rows_are_datasketchs_choice_without_scipy(num_perm):
    from datasketch.lsh import _optimal_param

    for threshold in (0.3, 0.5, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        for weight in (0.5, 0.8, 0.95, 0.99):
            want = _optimal_param(threshold, num_perm, 1.0 - weight, weight)
            assert lsh_params(threshold, num_perm, weight) == want, (threshold, weight)


def test_band_keys_are_the_bucket_keys_of_datasketchs_index():
    from datasketch import MinHashLSH

    rng = np.random.default_rng(0)
    signatures = rng.integers(0, 2**32, size=(3, 128), dtype=np.uint64).astype(np.uint32)
    lsh = MinHashLSH(threshold=0.8, num_perm=128, weights=(0.05, 0.95), hashfunc=xxhash.xxh64_digest)
    for row, signature in enumerate(signatures):
        lsh.insert(row, as_lean_minhash(signature, seed=1))
    keys = band_keys(signatures, 16, 8)
    for band, table in enumerate(lsh.hashtables):
        assert {int.from_bytes(k, "big") for k in table} == set(keys[:, band].tolist())


def test_entries_are_grouped_by_partition():
    keys = np.arange(12, dtype=np.uint64).reshape(4, 3) * np.uint64(7)
    groups = split_by_partition(band_entries(keys), 5)
    assert sum(len(g) for g in groups) == 12
    for p, chunk in enumerate(groups):
        assert (chunk["key"] % 5 == p).all()
        assert (keys[chunk["row"], chunk["band"]] == chunk["key"]).all()


def test_a_build_imports_neither_datasketch_nor_scipy():
    # `datasketch.lsh` pulls in scipy: 1.2 s of every build's start-up (issue 16)
    code = "import sys, medc.dedup, medc.finalize; print(sorted({'datasketch', 'scipy'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
