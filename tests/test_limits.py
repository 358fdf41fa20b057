"""The guards of app/limits.py and the progress protocol of app/progress.py, on their own.

(Each reader's use of them is tested with the reader: tests/plan_import/test_reader_limits.py,
tests/services/progress/test_sheet_limits.py.)"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from app import limits
from app.limits import LimitExceeded, PackageLimits, check_package
from app.progress import part, report
from tests.zipcraft import understate

SMALL = PackageLimits("测试包", max_entries=10, max_unpacked=3 << 20, max_part=1 << 20)


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _noise(size: int, seed: int = 1) -> bytes:
    """Text that deflates about 2 times: neither a bomb nor small."""
    alphabet = b"abcdefghijklmnop<>/= "
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return random.Random(seed).randbytes(size).translate(table)


def _refused(data: bytes, *expected: str, limits_: PackageLimits = SMALL) -> str:
    with pytest.raises(LimitExceeded) as raised:
        check_package(data, "包.zip", limits_)
    for text in expected:
        assert text in raised.value.message, raised.value.message
    return raised.value.message


def test_a_package_within_its_limits_passes_and_reports_progress() -> None:
    data = _zip({"a.xml": _noise(200_000), "b.xml": b"<b/>"})
    seen: list[tuple[int, int]] = []
    check_package(data, "包.zip", SMALL, lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] <= seen[-1][1] == len(data)


def test_each_limit_is_named_with_the_file_and_its_size() -> None:
    _refused(_zip({f"p{i}": b"" for i in range(11)}), "包.zip", "11 个组成部分", "上限 10 个")
    _refused(_zip({"big.xml": _noise(1_100_000)}), "“big.xml”解压后为 1 MB", "上限 1 MB")
    parts = {f"p{i}.xml": _noise(900_000, seed=i) for i in range(4)}
    _refused(_zip(parts), "解压后为 3.4 MB", "上限 3 MB")


def test_a_part_that_lies_about_its_size_is_measured() -> None:
    """Declared 100 bytes, really 1.1 MB of ordinary text: stopped just past the 1 MB cap."""
    data = understate(_zip({"big.xml": _noise(1_100_000)}), "big.xml", 100)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("big.xml").file_size == 100
    _refused(data, "“big.xml”解压后超过", "上限 1 MB")


def test_parts_that_lie_together_are_measured_against_the_total() -> None:
    parts = {f"p{i}.xml": _noise(900_000, seed=i) for i in range(4)}
    data = _zip(parts)
    for name in parts:
        data = understate(data, name, 10)
    _refused(data, "解压后超过", "上限 3 MB")


def test_a_stored_part_counts_as_its_bytes() -> None:
    data = understate(_zip({"big.bin": _noise(1_100_000)}, zipfile.ZIP_STORED), "big.bin", 10)
    _refused(data, "“big.bin”解压后超过")


def test_the_ratio_is_checked_only_above_the_floor() -> None:
    generous = PackageLimits("测试包", 10, 100 << 20, 100 << 20)
    check_package(_zip({"zeros": bytes(limits.RATIO_FLOOR)}), "包.zip", generous)
    bomb = _zip({"zeros": bytes(limits.RATIO_FLOOR + 1)})
    _refused(bomb, "压缩比异常", "上限 200 倍", limits_=generous)


def test_a_damaged_zip_is_not_called_a_limit() -> None:
    data = bytearray(_zip({"a.xml": _noise(100_000)}))
    data[40:400] = bytes(360)  # inside the deflate stream
    with pytest.raises(zipfile.BadZipFile):
        check_package(bytes(data), "包.zip", SMALL)


def test_reading_never_takes_more_than_the_limit_from_an_endless_file() -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(LimitExceeded, match="超过测试文件的上限 1 MB"):
        limits.read_bytes_limited(zero, 1 << 20, "测试文件")


def test_sizes_and_counts_read_as_people_say_them() -> None:
    assert [limits.size_text(n) for n in (0, 1023, 1024, 2_800_000, 100 << 20, 1 << 30)] == [
        "0 字节",
        "1023 字节",
        "1 KB",
        "2.7 MB",
        "100 MB",
        "1 GB",
    ]
    assert limits.count_text(500_002) == "500,002"
    assert limits.unlisted_errors_note({"甲.xlsx": 0}) == ""
    assert limits.unlisted_errors_note({"甲.xlsx": 1200, "乙.xlsx": 34}) == (
        "另有 1,234 处错误未列出（每个文件只列出前 200 处）：甲.xlsx 1,200 处，乙.xlsx 34 处。"
    )


def test_a_stage_reports_its_share_of_the_whole_in_thousandths() -> None:
    seen: list[tuple[int, int]] = []
    stage = part(lambda done, total: seen.append((done, total)), 0.7, 1.0)
    assert stage is not None
    for done in (0, 1, 2):
        stage(done, 2)
    stage(5, 0)  # a stage that cannot count is done
    assert seen == [(700, 1000), (850, 1000), (1000, 1000), (1000, 1000)]
    assert part(None, 0.0, 0.5) is None
    report(None, 1, 2)  # no callback: nothing to do
