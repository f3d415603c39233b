"""deploy/k8s renders and validates offline, and keeps the promises SREs rely on.

No kustomize binary installs from PyPI here, so `render` does the subset of
kustomize the overlays use (resources, namespace, images, JSON 6902 patches);
built-in kinds are validated strictly against the Kubernetes schemas by
kubernetes-validate, KEDA and Prometheus Operator kinds by their required fields.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import jsonpatch
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir())
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
CRDS = {"ScaledObject", "ServiceMonitor"}


def render(folder: Path) -> list[dict[str, Any]]:
    k = yaml.safe_load((folder / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for res in k.get("resources", []):
        path = folder / res
        if path.is_dir():
            docs += render(path)
        else:
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    docs = copy.deepcopy(docs)
    for patch in k.get("patches", []):
        ops = yaml.safe_load(patch["patch"])
        for doc in docs:
            if all(doc.get(key) == want for key, want in patch["target"].items() if key == "kind"):
                doc.update(jsonpatch.apply_patch(doc, ops))
    for image in k.get("images", []):
        for doc in docs:
            for c in _containers(doc):
                if c["image"].split(":")[0] == image["name"]:
                    c["image"] = f"{image['name']}:{image['newTag']}"
    if ns := k.get("namespace"):
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = ns
    return docs


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template")
    return (template or {}).get("spec", {}).get("containers", [])


@pytest.fixture(scope="module", params=OVERLAYS)
def manifests(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return render(K8S / "overlays" / request.param)


def test_base_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("k8s_generate", K8S / "generate.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    for name, text in module.render().items():
        assert (K8S / "base" / name).read_text() == text, (
            f"run python deploy/k8s/generate.py ({name})"
        )


def test_every_manifest_is_valid_against_the_kubernetes_schemas(manifests: list) -> None:
    for doc in manifests:
        if doc["kind"] in CRDS:
            assert doc["apiVersion"] in ("keda.sh/v1alpha1", "monitoring.coreos.com/v1")
            assert doc["metadata"]["name"] and doc["spec"]
            continue
        kubernetes_validate.validate(doc, "1.30.0", strict=True)


def test_services_are_probed_drained_and_locked_down(manifests: list) -> None:
    deployments = [d for d in manifests if d["kind"] == "Deployment"]
    assert {d["metadata"]["name"] for d in deployments} == {
        "catalog",
        "intake",
        "collector",
        "valuation",
    }
    for d in deployments:
        pod = d["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert (
            c["securityContext"]["runAsNonRoot"] and c["securityContext"]["readOnlyRootFilesystem"]
        )
        assert c["resources"]["requests"] and c["resources"]["limits"]
        assert pod["terminationGracePeriodSeconds"] > 20  # longer than uvicorn's drain
        kinds = {x["kind"] for x in manifests if x["metadata"]["name"] == d["metadata"]["name"]}
        assert {"Service", "PodDisruptionBudget", "ServiceMonitor"} <= kinds
        assert kinds & {"HorizontalPodAutoscaler", "ScaledObject"}


def test_consumers_scale_on_lag_but_not_past_the_partitions(manifests: list) -> None:
    config = next(d for d in manifests if d["kind"] == "ConfigMap")
    partitions = int(config["data"]["FAIRMARKET_TOPIC_PARTITIONS"])
    scaled = {d["metadata"]["name"]: d for d in manifests if d["kind"] == "ScaledObject"}
    assert set(scaled) == {"catalog", "collector", "valuation"}
    for name, obj in scaled.items():
        kafka = next(t for t in obj["spec"]["triggers"] if t["type"] == "kafka")
        assert kafka["metadata"]["consumerGroup"] == f"fairmarket.{name}"
        assert obj["spec"]["maxReplicaCount"] <= partitions


def test_migrations_run_as_a_job_with_the_secrets(manifests: list) -> None:
    job = next(d for d in manifests if d["kind"] == "Job")
    (c,) = job["spec"]["template"]["spec"]["containers"]
    assert c["command"] == ["fairmarket", "migrate"]
    secret_refs = {e["valueFrom"]["secretKeyRef"]["key"] for e in c["env"] if "valueFrom" in e}
    assert {"database-url", "jwt-secret"} <= secret_refs


def test_the_collector_takes_marketplace_credentials_from_an_optional_secret(
    manifests: list,
) -> None:
    def env(name: str) -> dict[str, Any]:
        d = next(
            x for x in manifests if x["kind"] == "Deployment" and x["metadata"]["name"] == name
        )
        (c,) = d["spec"]["template"]["spec"]["containers"]
        return {e["name"]: e for e in c["env"]}

    collector = env("collector")
    wanted = {
        "FAIRMARKET_EBAY_CLIENT_ID",
        "FAIRMARKET_EBAY_CLIENT_SECRET",
        "FAIRMARKET_DISCOGS_TOKEN",
        "FAIRMARKET_TCGPLAYER_PUBLIC_KEY",
        "FAIRMARKET_TCGPLAYER_PRIVATE_KEY",
        "FAIRMARKET_STORES",
    }
    for var in wanted:
        ref = collector[var]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "fairmarket-marketplaces" and ref["optional"] is True, var
    for other in ("catalog", "intake", "valuation"):  # no other service holds them
        assert not wanted & set(env(other)), other
