"""Writes deploy/k8s/base from one description per service: python deploy/k8s/generate.py.

Generated rather than hand-copied so the four services cannot drift apart; a test
checks the files are up to date and validates every rendered manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

BASE = Path(__file__).parent / "base"
PARTITIONS = 12  # FAIRMARKET_TOPIC_PARTITIONS: more consumers than partitions would idle
DRAIN_SECONDS = 20  # uvicorn's graceful shutdown; termination grace must exceed it
SERVICES: dict[str, dict[str, Any]] = {
    "catalog": {"port": 8000, "topic": "valuation.computed", "max": PARTITIONS},
    "intake": {"port": 8001, "topic": None, "max": 6},
    "collector": {"port": 8002, "topic": "pricing.requested", "max": PARTITIONS},
    "valuation": {"port": 8003, "topic": "pricepoint.collected", "max": PARTITIONS},
}
IMAGE = "ghcr.io/fairmarket/fairmarket"
# the collector's marketplace credentials: each optional (a source without them is not
# configured), from the `fairmarket-marketplaces` secret (README: Operations, Kubernetes)
MARKETPLACE_SECRET = "fairmarket-marketplaces"
MARKETPLACE_KEYS = {
    "FAIRMARKET_EBAY_CLIENT_ID": "ebay-client-id",
    "FAIRMARKET_EBAY_CLIENT_SECRET": "ebay-client-secret",
    "FAIRMARKET_DISCOGS_TOKEN": "discogs-token",
    "FAIRMARKET_TCGPLAYER_PUBLIC_KEY": "tcgplayer-public-key",
    "FAIRMARKET_TCGPLAYER_PRIVATE_KEY": "tcgplayer-private-key",
    "FAIRMARKET_STORES": "stores",
}


def labels(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "fairmarket"}


def env(name: str, port: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"name": "FAIRMARKET_SERVICE", "value": name},
        {"name": "FAIRMARKET_PORT", "value": str(port)},
        {"name": "FAIRMARKET_HOST", "value": "0.0.0.0"},
        {
            "name": "FAIRMARKET_JWT_SECRET",
            "valueFrom": {"secretKeyRef": {"name": "fairmarket-secrets", "key": "jwt-secret"}},
        },
        {
            "name": "FAIRMARKET_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": "fairmarket-secrets", "key": "database-url"}},
        },
    ]
    if name == "collector":
        out += [
            {
                "name": var,
                "valueFrom": {
                    "secretKeyRef": {"name": MARKETPLACE_SECRET, "key": key, "optional": True}
                },
            }
            for var, key in MARKETPLACE_KEYS.items()
        ]
    return out


def container(name: str, port: int, command: list[str] | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {
        "name": name,
        "image": f"{IMAGE}-{name}:latest",
        "env": env(name, port),
        "envFrom": [{"configMapRef": {"name": "fairmarket-config"}}],
        "resources": {
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if command:
        c["command"] = command
    else:
        c["ports"] = [{"name": "http", "containerPort": port}]
        c["livenessProbe"] = {
            "httpGet": {"path": "/healthz", "port": "http"},
            "periodSeconds": 10,
            "failureThreshold": 3,
        }
        c["readinessProbe"] = {
            "httpGet": {"path": "/readyz", "port": "http"},
            "periodSeconds": 5,
            "failureThreshold": 2,
        }
        c["startupProbe"] = {
            "httpGet": {"path": "/healthz", "port": "http"},
            "periodSeconds": 2,
            "failureThreshold": 30,
        }
    return c


def pod(name: str, port: int, command: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container(name, port, command)],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }
    if not command:
        spec["terminationGracePeriodSeconds"] = DRAIN_SECONDS + 25
    return {"metadata": {"labels": labels(name)}, "spec": spec}


def service_manifests(name: str, port: int, topic: str | None, max_replicas: int) -> list[dict]:
    meta = {"name": name, "labels": labels(name)}
    out: list[dict[str, Any]] = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels(name)},
                "strategy": {"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                "template": pod(name, port),
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {
                "selector": labels(name),
                "ports": [{"name": "http", "port": port, "targetPort": "http"}],
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta,
            "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(name)}},
        },
    ]
    if topic is None:  # HTTP only: scale on CPU
        out.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": meta,
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": 2,
                    "maxReplicas": max_replicas,
                    "metrics": [_cpu()],
                },
            }
        )
    else:  # consumers: KEDA owns the HPA, on lag and CPU; never more pods than partitions
        out.append(
            {
                "apiVersion": "keda.sh/v1alpha1",
                "kind": "ScaledObject",
                "metadata": meta,
                "spec": {
                    "scaleTargetRef": {"name": name},
                    "minReplicaCount": 2,
                    "maxReplicaCount": max_replicas,
                    "triggers": [
                        {
                            "type": "kafka",
                            "metadata": {
                                "bootstrapServers": "kafka:9092",
                                "consumerGroup": f"fairmarket.{name}",
                                "topic": topic,
                                "lagThreshold": "500",
                                "allowIdleConsumers": "false",
                            },
                        },
                        {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "70"}},
                    ],
                },
            }
        )
    out.append(
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": meta,
            "spec": {
                "selector": {"matchLabels": labels(name)},
                "endpoints": [{"port": "http", "path": "/metrics", "interval": "15s"}],
            },
        }
    )
    return out


def _cpu() -> dict[str, Any]:
    return {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
    }


def shared() -> list[dict[str, Any]]:
    job_pod = pod("migrate", 0, ["fairmarket", "migrate"])
    job_pod["spec"]["restartPolicy"] = "OnFailure"
    job_pod["spec"]["containers"][0]["image"] = f"{IMAGE}-catalog:latest"
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "fairmarket-config", "labels": labels("fairmarket")},
            "data": {
                "FAIRMARKET_KAFKA_BOOTSTRAP": "kafka:9092",
                "FAIRMARKET_TOPIC_PARTITIONS": str(PARTITIONS),
                "FAIRMARKET_TOPIC_REPLICATION": "3",
                "FAIRMARKET_LOG_LEVEL": "INFO",
            },
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "fairmarket-migrate", "labels": labels("migrate")},
            "spec": {"backoffLimit": 4, "ttlSecondsAfterFinished": 3600, "template": job_pod},
        },
    ]


def render() -> dict[str, str]:
    files = {"shared.yaml": shared()}
    for name, s in SERVICES.items():
        files[f"{name}.yaml"] = service_manifests(name, s["port"], s["topic"], s["max"])
    texts = {f: yaml.safe_dump_all(docs, sort_keys=False) for f, docs in files.items()}
    texts["kustomization.yaml"] = yaml.safe_dump(
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": sorted(f for f in files),
        },
        sort_keys=False,
    )
    return texts


if __name__ == "__main__":
    BASE.mkdir(exist_ok=True)
    for name, text in render().items():
        (BASE / name).write_text(text)
