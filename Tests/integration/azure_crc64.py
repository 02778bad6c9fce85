"""Azure Storage's CRC-64 (`x-ms-content-crc64`: base64 of the 8 bytes, little-endian), for the test Blob
service to check what clients send. Computed by the SDK's own code (azure-storage-extensions, which
azure-storage-blob uses for `validate_content="crc64"`) when it is installed; else by `PurePythonCrc64`, a
plain table-driven CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, inverted in and out) that the tests
check against the published check value and against the SDK's code."""
from __future__ import annotations

import base64

POLYNOMIAL = 0x9A6C9329AC4BC9B5
MASK = (1 << 64) - 1
# CRC-64/NVME's published check value: the CRC of b"123456789".
CHECK_VALUE = 0xAE8B14860A799888


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def pure_python_crc64(data: bytes, initial: int = 0) -> int:
    """The CRC of `data` continuing from the CRC `initial` of what came before it (0: nothing)."""
    crc = ~initial & MASK
    table = _TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return ~crc & MASK


def sdk_crc64():
    """The SDK's CRC-64 function `(data, initial) -> int`, or None when azure-storage-extensions is missing."""
    try:
        from azure.storage.extensions import checksums
    except ImportError:
        return None
    return checksums.crc64.compute


crc64 = sdk_crc64() or pure_python_crc64


class Crc64:
    """An incremental CRC-64 of a request body."""

    def __init__(self):
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = crc64(data, self.value)

    def header(self) -> str:
        return base64.b64encode(self.value.to_bytes(8, "little")).decode()
