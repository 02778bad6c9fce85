"""`validate` and `next-runs` on the built binary."""
import json

import pytest
import yaml

from conftest import assert_no_secrets, run_cli, write_manifest
from daemon_process import DaemonProcess, stop

SECRETS = {
    "access_key_id": "AKIAEXAMPLESECRETID1",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "storage_access_key": "c2VjcmV0LXN0b3JhZ2Uta2V5LXRoYXQtbXVzdC1ub3QtbGVhaw==",
    "key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAsecretsecretsecretsecretsecretsecret\n-----END RSA PRIVATE KEY-----\n",
}

SETTINGS = {
    "destinations": [
        {"type": "s3", "name": "primary", "config": {
            "access_key_id": SECRETS["access_key_id"], "secret_access_key": SECRETS["secret_access_key"],
            "bucket_name": "backups", "bucket_path": "redis", "endpoint_url": "http://127.0.0.1:9"}},
        {"type": "azure", "config": {
            "storage_account": "acct", "storage_access_key": SECRETS["storage_access_key"],
            "container": "backups", "path": "redis"}},
        {"type": "scp", "config": {
            "server": "127.0.0.1", "user": "backup", "destination": "/backups", "key": SECRETS["key"],
            "port": 2222, "fingerprint": "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"}},
    ],
    "source_folder": "/var/vcap/store/backup",
    "source_executable": "/bin/true",
    "cron_schedule": "0 */6 * * *",
}


def check_valid(binary, path):
    result = run_cli(binary, "validate", path)
    assert result.returncode == 0, result.stderr
    assert "s3://backups/redis" in result.stdout and "/backups/redis" in result.stdout
    assert "backup@127.0.0.1:2222:/backups" in result.stdout
    assert "next backup:" in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=list(SECRETS.values()))
    return result


def test_validate_rendered_backup_yml(binary, tmp_path):
    check_valid(binary, write_manifest(tmp_path, SETTINGS))


def test_validate_bosh_deployment_manifest(binary, tmp_path):
    manifest = {
        "name": "redis-prod",
        "instance_groups": [{"name": "redis", "jobs": [
            {"name": "redis-server", "properties": {}},
            {"name": "service-backup", "properties": {"service-backup": SETTINGS}},
        ]}],
    }
    check_valid(binary, write_manifest(tmp_path, manifest))
    check_valid(binary, write_manifest(tmp_path, {"name": "x", "properties": {"service-backup": SETTINGS}}, "top.yml"))


def test_validate_legacy_single_destination(binary, tmp_path):
    legacy = {k: v for k, v in SETTINGS.items() if k != "destinations"}
    legacy["destination"] = {"s3": SETTINGS["destinations"][0]["config"]}
    result = run_cli(binary, "validate", write_manifest(tmp_path, legacy))
    assert result.returncode == 0, result.stderr
    assert "s3://backups/redis" in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=list(SECRETS.values()))


@pytest.mark.parametrize("change, expected, entry", [
    (lambda m: m["destinations"][0]["config"].pop("bucket_name"),
     "Invalid config - Missing values for s3: bucket_name.", 'destinations[0] "primary" (s3)'),
    (lambda m: m["destinations"][2].pop("config"), "Invalid config - Missing config for scp.", "destinations[2] (scp)"),
    (lambda m: m["destinations"][1].pop("type"), "Invalid config - Missing type for destination.", "destinations[1]"),
    (lambda m: m["destinations"][1].update(type="ftp"), "Invalid config - Unknown destination type: ftp.",
     "destinations[1] (ftp)"),
    (lambda m: m.pop("cron_schedule"), "Invalid config - Missing values for service_backup: cron_schedule.", None),
])
def test_validate_refuses_with_the_original_texts(binary, tmp_path, change, expected, entry):
    """The original's two lines, unchanged; an error about one destination names it on a last line of its own."""
    manifest = yaml.safe_load(yaml.safe_dump(SETTINGS))
    change(manifest)
    manifest["missing_properties_message"] = "Ask the platform team."
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [expected, "Ask the platform team."] + ([f"In {entry}."] if entry else [])
    assert_no_secrets(result.stdout, result.stderr, secrets=list(SECRETS.values()))


def test_validate_refuses_a_wrongly_typed_secret_without_showing_it(binary, tmp_path):
    manifest = yaml.safe_load(yaml.safe_dump(SETTINGS))
    manifest["destinations"][0]["config"]["secret_access_key"] = {"nested": SECRETS["secret_access_key"]}
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 2
    assert "secret_access_key" in result.stderr
    assert_no_secrets(result.stdout, result.stderr, secrets=list(SECRETS.values()))


def test_validate_refuses_missing_and_broken_files(binary, tmp_path):
    missing = run_cli(binary, "validate", tmp_path / "nope.yml")
    assert missing.returncode == 2 and "nope.yml" in missing.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("destinations: [\n  - type: s3\n   bad")
    result = run_cli(binary, "validate", broken)
    assert result.returncode == 2 and "broken.yml" in result.stderr
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def test_validate_refuses_a_never_firing_schedule(binary, tmp_path):
    manifest = dict(SETTINGS, cron_schedule="0 0 30 2 *")
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 2 and "cron_schedule" in result.stderr


def test_next_runs_prints_times_with_offsets(binary):
    result = run_cli(binary, "next-runs", "30 2 * * *", "--from", "2024-03-09T00:00:00-05:00",
                     "--count", "3", "--timezone", "America/New_York")
    assert result.returncode == 0, result.stderr
    # 2024-03-10 02:30 does not exist in New York: robfig skips that day.
    assert result.stdout.split() == ["2024-03-09T02:30:00-05:00", "2024-03-11T02:30:00-04:00",
                                     "2024-03-12T02:30:00-04:00"]


def test_next_runs_every_and_zone_prefix(binary):
    result = run_cli(binary, "next-runs", "CRON_TZ=Europe/London 0 9 * * MON", "--from", "2024-01-01T10:00:00Z",
                     "--count", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2024-01-08T09:00:00Z", "2024-01-15T09:00:00Z"]


def test_next_runs_refuses_bad_expressions(binary):
    for expression in ["61 * * * *", "0 0 30 2 *", "@fortnightly", "* * * * * * *"]:
        result = run_cli(binary, "next-runs", expression)
        assert result.returncode == 2, expression
        assert result.stderr.strip(), expression


# --- refusing what would idle forever, warning about what is probably not meant -------------------------------

@pytest.mark.parametrize("document, expected", [
    ({"foo": "bar", "regoin": "eu-west-1"}, "holds no service-backup settings"),
    ({"name": "redis", "instance_groups": [{"name": "redis", "jobs": [
        {"name": "service-backup", "properties": SETTINGS}]}]},
     "instance_groups[0].jobs[0].properties of the service-backup job has no service-backup: level "
     "(its properties hold destinations, source_folder, source_executable, cron_schedule directly)"),
    ({"name": "redis", "instance_groups": [{"name": "redis", "jobs": [{"name": "service-backup"}]}]},
     "has no service-backup: level (it has no properties)"),
])
def test_validate_refuses_a_file_without_service_backup_settings(binary, tmp_path, document, expected):
    result = run_cli(binary, "validate", write_manifest(tmp_path, document))
    assert result.returncode == 2, result.stdout
    assert expected in result.stderr
    assert "valid" not in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=list(SECRETS.values()))


def test_validate_accepts_an_explicitly_empty_job_level(binary, tmp_path):
    document = {"name": "redis", "instance_groups": [{"name": "redis", "jobs": [
        {"name": "service-backup", "properties": {"service-backup": {}}}]}]}
    result = run_cli(binary, "validate", write_manifest(tmp_path, document))
    assert result.returncode == 0, result.stderr
    assert "destinations: none" in result.stdout


def test_validate_warns_on_stderr_and_still_exits_zero(binary, tmp_path):
    manifest = yaml.safe_load(yaml.safe_dump(SETTINGS))
    manifest["destinations"][0]["config"]["regoin"] = "eu-west-1"
    manifest["destinations"][0]["config"]["secret_access_key"] = "((s3_secret))"
    manifest["destinations"][1]["config"]["path"] = "((deployment))/redis"
    manifest["source_executable"] = 'sh -c "redis-cli save"'
    manifest["cron_shedule"] = "@daily"
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "warning" not in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        'warning: destinations[0] "primary" (s3): config.secret_access_key holds a BOSH variable, never interpolated: '
        "deploy the manifest with BOSH, or run `bosh interpolate` with the variables first",
        'warning: destinations[0] "primary" (s3): config.regoin is not a setting of s3 destinations, and is ignored; '
        "did you mean region?",
        "warning: destinations[1] (azure): config.path holds the BOSH variable ((deployment)), never interpolated: "
        "deploy the manifest with BOSH, or run `bosh interpolate` with the variables first",
        "warning: cron_shedule is not a setting of service-backup, and is ignored; did you mean cron_schedule?",
        "warning: source_executable holds quotes, but commands are split on spaces and run without a shell: "
        "the quotes reach the program inside its arguments; put the command in a script",
        'warning: cron_schedule "0 */6 * * *" fires more than once a day while run_folders is false: runs of the same '
        "day share one day folder, and each replaces the files of the one before; set run_folders: true to keep each",
    ]
    assert "s3_secret" not in result.stderr


def test_validate_warns_about_an_every_under_a_second(binary, tmp_path):
    manifest = dict(SETTINGS, cron_schedule="@every 500ms", run_folders=True)
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        'warning: cron_schedule "@every 500ms" is an @every under a second, which runs every second']


def test_validate_is_quiet_about_a_clean_manifest(binary, tmp_path):
    result = run_cli(binary, "validate", write_manifest(tmp_path, dict(SETTINGS, cron_schedule="@daily")))
    assert result.returncode == 0 and result.stderr == ""


def test_a_destination_error_names_the_destination_once(binary, tmp_path):
    manifest = yaml.safe_load(yaml.safe_dump(SETTINGS))
    manifest["destinations"][1]["name"] = "archive"
    manifest["destinations"][1]["config"]["container"] = "Not_A_Container"
    result = run_cli(binary, "validate", write_manifest(tmp_path, manifest))
    assert result.returncode == 2
    assert result.stderr.startswith('Invalid config - destinations[1] "archive" (azure): container Not_A_Container ')
    assert result.stderr.count("azure") == 1 and result.stderr.count("Invalid config") == 1


def test_backup_prints_the_warnings_on_stderr_and_the_daemon_logs_them(binary, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "dump").write_text("x")
    manifest = {"destinations": [{"type": "local", "config": {"path": str(tmp_path / "target"), "pth": "x"}}],
                "source_folder": str(source), "cron_schedule": "@daily"}
    expected = ("destinations[0] (local): config.pth is not a setting of local destinations, and is ignored; "
                "did you mean path?")
    config = write_manifest(tmp_path, manifest)
    result = run_cli(binary, "backup", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.splitlines() == [f"warning: {expected}"]
    assert all(json.loads(line) for line in result.stdout.splitlines() if line.strip())

    daemon = DaemonProcess(binary, "daemon", config)
    try:
        daemon.wait_for(lambda ms: any(m.endswith("Configuration warning") for m in ms), what="the warning")
    finally:
        assert stop(daemon) == 0
    assert daemon.lines[0]["message"] == "ServiceBackup.Service-backup Started"
    assert daemon.lines[1]["message"] == "ServiceBackup.Configuration warning"
    assert daemon.lines[1]["data"]["warning"] == expected
