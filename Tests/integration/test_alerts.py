"""Alerts: the original's Cloud Foundry notification on a failed or refused scheduled run, against fake
UAA / Cloud Controller / notifications peers that check credentials and record what they receive; the
webhook, executable and heartbeat hooks; `alerts.on`; missed fire times; never an alert from a one-off backup."""
import json
import re
import signal
import time

import pytest

from alert_servers import (CC_PASSWORD, CC_USER, CLIENT_ID, CLIENT_SECRET, CLIENT_TOKEN, ORG, SPACE, SPACE_GUID,
                           USER_TOKEN, AlertPeers)
from conftest import assert_no_secrets, free_port, messages, run_cli, write_manifest
from daemon_process import DaemonProcess
from test_bosh_job import rendered_config
from test_runs import daemons, script  # noqa: F401 (daemons is a fixture)

EVERY_SECOND = "@every 1s"
HOOK_SECRET = "Bearer hook-header-s3cret-42"
HOOK_PATH = "/hooks/T000/B000/url-s3cret-path"
PING_PATH = "/ping/5f0c2d8e-heartbeat-s3cret"
SECRETS = [CC_PASSWORD, CLIENT_SECRET, HOOK_SECRET, "url-s3cret-path", "heartbeat-s3cret", USER_TOKEN, CLIENT_TOKEN]
RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)"


@pytest.fixture
def peers():
    server = AlertPeers()
    yield server
    server.close()


def manifest(tmp_path, **settings):
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    (source / "dump.rdb").write_bytes(b"x" * 1000)
    return write_manifest(tmp_path, {
        "destinations": [{"type": "local", "name": "nfs", "config": {"path": str(tmp_path / "target")}}],
        "source_folder": str(source),
        "cron_schedule": EVERY_SECOND,
        "deployment_name": "redis-prod",
        **settings,
    })


def start(binary, daemons, config) -> DaemonProcess:
    daemon = DaemonProcess(binary, "daemon", config)
    daemons.append(daemon)
    return daemon


def stop(daemon) -> str:
    assert daemon.terminate() == 0
    return "".join(daemon.raw) + daemon.stderr


def first(daemon, suffix: str) -> dict:
    return next(l for l in daemon.lines if l["message"].endswith(suffix))


def index_of(daemon, suffix: str) -> int:
    return next(i for i, m in enumerate(daemon.messages) if m.endswith(suffix))


def alternating_source(tmp_path) -> str:
    """Fails on odd runs, succeeds on even ones."""
    counter = tmp_path / "runs"
    return script(tmp_path / "dump", f"n=$(( $(cat {counter} 2>/dev/null || echo 0) + 1 )); echo $n > {counter}\n"
                                     f"[ $((n % 2)) -eq 0 ] || {{ echo dump failed >&2; exit 3; }}")


def fail_once(tmp_path) -> str:
    """Fails on the first run only, so that one alert is sent."""
    once = tmp_path / "failed-once"
    return script(tmp_path / "dump", f"[ -e {once} ] || {{ touch {once}; exit 3; }}")


# --- the original's Cloud Foundry notification ----------------------------------------------------------------

def test_failed_scheduled_run_sends_the_originals_notification(binary, tmp_path, peers, daemons):
    identify = script(tmp_path / "identify", "echo FakeIdentifier")
    config = manifest(tmp_path, source_executable=fail_once(tmp_path),
                      service_identifier_executable=identify, alerts=peers.cf_alerts_config())
    daemon = start(binary, daemons, config)
    daemon.wait_for_count("Sent alert.", 1)
    output = stop(daemon)

    requests = peers.received()[:6]
    assert [(r.method, r.path) for r in requests] == [
        ("GET", "/cc/v2/info"),
        ("POST", "/uaa/oauth/token"),
        ("GET", "/cc/v2/organizations"),
        ("GET", f"/cc/v2/organizations/org-guid-1/spaces"),
        ("POST", "/uaa/oauth/token"),
        ("POST", f"/notifications/spaces/{SPACE_GUID}"),
    ]
    info, password, org, space, client, notification = requests
    assert password.basic_auth() == ("cf", "")
    assert password.headers["content-type"] == "application/x-www-form-urlencoded"
    assert password.form == {"grant_type": "password", "username": CC_USER, "scope": "", "password": CC_PASSWORD}
    assert list(password.form) == ["grant_type", "username", "scope", "password"]
    assert org.query == {"q": f"name:{ORG}"} and org.headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert space.query == {"q": f"name:{SPACE}"} and space.headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert client.basic_auth() == (CLIENT_ID, CLIENT_SECRET) and client.form == {"grant_type": "client_credentials"}
    assert notification.headers["x-notifications-version"] == "1"
    assert notification.headers["authorization"] == f"Bearer {CLIENT_TOKEN}"
    assert notification.headers["content-type"] == "application/json"
    body = notification.json
    assert set(body) == {"kind_id", "subject", "text", "reply_to"}
    assert body["kind_id"] == "service-alerts"
    assert body["subject"] == "[Service Alert][SomeDB] Service Backup Failed"
    assert body["reply_to"] == "ops@example.com"
    assert re.fullmatch(
        r"Alert from SomeDB, service instance FakeIdentifier:\n\n"
        r"A backup run has failed with the following error: exit status 3\n\n"
        rf"\[Alert generated at {RFC3339}\]", body["text"]), body["text"]

    # The original's lines, after the run's own outcome, from the daemon's logger.
    assert index_of(daemon, "Perform backup completed with error") < index_of(daemon, "Sending alert.") \
        < index_of(daemon, "Sent alert.")
    assert first(daemon, "Sending alert.")["message"] == "ServiceBackup.Sending alert."
    assert first(daemon, "Sent alert.")["level"] == "info"
    assert_no_secrets(output, secrets=SECRETS)


def test_refused_run_sends_the_originals_notification(binary, tmp_path, peers, daemons):
    release = tmp_path / "release"
    config = manifest(tmp_path, exit_if_in_progress=True, alerts=peers.cf_alerts_config(),
                      service_identifier_executable=script(tmp_path / "identify", "echo FakeIdentifier"),
                      source_executable=script(tmp_path / "dump", f"while [ ! -e {release} ]; do sleep 0.05; done"))
    daemon = start(binary, daemons, config)
    daemon.wait_for_count("Sent alert.", 1)
    release.touch()
    stop(daemon)
    text = peers.received("notifications")[0].json["text"]
    assert text.startswith("Alert from SomeDB, service instance FakeIdentifier:\n\nA backup run has failed with the "
                           "following error: Backup currently in progress, exiting. Another backup will not be able "
                           "to start until this is completed.\n\n")
    assert index_of(daemon, "Backup currently in progress, exiting. Another backup will not be able to start until "
                            "this is completed.") < index_of(daemon, "Sending alert.")


def test_successful_runs_and_unconfigured_alerts(binary, tmp_path, peers, daemons):
    """No alert for a success; `Alerts not configured.` for a failure when nothing is configured."""
    daemon = start(binary, daemons, manifest(tmp_path, source_executable=alternating_source(tmp_path)))
    daemon.wait_for_count("Alerts not configured.", 1)
    daemon.wait_for_count("Upload backup completed successfully", 1)
    stop(daemon)
    assert first(daemon, "Alerts not configured.")["level"] == "info"
    assert not any("Sending alert." in m for m in daemon.messages)


@pytest.mark.parametrize("command", ["backup", "manual-backup"])
def test_a_one_off_backup_never_alerts(binary, tmp_path, peers, command):
    ran = tmp_path / "executable-ran"
    config = manifest(tmp_path, source_executable=script(tmp_path / "dump", "exit 3"), alerts={
        **peers.cf_alerts_config(), "webhook_url": peers.url + HOOK_PATH, "heartbeat_url": peers.url + PING_PATH,
        "executable": script(tmp_path / "alert", f"touch {ran}"), "on": ["failure", "success", "missed"]})
    result = run_cli(binary, command, config)
    assert result.returncode == 2
    assert peers.received() == []
    assert not ran.exists()
    assert not [m for m in messages(result.stdout) if "alert" in m.lower() or "heartbeat" in m.lower()]


def test_a_failing_notification_service_is_retried_with_backoff(binary, tmp_path, peers, daemons):
    peers.fail["notifications"] = [503, 502]
    config = manifest(tmp_path, source_executable=fail_once(tmp_path), alerts=peers.cf_alerts_config())
    daemon = start(binary, daemons, config)
    daemon.wait_for_count("Sent alert.", 1)
    stop(daemon)
    posts = peers.received("notifications")[:3]
    assert len(posts) == 3
    assert posts[1].at - posts[0].at >= 0.95 and posts[2].at - posts[1].at >= 1.95  # 1 s, then 2 s
    retries = [l for l in daemon.lines if l["message"].endswith("Retrying alert request")]
    assert [(l["data"]["request"], l["data"]["retry_in_seconds"]) for l in retries[:2]] == [
        ("CF Notifications", 1), ("CF Notifications", 2)]
    assert "got 503" in retries[0]["data"]["error"]
    assert index_of(daemon, "Sent alert.") > index_of(daemon, "Retrying alert request")


def test_an_unreachable_alert_endpoint_is_logged_and_never_holds_up_the_backups(binary, tmp_path, peers, daemons):
    closed = f"http://127.0.0.1:{free_port()}"
    alerts = peers.cf_alerts_config(timeout_seconds=5)
    alerts["config"]["cloud_controller"]["url"] = closed
    alerts["webhook_url"] = closed + HOOK_PATH
    daemon = start(binary, daemons, manifest(tmp_path, source_executable=script(tmp_path / "dump", "exit 3"),
                                             alerts=alerts))
    daemon.wait_for_count("error sending service alert", 1, timeout=30)
    daemon.wait_for_count("error sending webhook alert", 1, timeout=30)
    output = stop(daemon)
    messages = daemon.messages
    # Runs went on while the first alert was being retried: it took its 5 s, the schedule fires every second.
    failed_alert = index_of(daemon, "error sending service alert")
    assert sum(m.endswith("Perform backup started") for m in messages[:failed_alert]) >= 3
    error = first(daemon, "error sending service alert")
    assert error["level"] == "error" and error["data"]["error"]
    assert first(daemon, "error sending webhook alert")["data"]["webhook"] == closed
    assert_no_secrets(output, secrets=SECRETS)


@pytest.mark.parametrize("skip", [True, False])
def test_skip_ssl_validation_is_honoured(binary, tmp_path, daemons, skip):
    peers = AlertPeers(tls=True)
    try:
        alerts = peers.cf_alerts_config(timeout_seconds=2, skip_ssl_validation=skip)
        alerts["webhook_url"] = peers.url + HOOK_PATH
        daemon = start(binary, daemons, manifest(tmp_path, source_executable=fail_once(tmp_path), alerts=alerts))
        outcome = "Sent alert." if skip else "error sending service alert"
        daemon.wait_for_count(outcome, 1)
        daemon.wait_for_count("Sent webhook alert." if skip else "error sending webhook alert", 1)
        stop(daemon)
        assert len(peers.received("notifications")) == (1 if skip else 0)
        if not skip:
            assert "certificate" in first(daemon, "error sending service alert")["data"]["error"].lower()
    finally:
        peers.close()


# --- webhook, executable, heartbeat, alerts.on ------------------------------------------------------------------

def test_webhook_executable_and_heartbeat(binary, tmp_path, peers, daemons):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    executable = script(tmp_path / "alert", f"cat > {inbox}/.part-$$ && mv {inbox}/.part-$$ {inbox}/$(date +%s%N).json")
    config = manifest(tmp_path, source_executable=alternating_source(tmp_path),
                      service_identifier_executable=script(tmp_path / "identify", "echo redis-0"),
                      alerts={"webhook_url": peers.url + HOOK_PATH, "executable": executable,
                              "webhook_headers": {"Authorization": HOOK_SECRET, "X-Team": "data"},
                              "heartbeat_url": peers.url + PING_PATH, "on": ["failure", "success"]})
    daemon = start(binary, daemons, config)
    daemon.wait_for_count("Sent heartbeat.", 1)
    peers.wait_for(lambda rs: {r.json["event"] for r in rs if r.path == HOOK_PATH} >= {"failure", "success"},
                   what="a failure and a success webhook")
    daemon.wait_for_count("Alert executable completed.", 2)
    output = stop(daemon)

    hooks = peers.received("hooks")
    assert all(h.method == "POST" and h.path == HOOK_PATH for h in hooks)
    assert all(h.headers["authorization"] == HOOK_SECRET and h.headers["x-team"] == "data" for h in hooks)
    assert all(h.headers["content-type"] == "application/json" for h in hooks)
    documents = {h.json["backup_guid"]: h.json for h in hooks}
    failure = next(d for d in documents.values() if d["event"] == "failure")
    success = next(d for d in documents.values() if d["event"] == "success")

    failed_run = first(daemon, "Perform backup completed with error")
    assert failure["backup_guid"] == failed_run["data"]["backup_guid"]
    assert failure | {"generated_at": None, "started_at": None, "finished_at": None, "run_id": None,
                      "backup_guid": None, "host": None, "text": None} == {
        "version": 1, "event": "failure", "outcome": "failed", "product": None, "identifier": "redis-0",
        "deployment": "redis-prod", "host": None, "backup_guid": None, "run_id": None, "started_at": None,
        "finished_at": None, "failed_step": "source_executable", "error": "exit status 3", "destinations": [],
        "missed_times": [], "missed_count": 0, "missed_reason": None, "generated_at": None, "text": None}
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", failure["run_id"])
    assert failure["text"].startswith("Alert from service-backup, service instance redis-0:\n\nA backup run has "
                                      "failed with the following error: exit status 3\n\n[Alert generated at ")
    assert success["outcome"] == "succeeded" and success["error"] is None and success["failed_step"] is None
    [destination] = success["destinations"]
    assert destination == {"name": "nfs", "type": "local", "outcome": "succeeded", "files": 1, "bytes": 1000,
                           "seconds": destination["seconds"], "retries": 0, "error": None,
                           "manifest_key": destination["manifest_key"]}
    assert destination["manifest_key"].endswith(f"{success['run_id']}.manifest.json")

    # The executable read the same documents on stdin.
    read = {d["backup_guid"]: d for d in (json.loads(p.read_text()) for p in inbox.glob("*.json"))}
    for guid, document in read.items():
        if guid in documents:
            assert document == documents[guid]
    assert {d["event"] for d in read.values()} >= {"failure", "success"}

    # A heartbeat after every success, never after a failure.
    pings = peers.received("ping")
    assert all(p.method == "GET" and p.path == PING_PATH for p in pings)
    sent = sum(m.endswith("Sent heartbeat.") for m in daemon.messages)
    successes = sum(m.endswith("Upload backup completed successfully") for m in daemon.messages)
    assert 1 <= sent <= len(pings) <= successes  # the stop may cut the last heartbeat's log line short
    assert first(daemon, "Sent webhook alert.")["data"]["webhook"] == peers.url
    assert_no_secrets(output, secrets=SECRETS)


@pytest.mark.parametrize("on, wanted", [(None, {"failure"}), (["success"], {"success"})])
def test_alerts_on_picks_the_events(binary, tmp_path, peers, daemons, on, wanted):
    alerts = {"webhook_url": peers.url + HOOK_PATH} | ({"on": on} if on else {})
    daemon = start(binary, daemons, manifest(tmp_path, source_executable=alternating_source(tmp_path), alerts=alerts))
    daemon.wait_for_count("Upload backup completed successfully", 2)
    daemon.wait_for_count("Perform backup completed with error", 2)
    daemon.wait_for_count("Sent webhook alert.", 2)
    stop(daemon)
    assert {h.json["event"] for h in peers.received("hooks")} == wanted
    assert any(m.endswith("Alerts not configured.") for m in daemon.messages) == ("failure" not in wanted)


# --- missed fire times --------------------------------------------------------------------------------------

def test_a_long_run_makes_fire_times_missed_logged_and_alerted(binary, tmp_path, peers, daemons):
    config = manifest(tmp_path, source_executable=script(tmp_path / "dump", "sleep 3.5"),
                      alerts={**peers.cf_alerts_config(), "webhook_url": peers.url + HOOK_PATH, "on": ["missed"]})
    daemon = start(binary, daemons, config)
    still_running = "the previous backup was still running"
    daemon.wait_for(lambda ms: any(l["message"].endswith("Missed scheduled backup") and l["data"]["reason"] == still_running
                                   for l in daemon.lines), what="a fire time missed during a long run")
    peers.wait_for(lambda rs: any(r.path == HOOK_PATH and r.json["missed_reason"] == still_running for r in rs),
                   what="a missed webhook")
    daemon.wait_for_count("Sent alert.", 1)
    stop(daemon)
    line = next(l for l in daemon.lines if l["message"].endswith("Missed scheduled backup")
                and l["data"]["reason"] == still_running)
    assert line["level"] == "error"
    assert line["data"]["missed_count"] == 1 and re.fullmatch(RFC3339, line["data"]["missed_times"][0])
    document = next(h.json for h in peers.received("hooks") if h.json["missed_times"] == line["data"]["missed_times"])
    assert document["event"] == "missed" and document["outcome"] == "missed"
    assert document["missed_count"] == 1 and document["missed_reason"] == still_running
    notification = peers.received("notifications")[0].json
    assert notification["subject"] == "[Service Alert][SomeDB] Service Backup Missed"
    assert "A scheduled backup did not run at " in notification["text"]
    # `on: [missed]` only: the run that succeeded sent nothing else.
    assert {h.json["event"] for h in peers.received("hooks")} == {"missed"}


def test_a_suspended_daemon_logs_and_alerts_the_fire_times_it_slept_through(binary, tmp_path, peers, daemons):
    config = manifest(tmp_path, alerts={"webhook_url": peers.url + HOOK_PATH, "on": ["missed"]})
    daemon = start(binary, daemons, config)
    daemon.wait_for_count("Upload backup completed successfully", 1)
    daemon.process.send_signal(signal.SIGSTOP)  # as a suspended VM: the wall clock goes on, the daemon does not
    time.sleep(3.5)  # the suspension itself: nothing to await
    daemon.process.send_signal(signal.SIGCONT)
    daemon.wait_for_count("Missed scheduled backup", 1)
    peers.wait_for(lambda rs: any(r.path == HOOK_PATH for r in rs), what="a missed webhook")
    stop(daemon)
    line = first(daemon, "Missed scheduled backup")
    assert line["data"]["reason"].startswith("the daemon was not running at that time")
    assert line["data"]["missed_count"] >= 2
    assert peers.received("hooks")[0].json["missed_count"] == line["data"]["missed_count"]


# --- the manifest -------------------------------------------------------------------------------------------

def test_validate_names_the_alerts_and_no_secret(binary, tmp_path, peers):
    config = manifest(tmp_path, alerts={**peers.cf_alerts_config(), "webhook_url": peers.url + HOOK_PATH,
                                        "webhook_headers": {"Authorization": HOOK_SECRET},
                                        "heartbeat_url": peers.url + PING_PATH, "on": ["failure", "missed"]})
    result = run_cli(binary, "validate", config)
    assert result.returncode == 0, result.stderr
    assert f"alerts: webhook {peers.url} with headers Authorization" in result.stdout
    assert f"alerts: heartbeat {peers.url} after every successful backup" in result.stdout
    assert "alerts on: failure, missed" in result.stdout
    assert "alerts: Cloud Foundry notifications for " in result.stdout and "will fail" not in result.stdout
    assert_no_secrets(result.stdout, result.stderr, secrets=SECRETS)


def test_validate_says_which_keys_an_incomplete_cloud_foundry_alert_lacks(binary, tmp_path, peers):
    partial = peers.cf_alerts_config()
    del partial["config"]["notifications"]["cf_space"]
    del partial["config"]["cloud_controller"]["password"]
    result = run_cli(binary, "validate", manifest(tmp_path, alerts=partial))
    assert result.returncode == 0, result.stderr
    assert ("will fail: missing alerts.config.cloud_controller.password, alerts.config.notifications.cf_space"
            in result.stdout), result.stdout


@pytest.mark.parametrize("alerts, error", [
    ({"on": ["failure", "sometimes"]}, "alerts.on must list events among failure, success, missed"),
    ({"webhook_url": "ftp://example.com/x"}, "alerts.webhook_url must be an http:// or https:// URL"),
    ({"webhook_headers": ["Authorization"]}, "alerts.webhook_headers must be a map of settings"),
    ({"webhook_headers": {"Bad Name": "x"}}, "alerts.webhook_headers.Bad Name is not a valid HTTP header name"),
])
def test_bad_alert_settings_are_refused_naming_the_key(binary, tmp_path, alerts, error):
    result = run_cli(binary, "validate", manifest(tmp_path, alerts=alerts))
    assert result.returncode == 2
    assert error in result.stderr


def test_the_bosh_job_renders_the_hooks_without_a_product_name(tmp_path):
    hooks = {"webhook_url": "https://hooks.example.com/x", "webhook_headers": {"Authorization": "Bearer t"},
             "executable": "/var/vcap/jobs/redis/bin/alert", "on": ["failure", "missed"],
             "heartbeat_url": "https://hc-ping.com/uuid"}
    assert rendered_config(tmp_path, {"alerts": hooks})["alerts"] == hooks
