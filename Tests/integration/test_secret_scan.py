"""The secret scan itself: it finds a registered secret in recorded output and in a file the binary left, and
names where, not what."""
import secret_scan
from secret_scan import STATE, _hits, record_binary_started, record_output, register_manifest_secrets


def test_a_secret_in_output_or_a_left_file_is_found_and_the_manifest_is_not(tmp_path):
    register_manifest_secrets({"destinations": [{"type": "s3", "config": {"secret_access_key": "s3cr3t-value-0123"}}]},
                              tmp_path / "backup.yml")
    (tmp_path / "backup.yml").write_text("secret_access_key: s3cr3t-value-0123\n")
    record_binary_started()
    assert _hits(tmp_path) == []
    record_output("all fine", "error: s3cr3t-value-0123 refused")
    (tmp_path / "status.json").write_text('{"error": "s3cr3t-value-0123"}')
    hits = _hits(tmp_path)
    assert hits == ["binary output", str(tmp_path / "status.json")]
    assert all("s3cr3t" not in hit for hit in hits)
    STATE.reset()  # this test's planted leaks must not fail it


def test_key_bodies_are_scanned_line_by_line():
    secret_scan.register_secret("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
                                "-----END OPENSSH PRIVATE KEY-----\n")
    record_output("the key line b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ leaked")
    record_output("-----BEGIN OPENSSH PRIVATE KEY----- is only a marker")
    assert _hits(None) == ["binary output"]
    STATE.reset()


def test_a_fifo_the_test_left_is_not_opened(tmp_path):
    import os
    record_binary_started()
    os.mkfifo(tmp_path / "pipe")
    assert _hits(tmp_path) == []
