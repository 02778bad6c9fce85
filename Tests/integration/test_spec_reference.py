"""spec.yml, the reference of every manifest key, agrees with the parser's own catalog
(`service-backup config-reference --json`), with the BOSH job (its spec properties, the keys and
defaults backup.yml.erb renders, the keys it requires) and with the README's configuration reference."""
import json
import re

import pytest
import yaml

from conftest import ROOT, run_cli
from test_bosh_job import JOB, render

TYPES = {"string", "integer", "number", "boolean", "size", "list", "map"}
FIELDS = {"path", "type", "required", "secret", "default", "summary"}
OPTIONAL_FIELDS = {"allowed", "aliases", "ignored"}
# Keys a BOSH job does not take as properties: the legacy single-destination forms (the job renders
# `destinations`) and the deployment name (the job takes it from the director, spec.deployment).
NOT_JOB_PROPERTIES = {"destination", "blobstore", "deployment_name"}
# Job properties that steer the job itself and never reach the daemon.
JOB_ONLY_PROPERTIES = {"drain_max_wait"}
# Keys whose daemon default fits no BOSH VM, which the job sets to a folder of its own.
JOB_DEFAULTS_OF_ITS_OWN = {"state_dir": "/var/vcap/data/service-backup"}


def load_spec() -> list[dict]:
    return yaml.safe_load((ROOT / "spec.yml").read_text())["keys"]


def by_path(entries) -> dict[str, dict]:
    return {entry["path"]: entry for entry in entries}


def normalized(value):
    """Defaults compared as text, as the catalog holds them: true/false, 30, "" as no default."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def destination_types(spec) -> list[str]:
    return by_path(spec)["destinations[].type"]["allowed"]


def flatten(node, prefix="") -> dict[str, object]:
    """Leaf paths of a rendered config, maps joined with dots; lists are leaves, empty maps vanish."""
    if isinstance(node, dict):
        flat = {}
        for key, value in node.items():
            flat.update(flatten(value, f"{prefix}{key}."))
        return flat
    return {prefix[:-1]: node}


# --- spec.yml itself --------------------------------------------------------------------------------------

def test_every_entry_is_complete_and_unique():
    spec = load_spec()
    paths = [entry["path"] for entry in spec]
    assert len(paths) == len(set(paths)), "a path appears twice"
    for entry in spec:
        assert FIELDS <= entry.keys() <= FIELDS | OPTIONAL_FIELDS, entry["path"]
        assert entry["type"] in TYPES, entry["path"]
        assert isinstance(entry["required"], bool) and isinstance(entry["secret"], bool), entry["path"]
        assert entry["summary"] and "\n" not in entry["summary"], entry["path"]
        if entry["default"] is not None:
            assert not entry["required"], f"{entry['path']} is required and has a default"


def test_every_destination_type_has_its_keys_and_credentials_are_secret():
    spec = load_spec()
    paths = by_path(spec)
    for kind in destination_types(spec):
        assert any(entry["path"].startswith(kind + ".") and entry["required"] for entry in spec), kind
    for secret in ["s3.access_key_id", "s3.secret_access_key", "azure.storage_access_key", "scp.key",
                   "alerts.config.cloud_controller.password", "alerts.config.notifications.client_secret"]:
        assert paths[secret]["secret"], secret


# --- the parser's catalog -----------------------------------------------------------------------------------

def test_agrees_with_the_parsers_catalog(binary):
    result = run_cli(binary, "config-reference", "--json")
    if result.returncode != 0 and re.search(r"Unknown option|Unexpected argument|unknown", result.stderr):
        pytest.skip(f"`service-backup config-reference --json` is not on this build yet: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    catalog = by_path(json.loads(result.stdout))
    spec = by_path(load_spec())

    assert sorted(spec.keys() - catalog.keys()) == [], "in spec.yml but not read by the parser"
    assert sorted(catalog.keys() - spec.keys()) == [], "read by the parser but missing from spec.yml"
    for path, entry in spec.items():
        parsed = catalog[path]
        for field in ("type", "required", "secret"):
            assert entry[field] == parsed[field], f"{path}.{field}: spec.yml {entry[field]!r}, parser {parsed[field]!r}"
        assert normalized(entry["default"]) == normalized(parsed.get("default")), f"{path}.default"
        for field in OPTIONAL_FIELDS & parsed.keys():
            empty = False if field == "ignored" else []
            assert entry.get(field, empty) == (parsed[field] or empty), f"{path}.{field}"


# --- the BOSH job ----------------------------------------------------------------------------------------------

def job_properties() -> dict[str, dict]:
    declared = yaml.safe_load((JOB / "spec").read_text())["properties"]
    assert all(name.startswith("service-backup.") for name in declared)
    return {name.removeprefix("service-backup."): declaration or {} for name, declaration in declared.items()}


def every_job_property_set() -> dict:
    """Manifest properties giving every declared job property a value of its kind."""
    properties: dict = {}
    for name, declaration in job_properties().items():
        default = declaration.get("default")
        value = {bool: True, int: 7, list: [{"type": "local", "config": {"path": "/x"}}]}.get(type(default), "value")
        if name == "alerts.product_name":
            value = "Redis"
        if name == "logging.format.timestamp":
            value = "rfc3339"
        node = properties
        *parents, leaf = name.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return properties


def test_every_job_property_reaches_a_key_the_daemon_reads(tmp_path):
    spec = by_path(load_spec())
    result = render(tmp_path, "templates/backup.yml.erb", every_job_property_set())
    assert result.returncode == 0, result.stderr
    rendered = flatten({k: v for k, v in yaml.safe_load(result.stdout).items()})

    assert sorted(rendered.keys() - spec.keys()) == [], "the job renders keys the daemon does not read"
    top_level = {path for path in spec if "[]" not in path and path.split(".")[0] not in destination_types(load_spec())}
    wanted = {path for path in top_level if spec[path]["type"] != "map"} - {"destination", "blobstore"}
    assert sorted(wanted - rendered.keys()) == [], "keys the daemon reads that no job property sets"

    properties = job_properties()
    declared_top_level = {name for name in properties if "." not in name}
    assert declared_top_level - JOB_ONLY_PROPERTIES == {p for p in top_level if "." not in p} - NOT_JOB_PROPERTIES


def test_job_defaults_are_the_daemons_defaults(tmp_path):
    spec = by_path(load_spec())
    result = render(tmp_path, "templates/backup.yml.erb", {"alerts": {"product_name": "Redis"}})
    assert result.returncode == 0, result.stderr
    rendered = flatten(yaml.safe_load(result.stdout))
    for path, value in rendered.items():
        if path in JOB_DEFAULTS_OF_ITS_OWN:
            assert value == JOB_DEFAULTS_OF_ITS_OWN[path], path
            continue
        if path in ("deployment_name", "alerts.product_name") or spec[path].get("ignored"):
            continue  # set by the director / by this test / the job's own business (backup_user)
        assert normalized(value) == normalized(spec[path]["default"]), f"{path}: job renders {value!r}"
    for name, declaration in job_properties().items():
        if name in spec and "default" in declaration and not spec[name].get("ignored") and name not in JOB_DEFAULTS_OF_ITS_OWN:
            assert normalized(declaration["default"]) == normalized(spec[name]["default"]), name


def test_job_requires_what_the_daemon_requires_in_the_same_order(tmp_path):
    spec = load_spec()
    required_top = [e["path"] for e in spec if e["required"] and "." not in e["path"] and "[]" not in e["path"]]
    result = render(tmp_path, "templates/backup.yml.erb", {"destinations": [{"type": "local", "config": {"path": "/x"}}]})
    assert result.stderr.splitlines()[0] == f"Invalid config - Missing values for service_backup: {', '.join(required_top)}."

    for kind in destination_types(spec):
        required = [e["path"].removeprefix(kind + ".") for e in spec if e["path"].startswith(kind + ".") and e["required"]]
        properties = {"destinations": [{"type": kind, "config": {"unrelated": "x"}}], "source_folder": "/x",
                      "cron_schedule": "@daily"}
        result = render(tmp_path, "templates/backup.yml.erb", properties)
        assert result.stderr.splitlines()[0] == f"Invalid config - Missing values for {kind}: {', '.join(required)}.", kind


def test_defaults_the_job_fills_in_match_the_daemons(tmp_path):
    spec = by_path(load_spec())
    scp = {"server": "h", "user": "u", "destination": "/d", "key": "k"}
    result = render(tmp_path, "templates/backup.yml.erb",
                    {"destinations": [{"type": "scp", "config": scp}], "source_folder": "/x", "cron_schedule": "@daily"})
    config = yaml.safe_load(result.stdout)["destinations"][0]["config"]
    for key, value in config.items():
        if spec[f"scp.{key}"]["default"] is not None:
            assert normalized(value) == normalized(spec[f"scp.{key}"]["default"]), key


# --- the README -------------------------------------------------------------------------------------------------

def readme_reference_keys() -> list[str]:
    """Keys in the first column of the tables under `## Configuration reference`.

    A first cell is one key in backticks: a full path (`s3.bucket_name`), or a bare name inside a
    `### ...` subsection whose heading names a destination type (`s3`), `destinations` (entry fields)
    or `alerts`, in which case the heading's name prefixes it."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"^## Configuration reference\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, "README.md has no `## Configuration reference` section"
    prefixes = {kind: kind + "." for kind in destination_types(load_spec())} | {
        "destinations": "destinations[].", "alerts": "alerts."}
    prefix, keys = "", []
    for line in match.group(1).splitlines():
        if line.startswith("### "):
            words = re.findall(r"[a-z0-9_]+", line[4:].lower())
            prefix = next((prefixes[w] for w in words if w in prefixes), "")
            continue
        cell = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if cell:
            key = cell.group(1)
            keys.append(key if "." in key or "[]" in key or not prefix else prefix + key)
    return keys


def test_agrees_with_the_readme():
    keys = readme_reference_keys()
    if not keys:
        pytest.skip("README.md's configuration reference has no key tables yet")
    spec = by_path(load_spec())
    assert len(keys) == len(set(keys)), "a key is listed twice in the README"
    assert sorted(set(keys) - spec.keys()) == [], "the README lists keys spec.yml does not have"
    assert sorted(spec.keys() - set(keys)) == [], "spec.yml keys missing from the README"
