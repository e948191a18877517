import gzip
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from medc.sources import InputError, InputWalker, logical_name, read_units

xml = lambda name: name.endswith(".xml")  # noqa: E731


def read(walker, **kw):
    """Walk (coordinator side) then read (worker side): the units a builder would get."""
    return [unit for _, unit, _ in read_units(list(walker), walker.max_unit_bytes, **kw)]


def make_tar(path, members, mode="w:gz"):
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_directory_walk_is_sorted_recursive_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.xml").write_bytes(b"A")
    (tmp_path / "b" / "c.xml").write_bytes(b"C")
    (tmp_path / "b" / "img.jpg").write_bytes(b"J")
    (tmp_path / ".hidden.xml").write_bytes(b"H")
    walker = InputWalker([str(tmp_path)], xml)
    units = read(walker)
    # Origins start with the input's name, not its local path (medc/origins.py).
    assert [u.origin for u in units] == [f"{tmp_path.name}/a.xml", f"{tmp_path.name}/b/c.xml"]
    assert [u.data for u in units] == [b"A", b"C"]
    (stats,) = walker.stats
    assert (stats.kind, stats.files, stats.ignored) == ("directory", 2, 1)  # sizes: from the workers


def test_the_walker_lists_and_stats_without_reading(tmp_path):
    (tmp_path / "a.xml").write_bytes(b"AAAA")
    (ref,) = InputWalker([str(tmp_path)], xml)
    assert (ref.path, ref.size, ref.stamp, ref.data, ref.index) == (str(tmp_path / "a.xml"), -1, "", None, 0)
    ((read_ref, _, _),) = read_units([ref], 100)  # the worker stats what it opens, for the journal
    assert (read_ref.size, read_ref.stamp) == (4, str((tmp_path / "a.xml").stat().st_mtime_ns))
    (tmp_path / "a.xml").unlink()  # gone before a worker reads it: a rejection, not a crash
    ((_, unit, sha256),) = read_units([ref], 100)
    assert (unit.problem, sha256) == ("unreadable", "")


def test_tar_members_stream_with_archive_origin_and_hash(tmp_path):
    archive = tmp_path / "oa_comm_xml.incr.2024-01-01.tar.gz"
    make_tar(
        archive,
        {
            "PMC001xxxxxx/PMC1.xml": b"one",
            "PMC001xxxxxx/fig.jpg": b"img",
            "PMC001xxxxxx/PMC2.xml.gz": gzip.compress(b"two"),
        },
    )
    walker = InputWalker([str(archive)], xml)
    units = read(walker)
    assert [(u.origin, u.data) for u in units] == [
        (f"{archive.name}::PMC001xxxxxx/PMC1.xml", b"one"),
        (f"{archive.name}::PMC001xxxxxx/PMC2.xml.gz", b"two"),
    ]
    assert walker.stats[0].sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert walker.stats[0].ignored == 1


def test_zip_members(tmp_path):
    archive = tmp_path / "books.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("b.xml", b"B")
        zf.writestr("a.xml", b"A")
    units = read(InputWalker([str(archive)], xml))
    assert [u.origin.split("::")[1] for u in units] == ["a.xml", "b.xml"]
    assert units[0].data == b"A"


def test_gzip_file_is_offered_by_its_logical_name(tmp_path):
    (tmp_path / "PMC9.xml.gz").write_bytes(gzip.compress(b"<article/>"))
    (unit,) = read(InputWalker([str(tmp_path / "PMC9.xml.gz")], xml))
    assert unit.data == b"<article/>"
    assert logical_name("PMC9.xml.gz") == "PMC9.xml"
    assert logical_name("pkg.tar.gz") == "pkg.tar.gz"


def test_truncated_archive_keeps_what_was_read_and_reports_the_rest(tmp_path):
    archive = tmp_path / "cut.tar.gz"
    make_tar(archive, {f"m{i}.xml": (b"x" * 5000) + bytes([i]) for i in range(20)}, mode="w:gz")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    units = read(InputWalker([str(archive)], xml))
    good = [u for u in units if not u.problem]
    assert good and all(u.data.startswith(b"xxxx") for u in good)
    assert units[-1].problem == "corrupt_archive" and units[-1].origin == archive.name


def test_corrupt_gzip_member_is_a_problem_unit(tmp_path):
    (tmp_path / "bad.xml.gz").write_bytes(b"\x1f\x8bnot really gzip")
    (unit,) = read(InputWalker([str(tmp_path)], xml))
    assert unit.problem == "corrupt_gzip"


def test_glob_and_missing_input(tmp_path):
    for name in ("x1.xml", "x2.xml", "y.xml"):
        (tmp_path / name).write_bytes(b"1")
    units = list(InputWalker([str(tmp_path / "x*.xml")], xml))  # refs name their files
    assert [u.origin.rsplit("/", 1)[-1] for u in units] == ["x1.xml", "x2.xml"]
    with pytest.raises(InputError, match="no such file"):
        list(InputWalker([str(tmp_path / "nope")], xml))


def test_oversized_unit_is_refused(tmp_path):
    (tmp_path / "big.xml").write_bytes(b"x" * 100)
    (unit,) = read(InputWalker([str(tmp_path)], xml, max_unit_bytes=10))
    assert unit.problem == "too_large" and unit.data == b""
    (tmp_path / "big.xml").unlink()
    (tmp_path / "bomb.xml.gz").write_bytes(gzip.compress(b"x" * 100))  # small on disk, too large unpacked
    (unit,) = read(InputWalker([str(tmp_path)], xml, max_unit_bytes=10))
    assert unit.problem == "too_large"


def test_local_url_goes_through_fsspec(tmp_path):
    (tmp_path / "PMC1.1").mkdir()
    (tmp_path / "PMC1.1" / "PMC1.1.xml").write_bytes(b"<a/>")
    (tmp_path / "PMC1.1" / "PMC1.1.json").write_bytes(b"{}")
    walker = InputWalker([f"memory://{tmp_path}"], xml)  # any fsspec filesystem walks the same way
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe(f"{tmp_path}/PMC1.1/PMC1.1.xml", b"<a/>")
    fs.pipe(f"{tmp_path}/PMC1.1/PMC1.1.json", b"{}")
    units = read(walker)
    assert [u.data for u in units] == [b"<a/>"]
    assert units[0].origin.endswith("PMC1.1/PMC1.1.xml") and units[0].origin.startswith("memory://")
    assert walker.stats[0].ignored == 1


def test_sidecars_travel_with_their_unit(tmp_path):
    # PMC Cloud Service layout: PMC1.1/PMC1.1.xml with its metadata PMC1.1/PMC1.1.json beside it.
    folder = tmp_path / "PMC1.1"
    folder.mkdir()
    (folder / "PMC1.1.xml").write_bytes(b"<article/>")
    (folder / "PMC1.1.json").write_bytes(b'{"is_retracted": true}')
    (tmp_path / "PMC2.xml").write_bytes(b"<article/>")

    def json_beside(name: str) -> list[str]:
        return [name.rsplit(".", 1)[0] + ".json"]

    walker = InputWalker([str(tmp_path)], accept=lambda n: n.endswith(".xml"), sidecars=json_beside)
    units = {Path(u.origin).name: u for u in read(walker, sidecars=json_beside)}
    assert units["PMC1.1.xml"].sidecars == {"PMC1.1.json": b'{"is_retracted": true}'}
    assert units["PMC2.xml"].sidecars == {}
