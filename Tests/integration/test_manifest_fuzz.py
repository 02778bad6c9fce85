"""Seeded manifest mutations through the binary's `validate`: it answers every one (no crash, no hang, no stack
trace) with exit 0 or 2, and a rejection names a key, a line or the file. The in-process run of many more
mutations is ManifestTests/ManifestFuzzTests; MANIFEST_FUZZ_BINARY_COUNT sets this sample (100 by default)."""
import os
import random
import re

from conftest import run_cli

COUNT = int(os.environ.get("MANIFEST_FUZZ_BINARY_COUNT", "100"))

BASE = """destinations:
- type: s3
  name: primary
  config:
    bucket_name: backups
    bucket_path: redis
    access_key_id: AKIAFUZZFUZZ
    secret_access_key: fuzz-secret-value
    endpoint_url: http://127.0.0.1:9000
    retry_attempts: 3
source_folder: /tmp
cron_schedule: '*/5 * * * *'
exit_if_in_progress: true
"""
SCALARS = ["null", "[]", "{a: 1}", "[1, 2]", "-1", "99999999999999999999999999", "1e400", ".nan", "!!binary aGk=",
           "'\u202e'", "\"\\u0000\"", "@every 0s", "5XiB", "*undefined"]
JUNK = ["\x00", "\x01", "\ufeff", "\u202e", "😀", "{", "]", "&a", "*a", "\t", "? k\n: v", "---", "%YAML 1.1"]


def mutate(rng: random.Random) -> bytes:
    lines = BASE.splitlines()
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines)) if lines else 0
        kind = rng.randrange(8)
        if not lines:
            lines = [""]
        elif kind == 0:
            del lines[at]
        elif kind == 1:
            lines.insert(at, lines[at])
        elif kind == 2 and ":" in lines[at]:
            lines[at] = lines[at].split(":", 1)[0] + ": " + rng.choice(SCALARS)
        elif kind == 3:
            depth = rng.randint(10, 20000)
            lines.insert(at, "deep: " + "[" * depth + "]" * depth)
        elif kind == 4:
            bomb = ["l0: &l0 [a, a, a, a, a, a, a, a, a, a]"] + [
                f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, rng.randint(3, 12))]
            lines[at:at] = bomb + [f"destinations: *l{len(bomb) - 1}"]
        elif kind == 5:
            position = rng.randint(0, len(lines[at]))
            lines[at] = lines[at][:position] + rng.choice(JUNK) + lines[at][position:]
        elif kind == 6:
            return "\n".join(lines).encode() + bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
        else:
            lines = lines[:at]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def test_validate_answers_every_mutation_by_name(binary, tmp_path):
    rng = random.Random(int(os.environ.get("MANIFEST_FUZZ_SEED", "2026")))
    path = tmp_path / "fuzz.yml"
    rejected = 0
    for index in range(COUNT):
        data = mutate(rng)
        path.write_bytes(data)
        result = run_cli(binary, "validate", path, timeout=20)
        shown = f"mutation {index}:\n{data[:2000]!r}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        assert result.returncode in (0, 2), shown
        assert "Fatal error" not in result.stderr and "Stack dump" not in result.stderr, shown
        if result.returncode == 2:
            rejected += 1
            text = (result.stdout + result.stderr).replace("Invalid config - ", "")
            assert re.search(r"line \d+|fuzz\.yml|[a-z_]+\[\d+\]|source_folder|cron_schedule|destination|bucket_\w+|"
                             r"access_key_id|secret_access_key|endpoint_url|retry_attempts|exit_if_in_progress|"
                             r"service_backup|service-backup|\bconfig\b|\btype\b", text), shown
    assert rejected > COUNT // 4
