"""The store conformance suite against every store on its real test peer (the other stores' runs live
beside their peers' fixtures: test_s3.py, test_azure.py, test_scp.py, test_gcs.py)."""
from conftest import run_conformance, write_manifest


def test_local_store_conforms(tmp_path):
    manifest = write_manifest(tmp_path, {
        "destinations": [{"type": "local", "config": {"path": str(tmp_path / "store")}}],
        "source_folder": str(tmp_path), "cron_schedule": "@daily",
    })
    run_conformance(manifest)
