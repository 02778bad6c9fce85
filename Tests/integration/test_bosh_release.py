"""The BOSH release's layout, as `bosh create-release` needs it: config/final.yml and config/blobs.yml, every
job's templates, monit file and packages present, every package's spec, packaging script and files found."""
import fnmatch
import re
from pathlib import Path

import yaml

from conftest import ROOT


def jobs() -> list[Path]:
    return sorted(p for p in (ROOT / "jobs").iterdir() if p.is_dir())


def packages() -> list[Path]:
    return sorted(p for p in (ROOT / "packages").iterdir() if p.is_dir())


def blob_paths_the_release_tarball_makes() -> list[str]:
    """What `bosh add-blob` is told to record for the tarball `scripts/release-tarball.sh` makes (any version)."""
    script = (ROOT / "scripts" / "release-tarball.sh").read_text()
    name = re.search(r"^name=(\S+)$", script, re.M).group(1).replace("$version", "1.2.3")
    added = re.findall(r"bosh add-blob dist/\$name\.tgz (\S+)", script)
    assert added, "release-tarball.sh says how to add its tarball as a blob"
    return [path.replace("$name", name).rstrip('"') for path in added]


def test_final_yml_names_the_release_and_a_blobstore():
    final = yaml.safe_load((ROOT / "config" / "final.yml").read_text())
    assert final["name"] == "service-backup"
    assert final["blobstore"]["provider"] in {"local", "s3", "gcs", "dav"}


def test_blobs_yml_is_a_map_of_blobs():
    blobs = yaml.safe_load((ROOT / "config" / "blobs.yml").read_text())
    assert isinstance(blobs, dict)
    for path, entry in blobs.items():
        assert {"size", "sha"} <= set(entry), path


def test_every_job_names_templates_and_packages_that_exist():
    assert jobs()
    known_packages = {p.name for p in packages()}
    for job in jobs():
        spec = yaml.safe_load((job / "spec").read_text())
        assert spec["name"] == job.name
        assert (job / "monit").is_file(), f"{job.name}: monit"
        for template, target in (spec.get("templates") or {}).items():
            assert (job / "templates" / template).is_file(), f"{job.name}: template {template}"
            assert target and not target.startswith("/"), f"{job.name}: {template} -> {target}"
        for package in spec.get("packages") or []:
            assert package in known_packages, f"{job.name} names package {package}, which packages/ lacks"
        unused = {p.name for p in (job / "templates").iterdir()} - set(spec.get("templates") or {})
        assert not unused, f"{job.name}: templates the spec does not name: {unused}"


def test_every_package_has_a_spec_a_packaging_script_and_its_files():
    assert packages()
    blobs = set(yaml.safe_load((ROOT / "config" / "blobs.yml").read_text()) or {})
    release_blobs = blob_paths_the_release_tarball_makes()
    names = {p.name for p in packages()}
    for package in packages():
        spec = yaml.safe_load((package / "spec").read_text())
        assert spec["name"] == package.name
        assert (package / "packaging").is_file(), f"{package.name}: packaging"
        for dependency in spec.get("dependencies") or []:
            assert dependency in names, f"{package.name} depends on {dependency}, which packages/ lacks"
        for pattern in spec.get("files") or []:
            in_src = [p for p in (ROOT / "src").rglob("*") if fnmatch.fnmatch(str(p.relative_to(ROOT / "src")), pattern)] \
                if (ROOT / "src").is_dir() else []
            in_blobs = [b for b in blobs | set(release_blobs) if fnmatch.fnmatch(b, pattern)]
            assert in_src or in_blobs, f"{package.name}: files pattern {pattern} matches no source file and no blob"


def test_the_package_pattern_matches_exactly_the_tarball_blob():
    spec = yaml.safe_load((ROOT / "packages" / "service-backup" / "spec").read_text())
    [blob] = blob_paths_the_release_tarball_makes()
    assert [p for p in spec["files"] if fnmatch.fnmatch(blob, p)], (blob, spec["files"])
    packaging = (ROOT / "packages" / "service-backup" / "packaging").read_text()
    assert re.search(r"service-backup/service-backup-\*-linux-amd64\.tgz", packaging)


def test_bosh_working_folders_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text().split()
    for folder in ("/blobs/", "/dev_releases/", "/.dev_builds/"):
        assert folder in ignored, folder
